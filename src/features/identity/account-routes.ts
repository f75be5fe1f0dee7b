// Passwords by emailed link (invitation and forgotten password) and changing my own password
// (passwords.ts, invitations.ts). Asking for a link answers the same, after the same work, whether
// or not the account exists: the link and its email are made by the deferred-work worker after
// the answer (deferred-work.ts), as are the change notices; the email says only that a link was
// asked for.
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx, originOf, visitor } from '../../core/context.ts';
import { ErrorBody, responses } from '../../shared/schemas/common.ts';
import {
  ForgottenPassword,
  PasswordChange,
  SetPasswordWithLink,
} from '../../shared/schemas/identity.ts';
import { changeOwnPassword, setPasswordWithLink } from './passwords.ts';
import { sessionOf } from './sessions.ts';
import { clearSessionCookie } from './issue.ts';
import { requestPasswordReset } from './invitations.ts';
import { sendSecurityNotice } from './security-notice.ts';

export function registerAccountRoutes(app: App, services: Services): void {
  app.post(
    '/api/auth/forgotten-password',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Email a single-use link to set a new password (same answer for any email)',
        body: ForgottenPassword,
        response: { 202: Type.Null(), 400: ErrorBody, 429: ErrorBody },
      },
    },
    async (req, reply) => {
      await requestPasswordReset(services, visitor(services, originOf(req)), req.body.email);
      return reply.status(202).send(null);
    },
  );

  app.post(
    '/api/auth/set-password',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Set a password with an emailed single-use link',
        body: SetPasswordWithLink,
        response: { 204: Type.Null(), 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (req, reply) => {
      const door = visitor(services, originOf(req));
      const set = await setPasswordWithLink(door, req.body.token, req.body.password);
      // A reset tells the holder; an invitation's first password changes nothing they had.
      if (set.reset) await sendSecurityNotice(services, set.email, 'password');
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/auth/password',
    {
      schema: {
        tags: ['auth'],
        summary: 'Change my password (every session ends; sign in again)',
        body: PasswordChange,
        response: responses({ 204: Type.Null(), 429: ErrorBody }),
      },
    },
    async (req, reply) => {
      const { email } = sessionOf(req);
      await changeOwnPassword(ctx(req), email, req.body);
      clearSessionCookie(reply, services);
      await sendSecurityNotice(services, email, 'password');
      return reply.status(204).send(null);
    },
  );
}
