// Security-key (WebAuthn) routes: register a key, and use one — to finish signing in or to step
// up (elevate.ts). The challenges stay server-side on the session (security-keys.ts).
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { responses } from '../../shared/schemas/common.ts';
import {
  SecurityKeyOptions,
  SecurityKeyRegistered,
  SecurityKeyResponse,
  SessionInfo,
} from '../../shared/schemas/identity.ts';
import {
  authenticationOptionsFor,
  registerSecurityKey,
  registrationOptionsFor,
  relyingParty,
  securityKeyCheck,
} from './security-keys.ts';
import { verifyAndElevate } from './elevate.ts';
import { afterIssue, presentSession } from './issue.ts';
import { sessionOf } from './sessions.ts';
import { sendSecurityNotice } from './security-notice.ts';

export function registerWebAuthnRoutes(app: App, services: Services): void {
  const rp = relyingParty(services);
  /** Reachable by a session still waiting for its second factor. */
  const pending = { pendingOk: true };
  /** The routes a session that must first set up a second factor may use (issue 3). */
  const enrolment = { enrolOk: true };

  app.post(
    '/api/auth/webauthn/register/options',
    {
      config: enrolment,
      schema: {
        tags: ['auth'],
        summary: 'Start registering a security key',
        response: responses({ 200: SecurityKeyOptions }),
      },
    },
    async (req) => registrationOptionsFor(ctx(req), rp, sessionOf(req)),
  );

  app.post(
    '/api/auth/webauthn/register',
    {
      config: enrolment,
      schema: {
        tags: ['auth'],
        summary:
          'Finish registering a security key (the first factor also brings recovery codes and elevates the session)',
        body: SecurityKeyResponse,
        response: responses({ 201: SecurityKeyRegistered }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      const out = await registerSecurityKey(c, req, rp, sessionOf(req), req.body);
      await sendSecurityNotice(services, sessionOf(req).email, 'second_factor');
      const user = out.issued
        ? await afterIssue(services, reply, out.issued, sessionOf(req).email, services.clock.now())
        : null;
      const session = user ? await c.tx((t) => presentSession(t, user)) : null;
      return reply.status(201).send({ id: out.id, recoveryCodes: out.recoveryCodes, session });
    },
  );

  app.post(
    '/api/auth/verify/webauthn/options',
    {
      config: pending,
      schema: {
        tags: ['auth'],
        summary: 'Start using a security key',
        response: responses({ 200: SecurityKeyOptions }),
      },
    },
    async (req) => authenticationOptionsFor(ctx(req), rp, sessionOf(req).sessionId),
  );

  app.post(
    '/api/auth/verify/webauthn',
    {
      config: pending,
      schema: {
        tags: ['auth'],
        summary: 'Use a security key',
        body: SecurityKeyResponse,
        response: responses({ 200: SessionInfo }),
      },
    },
    async (req, reply) => {
      const sessionId = sessionOf(req).sessionId;
      const user = await verifyAndElevate(services, req, reply, 'webauthn', (t) =>
        securityKeyCheck(t, rp, sessionId, req.body.response),
      );
      return ctx(req).tx((t) => presentSession(t, user));
    },
  );
}
