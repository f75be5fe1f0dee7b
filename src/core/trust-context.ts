// The trust's door (issue 20): a signed-in trust member's transactions. Protects the wall between
// a trust and its schools' pupils. A trust member belongs to a trust, never to a school: `tx`
// opens a transaction whose tenant is the platform's empty school and whose trust and member are
// set in SQL from the session's hashed token (tenancy.ts inTrust), so it reads only the trust's own
// rows and the figures of schools that share (the policy checks the sharing). `granted` opens the
// school of one grant, the tenant set only through lantern_find_trust_grant_school (active,
// unexpired, unrevoked, this member's): without such a grant the tenant stays the empty school and
// the work is refused (404), the attempt audited in the grant's school. Inside a grant the work
// gets a `Tx` whose actor reads the whole school (so the staff services — the chronology — are
// reused, not copied), and everything is audited in THAT school's chain with the trust member as
// the actor ("Trust: <name>", actor_id NULL: never taken for a member of staff). To change
// safely: keep the tenant derived in SQL from the session and the grant id, keep refusals audited
// in a transaction of their own, and keep features/trust/rls.test.ts passing on both engines.
import type { Queryable } from '../platform/db/engine.ts';
import { inTrust, inTrustAs, PLATFORM_SCHOOL_ID } from '../platform/db/tenancy.ts';
import { appendAuditEntries, type PendingEntry } from '../platform/audit/chain.ts';
import type { AuditActor, AuditEvent } from '../platform/audit/catalogue.ts';
import { openSchool, workInSchool, type Door, type Origin, type Tx } from './context.ts';
import { resolvePermissions } from './access/permissions.ts';
import type { Actor } from './access/actor.ts';
import { DomainError, unauthorised } from './errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in trust member's context (http/trust-request-context.ts); null otherwise. */
    trustContext: TrustContext | null;
  }
}

export const TRUST_ROLES = ['trust_safeguarding_lead', 'trust_executive'] as const;
export type TrustRole = (typeof TRUST_ROLES)[number];

/** Who the signed-in trust member is. */
export type TrustActor = {
  memberId: string;
  trustId: string;
  trustName: string;
  name: string;
  email: string;
  role: TrustRole;
};

/** A transaction in the trust's own lane: no school's rows, audited on the platform's chain. */
export type TrustTx = {
  db: Queryable;
  q: Queryable['query'];
  now: Date;
  member: TrustActor;
  audit(event: AuditEvent): Promise<void>;
};

/** A transaction inside a granting school, under the grant. */
export type GrantedTx = Tx & { grantId: string; member: TrustActor };

export const GRANT_ENDED =
  'This access has ended (it expired or the school revoked it). Ask the school for a new grant.';

/**
 * A refusal inside a granted school (a pupil the grant does not cover): the work's transaction
 * rolls back, so its events are written by `granted` in a transaction of their own, then it is
 * thrown on as the DomainError it is.
 */
export class RefusedUnderGrant extends DomainError {
  readonly events: AuditEvent[];
  constructor(message: string, events: AuditEvent[]) {
    super('not_found', 'not_granted', message);
    this.events = events;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const TRUST_ROLE_NAMES: Record<TrustRole, string> = {
  trust_safeguarding_lead: 'trust safeguarding lead',
  trust_executive: 'trust executive',
};

export function trustAuditActor(origin: Origin, m: Pick<TrustActor, 'name' | 'role'>): AuditActor {
  return {
    actorId: null,
    actorLabel: `Trust: ${m.name} (${TRUST_ROLE_NAMES[m.role]})`,
    ip: origin.ip,
    userAgent: origin.userAgent,
  };
}

/**
 * The actor a grant gives: every record of the school, read only (the grant route reads; nothing
 * under a grant writes). Its user id is the trust member's, which no record names as author.
 */
export function grantReader(member: TrustActor, schoolId: string): Actor {
  return {
    userId: member.memberId,
    schoolId,
    name: member.name,
    role: 'dsl',
    elevated: true,
    permissions: resolvePermissions([
      {
        groupId: 'trust-grant',
        nonRestrictedDefault: 'view',
        restrictedDefault: 'view',
        categories: {},
        scope: { kind: 'school' },
        capabilities: [],
      },
    ]),
  };
}

/** A signed-in trust member at work. */
export class TrustContext {
  readonly member: TrustActor;
  readonly sessionId: string;
  readonly #services: Door;
  readonly #sessionHash: Buffer;
  readonly #who: AuditActor;
  /**
   * As `#who`, in a school's chain: the member's id goes into each entry's details
   * (`trustMember`, appendAuditEntries), so the unusual-access scan (features/audit-trail/
   * unusual-access.ts) judges their reads as it judges staff's; actor_id stays NULL, never taken
   * for a member of staff.
   */
  readonly #inSchool: AuditActor;
  constructor(
    services: Door,
    member: TrustActor,
    session: { id: string; hash: Buffer },
    origin: Origin,
  ) {
    this.#services = services;
    this.member = member;
    this.sessionId = session.id;
    this.#sessionHash = session.hash;
    this.#who = trustAuditActor(origin, member);
    this.#inSchool = { ...this.#who, trustMemberId: member.memberId };
  }

  /** Work in the trust's own lane (figures, grants held): its audit on the platform's chain. */
  tx<T>(fn: (t: TrustTx) => Promise<T>): Promise<T> {
    const now = this.#services.clock.now();
    return inTrust(this.#services.db, this.#sessionHash, async (q) => {
      const entries: PendingEntry[] = [];
      const result = await fn({
        db: q,
        q: (sql, params) => q.query(sql, params),
        now,
        member: this.member,
        audit: (event) => {
          entries.push({ actor: this.#who, event });
          return Promise.resolve();
        },
      });
      if (entries.length > 0) await appendAuditEntries(q, PLATFORM_SCHOOL_ID, entries, now);
      return result;
    });
  }

  /** Appends events to a school's chain as this member, in a transaction of its own. */
  async auditInSchool(schoolId: string, events: AuditEvent[]): Promise<void> {
    await openSchool(this.#services, schoolId, this.#inSchool, async (t) => {
      for (const e of events) await t.audit(e);
    });
  }

  /**
   * Work in the school of grant `grantId`, only while the grant lets this member in. A grant
   * that is unknown, another member's, expired or revoked: 404 with GRANT_ENDED, the attempt
   * audited in the grant's school when the grant is this member's.
   */
  async granted<T>(grantId: string, fn: (t: GrantedTx) => Promise<T>): Promise<T> {
    const refused = () => new DomainError('not_found', 'grant_ended', GRANT_ENDED);
    if (!UUID.test(grantId)) throw refused();
    const now = this.#services.clock.now();
    let refusedIn: string | null = null;
    const outcome = await inTrust(
      this.#services.db,
      this.#sessionHash,
      async (q) => {
        const [row] = await q.query<{ school: string }>(
          'SELECT lantern_current_school()::text AS school',
        );
        const schoolId = row?.school ?? PLATFORM_SCHOOL_ID;
        if (schoolId === PLATFORM_SCHOOL_ID) return { ok: false as const };
        refusedIn = schoolId;
        const value = await workInSchool(this.#services, q, schoolId, now, this.#inSchool, (t) =>
          fn({
            ...t,
            actor: grantReader(this.member, schoolId),
            grantId,
            member: this.member,
          }),
        );
        return { ok: true as const, value };
      },
      grantId,
    ).catch(async (e: unknown) => {
      // The work rolled back; its refusal is still recorded, in the school's chain, on its own.
      if (e instanceof RefusedUnderGrant && refusedIn)
        await this.auditInSchool(refusedIn, e.events);
      throw e;
    });
    if (outcome.ok) return outcome.value;
    // Refused by PostgreSQL: say why in the school's own chain, if the grant is this member's.
    const [grant] = await this.tx((t) =>
      t.q<{ school_id: string; revoked: boolean }>(
        `SELECT school_id, revoked_at IS NOT NULL AS revoked FROM trust_grants WHERE id = $1`,
        [grantId],
      ),
    );
    if (grant) {
      await this.auditInSchool(grant.school_id, [
        {
          action: 'trust.grant_refused',
          targetType: 'trust_grant',
          targetId: grantId,
          details: { reason: grant.revoked ? 'revoked' : 'expired' },
        },
      ]);
    }
    throw refused();
  }
}

/** The signed-in trust member's context for this request (401 when there is none). */
export function trustCtx(req: { trustContext: TrustContext | null }): TrustContext {
  if (!req.trustContext) throw unauthorised();
  return req.trustContext;
}

/** A transaction in a trust member's own lane before their session is full (sign-in steps). */
export type TrustLaneTx = Omit<TrustTx, 'member'>;

/**
 * Sign-in's door for a member the server has just identified (password checked, or a session
 * still waiting for its code): their trust's own lane, audited on the platform's chain as them.
 */
export function trustMemberDoor(
  services: Door,
  origin: Origin,
  m: { trustId: string; memberId: string; name: string; role: TrustRole },
): { tx<T>(fn: (t: TrustLaneTx) => Promise<T>): Promise<T> } {
  const who = trustAuditActor(origin, m);
  return {
    tx: (fn) => {
      const now = services.clock.now();
      return inTrustAs(services.db, m, async (q) => {
        const entries: PendingEntry[] = [];
        const result = await fn({
          db: q,
          q: (sql, params) => q.query(sql, params),
          now,
          audit: (event) => {
            entries.push({ actor: who, event });
            return Promise.resolve();
          },
        });
        if (entries.length > 0) await appendAuditEntries(q, PLATFORM_SCHOOL_ID, entries, now);
        return result;
      });
    },
  };
}

/**
 * Reading a trust session by its token's hash, in the lane that hash names (resolving the cookie,
 * touching the session): nothing audited, no school visible.
 */
export function inTrustSession<T>(
  services: Pick<Door, 'db'>,
  sessionHash: Buffer,
  fn: (q: Queryable) => Promise<T>,
): Promise<T> {
  return inTrust(services.db, sessionHash, fn, undefined, 'signing-in');
}

/** An event about a trust session (its end), on the platform's chain, as its member. */
export async function auditTrustSession(
  services: Door,
  sessionHash: Buffer,
  member: Pick<TrustActor, 'name' | 'role'>,
  origin: Origin,
  event: AuditEvent,
): Promise<void> {
  const now = services.clock.now();
  await inTrust(
    services.db,
    sessionHash,
    (q) =>
      appendAuditEntries(
        q,
        PLATFORM_SCHOOL_ID,
        [{ actor: trustAuditActor(origin, member), event }],
        now,
      ),
    undefined,
    'signing-in',
  );
}
