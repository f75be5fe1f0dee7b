// The one door to the data for a request. Every route is signed-in only unless it declares
// `config: { public: true }` (deny by default). A signed-in request gets a RequestContext whose
// tx() opens a transaction as lantern_app scoped to the user's school, hands out the school's
// sealer, and writes audit events in that same transaction. State-changing requests must carry
// the session's CSRF token. To change safely: keep the default-deny check in onRequest and keep
// the CSRF comparison constant-time.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../platform/services.ts';
import { endSession, resolveSession, SESSION_COOKIE, type SessionUser } from '../features/identity/sessions.ts';
import type { Queryable } from '../platform/db/engine.ts';
import { inSchool } from '../platform/db/tenancy.ts';
import type { Sealer } from '../platform/crypto/school-keys.ts';
import { appendAudit } from '../platform/audit/chain.ts';
import type { AuditActor, AuditEvent } from '../platform/audit/catalogue.ts';
import type { Actor } from './access/actor.ts';
import { forbidden, DomainError, unauthorised } from './errors.ts';
import { enrolmentGate } from './access/step-up.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without signing in. Every other route requires a session. */
    public?: boolean;
    /** Also reachable with a session still waiting for its second factor (issue 3). */
    pendingOk?: boolean;
    /** Also reachable by a session that must first set up a second factor (issue 3). */
    enrolOk?: boolean;
  }
  interface FastifyRequest {
    auth: SessionUser | null;
  }
}

export type Tx = {
  /** The open transaction (as lantern_app, scoped to the school). */
  db: Queryable;
  /** Shorthand for db.query. */
  q: Queryable['query'];
  actor: Actor;
  now: Date;
  /** The school's field encryption, loaded on first use. */
  sealer(): Promise<Sealer>;
  audit(event: AuditEvent): Promise<void>;
};

export function auditActorOf(
  req: FastifyRequest,
  user: { userId: string; name: string } | null,
): AuditActor {
  return {
    actorId: user?.userId ?? null,
    actorLabel: user?.name ?? 'anonymous',
    ip: req.ip ?? null,
    userAgent: req.headers['user-agent'] ?? null,
  };
}

export class RequestContext {
  readonly user: SessionUser;
  readonly actor: Actor;
  readonly #services: Services;
  readonly #req: FastifyRequest;
  constructor(services: Services, req: FastifyRequest, user: SessionUser) {
    this.#services = services;
    this.#req = req;
    this.user = user;
    this.actor = {
      userId: user.userId,
      schoolId: user.schoolId,
      name: user.name,
      role: user.role,
      permissions: user.permissions,
      elevated: user.elevated,
    };
  }

  tx<T>(fn: (t: Tx) => Promise<T>): Promise<T> {
    const { db, keys, clock } = this.#services;
    const schoolId = this.user.schoolId;
    const auditActor = auditActorOf(this.#req, this.user);
    const now = clock.now();
    return inSchool(db, schoolId, (q) => {
      let sealer: Promise<Sealer> | undefined;
      return fn({
        db: q,
        q: (sql, params) => q.query(sql, params),
        actor: this.actor,
        now,
        sealer: () => (sealer ??= keys.forSchool(q, schoolId)),
        audit: async (event) => {
          await appendAudit(q, schoolId, auditActor, event, now);
        },
      });
    });
  }
}

export function ctx(services: Services, req: FastifyRequest): RequestContext {
  if (!req.auth) throw unauthorised();
  return new RequestContext(services, req, req.auth);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function installAuth(app: FastifyInstance, services: Services): void {
  app.decorateRequest('auth', null);
  app.addHook('onRequest', async (req, reply) => {
    const isPublic = req.routeOptions.config?.public === true;
    const unmatched = !req.routeOptions.url; // 404s are answered by the not-found handler
    const token = req.cookies[SESSION_COOKIE];
    if (token) {
      const found = await resolveSession(services.db, token, services.clock.now());
      if (found.state === 'active') req.auth = found.user;
      else {
        if (found.state === 'ended') {
          // Usually the minute job (src/jobs/due-work.ts) has ended and audited it already; if
          // the cookie comes back first, end and audit it here — once, whichever is first.
          await inSchool(services.db, found.schoolId, async (q) => {
            if (!(await endSession(q, found.sessionId, found.reason, services.clock.now()))) return;
            await appendAudit(q, found.schoolId, auditActorOf(req, null), {
              action: 'auth.session_ended',
              targetType: 'user',
              targetId: found.userId,
              details: { reason: found.reason },
            });
          });
        }
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
      }
    }
    if (!SAFE_METHODS.has(req.method)) {
      // Cross-site requests: browsers send Origin on every POST; refuse a foreign one outright.
      const origin = req.headers.origin;
      if (
        origin &&
        origin !== services.config.publicOrigin &&
        !isSameHost(origin, req.headers.host)
      ) {
        throw forbidden('Cross-site request refused.');
      }
      if (req.auth) {
        const sent = req.headers['x-csrf-token'];
        if (typeof sent !== 'string' || !sameToken(sent, req.auth.csrfToken)) {
          throw forbidden('Missing or wrong CSRF token. Reload the page and try again.');
        }
      }
    }
    if (!isPublic && !unmatched && !req.auth) throw unauthorised();
    // A session that has a password but not yet its second factor reaches only the routes that
    // finish signing in; everywhere else it is not signed in.
    if (req.auth?.stage === 'second_factor' && req.routeOptions.config?.pendingOk !== true) {
      if (isPublic || unmatched) req.auth = null;
      else {
        throw new DomainError('unauthorised',
          'second_factor_required',
          'Enter your authentication code (or use your security key) to finish signing in.',
        );
      }
    }
    // A session the school requires a second factor of, with none set up: enrolment only.
    if (req.auth && !isPublic && !unmatched) enrolmentGate(req.auth, req.routeOptions.config);
  });
}

function isSameHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
