// The trust's hook (issue 20): every route declaring `config: { trust: true }` (all under
// /api/trust/) is answered here, never by the staff or the parents' hook. The trust member's own
// cookie (never the staff or parent one) is resolved into `req.trustContext`
// (src/core/trust-context.ts); a trust route is signed-in only unless it also declares
// `public: true`; a state-changing request must carry the trust session's CSRF token and a
// same-site Origin. A session waiting for its second factor reaches only `pendingOk` routes, one
// that must set one up only `enrolOk` routes: every trust member has a second factor before
// anything else is reachable. On any other route the trust cookie is ignored (their hooks then
// answer 401). To change safely: keep the trust check first in the staff hook, and keep this hook
// from ever setting `req.context`, `req.auth` or `req.parentContext`.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../platform/services.ts';
import { originOf } from '../core/context.ts';
import { auditTrustSession, TrustContext } from '../core/trust-context.ts';
import { DomainError, unauthorised } from '../core/errors.ts';
import {
  clearTrustCookie,
  resolveTrustSession,
  trustCookieName,
  type TrustSession,
} from '../features/trust/sessions.ts';
import { refuseForgedRequest } from './request-context.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The trust member's session on a trust route (any stage); null otherwise. */
    trustSession: TrustSession | null;
  }
}

export function installTrustContext(app: FastifyInstance, services: Services): void {
  app.decorateRequest('trustContext', null);
  app.decorateRequest('trustSession', null);
  app.addHook('onRequest', async (req, reply) => {
    const config = req.routeOptions.config;
    if (config?.trust !== true) return;
    const token = req.cookies[trustCookieName(services.config)];
    if (token) {
      const now = services.clock.now();
      const found = await resolveTrustSession(services, token, now);
      if (found.state === 'active') req.trustSession = found.session;
      else {
        if (found.state === 'ended') {
          await auditTrustSession(
            services,
            found.session.hash,
            found.session.member,
            originOf(req),
            {
              action: 'trust.session_ended',
              targetType: 'trust_member',
              targetId: found.session.member.memberId,
              details: { reason: found.reason },
            },
          );
        }
        clearTrustCookie(reply, services);
      }
    }
    const s = req.trustSession;
    refuseForgedRequest(req, services, s?.csrfToken ?? null);
    const isPublic = config.public === true;
    if (!s) {
      if (!isPublic) throw unauthorised();
      return;
    }
    if (s.stage === 'second_factor' && config.pendingOk !== true) {
      if (isPublic) return;
      throw new DomainError(
        'unauthorised',
        'second_factor_required',
        'Enter the code from your authenticator app to finish signing in.',
      );
    }
    if (s.stage === 'enrol' && config.enrolOk !== true) {
      if (isPublic) return;
      throw new DomainError(
        'forbidden',
        'second_factor_enrolment_required',
        'Set up an authenticator app before you continue.',
      );
    }
    if (s.stage !== 'full') return;
    req.trustContext = new TrustContext(
      services,
      s.member,
      { id: s.sessionId, hash: s.hash },
      originOf(req),
    );
  });
}
