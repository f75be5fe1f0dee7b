// The hook that turns a request into a context. Every route is signed-in only unless it declares
// `config: { public: true }` (deny by default). A signed-in request gets `req.auth` (its session)
// and `req.context` (src/core/context.ts: the member's actor and the one door to the data).
// State-changing requests must carry the session's CSRF token. To change safely: keep the
// default-deny check in onRequest and keep the CSRF comparison constant-time.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../platform/services.ts';
import {
  endSession,
  resolveSession,
  sessionCookieName,
  type SessionUser,
} from '../features/identity/sessions.ts';
import { clearSessionCookie } from '../features/identity/issue.ts';
import { originOf, RequestContext, visitor } from '../core/context.ts';
import type { Actor } from '../core/access/actor.ts';
import { DomainError, forbidden, unauthorised } from '../core/errors.ts';
import { enrolmentGate } from '../core/access/step-up.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in session (identity routes read it); null when signed out. */
    auth: SessionUser | null;
  }
}

export function actorOf(user: SessionUser): Actor {
  return {
    userId: user.userId,
    schoolId: user.schoolId,
    name: user.name,
    role: user.role,
    permissions: user.permissions,
    elevated: user.elevated,
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function installRequestContext(app: FastifyInstance, services: Services): void {
  app.decorateRequest('auth', null);
  app.decorateRequest('context', null);
  app.addHook('onRequest', async (req, reply) => {
    // A parent's route never gets a staff context: a staff cookie there is ignored, and the
    // parent hook (parent-request-context.ts) decides who may call it.
    if (req.routeOptions.config?.parent === true) return;
    // Nor a trust member's route (issue 20): the trust hook (trust-request-context.ts) answers it.
    if (req.routeOptions.config?.trust === true) return;
    const isPublic = req.routeOptions.config?.public === true;
    const unmatched = !req.routeOptions.url; // 404s are answered by the not-found handler
    const token = req.cookies[sessionCookieName(services.config)];
    if (token) {
      const found = await resolveSession(services, token, services.clock.now());
      if (found.state === 'active') req.auth = found.user;
      else {
        if (found.state === 'ended') {
          // Usually the minute job (src/jobs/due-work.ts) has ended and audited it already; if
          // the cookie comes back first, end and audit it here — once, whichever is first.
          await visitor(services, originOf(req)).inSchool(found.schoolId, async (t) => {
            if (!(await endSession(t.db, found.sessionId, found.reason, t.now))) return;
            await t.audit({
              action: 'auth.session_ended',
              targetType: 'user',
              targetId: found.userId,
              details: { reason: found.reason },
            });
          });
        }
        clearSessionCookie(reply, services);
      }
    }
    refuseForgedRequest(req, services, req.auth?.csrfToken ?? null);
    if (!isPublic && !unmatched && !req.auth) throw unauthorised();
    // A session that has a password but not yet its second factor reaches only the routes that
    // finish signing in; everywhere else it is not signed in.
    if (req.auth?.stage === 'second_factor' && req.routeOptions.config?.pendingOk !== true) {
      if (isPublic || unmatched) req.auth = null;
      else {
        throw new DomainError(
          'unauthorised',
          'second_factor_required',
          'Enter your authentication code (or use your security key) to finish signing in.',
        );
      }
    }
    // A session the school requires a second factor of, with none set up: enrolment only.
    if (req.auth && !isPublic && !unmatched) enrolmentGate(req.auth, req.routeOptions.config);
    if (req.auth) req.context = new RequestContext(services, actorOf(req.auth), originOf(req));
  });
}

/**
 * Cross-site requests: browsers send Origin on every POST, so a foreign one is refused outright;
 * and a signed-in state-changing request must carry its session's CSRF token (compared in constant
 * time). Shared by the staff hook, the parents' (parent-request-context.ts) and the trust's.
 */
export function refuseForgedRequest(
  req: FastifyRequest,
  services: Pick<Services, 'config'>,
  csrfToken: string | null,
): void {
  if (SAFE_METHODS.has(req.method)) return;
  const origin = req.headers.origin;
  if (origin && origin !== services.config.publicOrigin && !isSameHost(origin, req.headers.host)) {
    throw forbidden('Cross-site request refused.');
  }
  if (csrfToken !== null) {
    const sent = req.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !sameToken(sent, csrfToken)) {
      throw forbidden('Missing or wrong CSRF token. Reload the page and try again.');
    }
  }
}

function isSameHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
