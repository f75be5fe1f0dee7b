// The parents' hook (issue 21): every route declaring `config: { parent: true }` (all under
// /api/parent/) is answered here, never by the staff hook. The parent's own cookie (never the staff
// one) is resolved into `req.parentContext` (src/core/parent-context.ts); a parent route is
// signed-in only unless it also declares `public: true`; a state-changing request must carry the
// parent session's CSRF token. A session waiting for its second factor reaches only `pendingOk`
// routes, one that must set one up only `enrolOk` routes: every parent has a second factor before
// anything else is reachable. On any other route the parent cookie is ignored (the staff hook then
// answers 401). To change safely: keep the parent check first in both hooks, and keep this hook
// from ever setting `req.context` or `req.auth`.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../platform/services.ts';
import { originOf, visitor } from '../core/context.ts';
import { ParentContext } from '../core/parent-context.ts';
import { DomainError, unauthorised } from '../core/errors.ts';
import {
  clearParentCookie,
  endParentSession,
  parentCookieName,
  resolveParentSession,
  type ParentSession,
} from '../features/parents/sessions.ts';
import { refuseForgedRequest } from './request-context.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The parent's session on a parent route (any stage); null otherwise. */
    parentSession: ParentSession | null;
  }
}

export function installParentContext(app: FastifyInstance, services: Services): void {
  app.decorateRequest('parentContext', null);
  app.decorateRequest('parentSession', null);
  app.addHook('onRequest', async (req, reply) => {
    const config = req.routeOptions.config;
    if (config?.parent !== true) return;
    const token = req.cookies[parentCookieName(services.config)];
    if (token) {
      const found = await resolveParentSession(services, token, services.clock.now());
      if (found.state === 'active') req.parentSession = found.session;
      else {
        if (found.state === 'ended') {
          await visitor(services, originOf(req)).inSchool(found.schoolId, async (t) => {
            if (!(await endParentSession(t.db, found.sessionId, found.reason, t.now))) return;
            await t.audit({
              action: 'parent.session_ended',
              targetType: 'parent',
              targetId: found.parentId,
              details: { reason: found.reason },
            });
          });
        }
        clearParentCookie(reply, services);
      }
    }
    const s = req.parentSession;
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
    // Only a full session (second factor given) reaches a child: parentCtx() is 401 otherwise.
    if (s.stage !== 'full') return;
    req.parentContext = new ParentContext(
      services,
      { parentId: s.parentId, schoolId: s.schoolId, contactId: s.contactId, name: s.name },
      s.sessionId,
      originOf(req),
    );
  });
}
