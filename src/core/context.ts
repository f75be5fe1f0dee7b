// The one door to the data. Every piece of work — a request from a signed-in member, a sign-in
// or other public request (a visitor), a job, the MIS sync, an operator's command — gets the same
// transaction: as lantern_app (no table owned, no BYPASSRLS), scoped to one school by a
// transaction-local setting, with the school's sealer and an `audit()` whose entries are appended
// to the school's chain at the end of that same transaction (audit fails closed: an entry that
// cannot be written rolls back the change; gathering them holds the chain head, which serialises
// a school's writers, only from the append to the commit — issue 12). Code outside this file and src/platform never opens a transaction or
// appends to the chain itself. To change safely: keep every entry point going through
// `openSchool` (role switch and tenant first), and name any helper that goes around it `unsafe…`.
import type { FastifyRequest } from 'fastify';
import type { Services } from '../platform/services.ts';
import type { Queryable, Row } from '../platform/db/engine.ts';
import {
  inPlatform,
  inSchool,
  lookupInItsSchool,
  platformLookup,
  unsafeAsOwner,
} from '../platform/db/tenancy.ts';
import type { Sealer } from '../platform/crypto/school-keys.ts';
import { appendAudit, appendAuditEntries, type PendingEntry } from '../platform/audit/chain.ts';
import type { AuditActor, AuditEvent } from '../platform/audit/catalogue.ts';
import type { Actor } from './access/actor.ts';
import { unauthorised } from './errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without signing in. Every other route requires a session. */
    public?: boolean;
    /** A built web-app file or the page fallback: the same for everyone (http/web-files.ts). */
    webAppFile?: boolean;
    /** Also reachable with a session still waiting for its second factor (issue 3). */
    pendingOk?: boolean;
    /** Also reachable by a session that must first set up a second factor (issue 3). */
    enrolOk?: boolean;
    /**
     * A parent's route (issue 21), under /api/parent/: never given a staff context; the parent
     * hook (src/http/parent-request-context.ts) resolves the parent's own cookie instead.
     */
    parent?: boolean;
    /**
     * A trust member's route (issue 20), under /api/trust/: never given a staff context; the
     * trust hook (src/http/trust-request-context.ts) resolves the trust's own cookie instead.
     */
    trust?: boolean;
  }
  interface FastifyRequest {
    /** The signed-in member's context, set by src/http/request-context.ts; null when signed out. */
    context: RequestContext | null;
  }
}

/** Where a piece of work came from, for the audit trail. */
export type Origin = { ip: string | null; userAgent: string | null };
export const NO_ORIGIN: Origin = { ip: null, userAgent: null };

export function originOf(req: FastifyRequest): Origin {
  return { ip: req.ip ?? null, userAgent: req.headers['user-agent'] ?? null };
}

/** A transaction inside one school, whoever is acting. */
export type SchoolTx = {
  /** The open transaction (as lantern_app, scoped to the school). */
  db: Queryable;
  /** Shorthand for db.query. */
  q: Queryable['query'];
  schoolId: string;
  now: Date;
  /** The school's field encryption, loaded on first use. */
  sealer(): Promise<Sealer>;
  audit(event: AuditEvent): Promise<void>;
};

/** A signed-in member's transaction: a SchoolTx with the member whose policies apply. */
export type Tx = SchoolTx & { actor: Actor };

export type Door = Pick<Services, 'db' | 'keys' | 'clock'>;

/**
 * Runs fn in the school, gathering its audit entries and appending them at its end. Exported for
 * the parents' and the trust's doors (parent-context.ts, trust-context.ts) alone: every other
 * caller goes through the contexts here.
 */
export function openSchool<T>(
  services: Door,
  schoolId: string,
  who: AuditActor,
  fn: (t: SchoolTx, record: (entry: PendingEntry) => void) => Promise<T>,
): Promise<T> {
  return inSchool(services.db, schoolId, (q) =>
    workInSchool(services, q, schoolId, services.clock.now(), who, fn),
  );
}

/**
 * The work of openSchool inside a transaction already opened in `schoolId` (its tenant set by the
 * opening): sealer, audit gathered and appended at the end. Exported for the trust's door
 * (trust-context.ts), whose tenant comes from a grant's sub-select rather than a known id.
 */
export async function workInSchool<T>(
  services: Door,
  q: Queryable,
  schoolId: string,
  now: Date,
  who: AuditActor,
  fn: (t: SchoolTx, record: (entry: PendingEntry) => void) => Promise<T>,
): Promise<T> {
  let sealer: Promise<Sealer> | undefined;
  const entries: PendingEntry[] = [];
  const record = (entry: PendingEntry) => void entries.push(entry);
  const result = await fn(
    {
      db: q,
      q: (sql, params) => q.query(sql, params),
      schoolId,
      now,
      sealer: () => (sealer ??= services.keys.forSchool(q, schoolId)),
      audit: (event) => {
        record({ actor: who, event });
        return Promise.resolve();
      },
    },
    record,
  );
  // The work is done: its entries go on the chain now, in the order they were made, in the
  // same transaction (an entry that cannot be written rolls the work back).
  if (entries.length > 0) await appendAuditEntries(q, schoolId, entries, now);
  return result;
}

export function auditActorOf(
  origin: Origin,
  user: { userId: string; name: string } | null,
): AuditActor {
  return {
    actorId: user?.userId ?? null,
    actorLabel: user?.name ?? 'anonymous',
    ip: origin.ip,
    userAgent: origin.userAgent,
  };
}

/** A signed-in member at work: their actor (policies) and where they are (audit). */
export class RequestContext {
  readonly actor: Actor;
  readonly #services: Door;
  readonly #who: AuditActor;
  constructor(services: Door, actor: Actor, origin: Origin) {
    this.#services = services;
    this.actor = actor;
    this.#who = auditActorOf(origin, actor);
  }

  tx<T>(fn: (t: Tx) => Promise<T>): Promise<T> {
    return openSchool(this.#services, this.actor.schoolId, this.#who, (t) =>
      fn({ ...t, actor: this.actor }),
    );
  }
}

/** The signed-in member's context for this request (401 when there is none). */
export function ctx(req: { context: RequestContext | null }): RequestContext {
  if (!req.context) throw unauthorised();
  return req.context;
}

/** Work no person asked for, and who the audit trail names for it. */
export const SYSTEM_REASONS = {
  scheduled: 'Lantern (scheduled)',
  mis_sync: 'MIS sync',
  mis_api_key: 'MIS API key',
  operator: 'operator',
  demo_seed: 'demo-seed',
} as const;
export type SystemReason = keyof typeof SYSTEM_REASONS;

/**
 * The audit actor of system work; `detail` names which key or operator (never a secret), and
 * `origin` where a caller came from when there was one (the MIS push API's client).
 */
export function systemActor(reason: SystemReason, detail?: string, origin = NO_ORIGIN): AuditActor {
  const label = SYSTEM_REASONS[reason];
  return {
    actorId: null,
    actorLabel: detail ? `${label} ${detail}` : label,
    ip: origin.ip,
    userAgent: origin.userAgent,
  };
}

export type SystemContext = { tx<T>(fn: (t: SchoolTx) => Promise<T>): Promise<T> };

/** Jobs, the MIS sync and the CLI: the same transaction and audit as a request, in one school. */
export function asSystem(
  services: Door,
  schoolId: string,
  reason: SystemReason,
  detail?: string,
  origin: Origin = NO_ORIGIN,
): SystemContext {
  const who = systemActor(reason, detail, origin);
  return { tx: (fn) => openSchool(services, schoolId, who, fn) };
}

/** A visitor's transaction: audit entries name nobody unless `as` says who was identified. */
export type VisitorTx = Omit<SchoolTx, 'audit'> & {
  audit(event: AuditEvent, as?: { userId: string; name: string }): Promise<void>;
};

export type VisitorContext = {
  readonly origin: Origin;
  /** Inside one school, once it is known (a sign-in whose email named the account, a link). */
  inSchool<T>(schoolId: string, fn: (t: VisitorTx) => Promise<T>): Promise<T>;
  /** Before the school is known: no school's rows are visible, nothing is audited. */
  inPlatform<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  /** The same, for one lantern_find_… look-up by a hashed key, in one round trip (tenancy.ts). */
  findInPlatform<T extends Row>(fn: string, key: Buffer, columns: string): Promise<T[]>;
  /**
   * A read inside the school that a lantern_find_… look-up names for the key, in one round trip
   * (tenancy.ts lookupInItsSchool): `select` matches its row by the key, `$1`. Audits nothing.
   */
  findInItsSchool<T extends Row>(fn: string, key: Buffer, select: string): Promise<T[]>;
};

/** Sign-in and other public routes: the door for someone not (yet) signed in. */
export function visitor(services: Door, origin: Origin): VisitorContext {
  return {
    origin,
    inSchool: (schoolId, fn) => {
      const anonymous = auditActorOf(origin, null);
      return openSchool(services, schoolId, anonymous, (t, record) =>
        fn({
          ...t,
          audit: (event, as) => {
            record({ actor: as ? auditActorOf(origin, as) : anonymous, event });
            return Promise.resolve();
          },
        }),
      );
    },
    inPlatform: (fn) => inPlatform(services.db, fn),
    findInPlatform: (fn, key, columns) => platformLookup(services.db, fn, key, columns),
    findInItsSchool: (fn, key, select) => lookupInItsSchool(services.db, fn, key, select),
  };
}

/** An operator's command across schools (create a school, rotate keys), as the owner. */
export type OperatorTx = {
  db: Queryable;
  q: Queryable['query'];
  now: Date;
  audit(schoolId: string, event: AuditEvent): Promise<void>;
};

/**
 * Runs as the database owner, bypassing row-level security, on the owner's own login (never a
 * request-time connection, which logs in as a role that owns nothing: issue 11): only for
 * operator commands that act before a school exists or across schools, and the jobs' list of
 * schools. No route may call it. Every change is still audited in its school.
 */
export function unsafeAsOperator<T>(
  services: Pick<Services, 'db' | 'clock'>,
  operator: string,
  fn: (t: OperatorTx) => Promise<T>,
): Promise<T> {
  const now = services.clock.now();
  const who: AuditActor = { actorId: null, actorLabel: operator, ip: null, userAgent: null };
  return unsafeAsOwner(services.db, (q) =>
    fn({
      db: q,
      q: (sql, params) => q.query(sql, params),
      now,
      audit: async (schoolId, event) => {
        await appendAudit(q, schoolId, who, event, now);
      },
    }),
  );
}
