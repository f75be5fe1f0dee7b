// A member's own second factors: list their security keys, and remove a key or the authenticator
// app (factor-removal.ts). Removing needs an elevated session (a second factor given in the last
// few minutes), so a session left open on a shared computer cannot strip the account's protection.
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { requireElevated } from '../../core/access/step-up.ts';
import { ErrorBody, IdParams, responses } from '../../shared/schemas/common.ts';
import { SecurityKeyList } from '../../shared/schemas/identity.ts';
import { removeAuthenticatorApp, removeSecurityKey } from './factor-removal.ts';
import { listSecurityKeys } from './security-keys.ts';
import { sessionOf } from './sessions.ts';
import { sendSecurityNotice } from './security-notice.ts';

export function registerFactorRemovalRoutes(app: App, services: Services): void {
  app.get(
    '/api/auth/security-keys',
    {
      schema: {
        tags: ['auth'],
        summary: 'My security keys',
        response: responses({ 200: SecurityKeyList }),
      },
    },
    async (req) => ctx(req).tx(listSecurityKeys),
  );

  app.post(
    '/api/auth/security-keys/:id/remove',
    {
      schema: {
        tags: ['auth'],
        summary: 'Remove one of my security keys (needs a recent second factor)',
        params: IdParams,
        response: responses({ 204: Type.Null(), 409: ErrorBody }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireElevated(c.actor);
      await c.tx((t) => removeSecurityKey(t, sessionOf(req), req.params.id));
      await sendSecurityNotice(services, sessionOf(req).email, 'second_factor');
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/auth/totp/remove',
    {
      schema: {
        tags: ['auth'],
        summary: 'Remove my authenticator app (needs a recent second factor)',
        response: responses({ 204: Type.Null(), 409: ErrorBody }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireElevated(c.actor);
      await c.tx((t) => removeAuthenticatorApp(t, sessionOf(req)));
      await sendSecurityNotice(services, sessionOf(req).email, 'second_factor');
      return reply.status(204).send(null);
    },
  );
}
