// Passwords by emailed link (invitation and forgotten password) and changing my own password.
// Asking for a link answers the same whether or not the account exists; the email says only that
// a link was asked for. Setting a password enforces the school's policy and ends every session.
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { inPlatform, inSchool, PLATFORM_SCHOOL_ID } from '../../platform/db/tenancy.ts';
import { appendAudit } from '../../platform/audit/chain.ts';
import { auditActorOf, originOf, ctx } from '../../core/context.ts';
import { badRequest, DomainError } from '../../core/errors.ts';
import { ErrorBody, responses } from '../../shared/schemas/common.ts';
import { findLink, spendLink } from './links.ts';
import { setPassword } from './passwords.ts';
import { schoolSettings, SESSION_COOKIE, sessionOf } from './sessions.ts';
import { verifyPassword } from './password-hash.ts';
import { sendResetLink } from './invitations.ts';
import {
  accountKey,
  addressKey,
  checkThrottle,
  recordFailure,
  throttleMessage,
} from './throttle.ts';

const NewPassword = Type.String({ minLength: 1, maxLength: 1024 });
const LINK_REFUSED = 'This link has expired or has already been used. Ask for a new one.';

export function registerAccountRoutes(app: App, services: Services): void {
  app.post(
    '/api/auth/forgotten-password',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Email a single-use link to set a new password (same answer for any email)',
        body: Type.Object(
          { email: Type.String({ minLength: 3, maxLength: 254 }) },
          { additionalProperties: false },
        ),
        response: { 202: Type.Null(), 400: ErrorBody, 429: ErrorBody },
      },
    },
    async (req, reply) => {
      const now = services.clock.now();
      const email = req.body.email.trim().toLowerCase();
      const keys = [accountKey(`reset:${email}`), addressKey(`reset:${req.ip}`)];
      const throttled = await inSchool(services.db, PLATFORM_SCHOOL_ID, async (tx) => {
        const s = await checkThrottle(tx, keys, now);
        // Each request counts, so links cannot be used to flood someone's inbox.
        if (s.ok)
          for (const [i, k] of keys.entries())
            await recordFailure(tx, k, i === 0 ? 'account' : 'address', now);
        return s;
      });
      if (!throttled.ok)
        throw new DomainError('too_many_attempts', 'too_many_attempts', throttleMessage(throttled));
      await sendResetLink(services, req, email, now);
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
        body: Type.Object(
          { token: Type.String({ minLength: 1, maxLength: 200 }), password: NewPassword },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (req, reply) => {
      const now = services.clock.now();
      const link = await findLink(services.db, req.body.token);
      if (!link) throw badRequest(LINK_REFUSED, 'link_refused');
      const refused = await inSchool(services.db, link.schoolId, async (tx) => {
        const problem = await spendLink(tx, link.linkId, now);
        if (problem) return problem;
        const [user] = await tx.query<{
          id: string;
          email: string;
          name: string;
          disabled_at: Date | null;
          activated_at: Date | null;
        }>('SELECT id, email, name, disabled_at, activated_at FROM users WHERE id = $1', [
          link.userId,
        ]);
        if (!user || user.disabled_at) return 'disabled' as const;
        const settings = await schoolSettings(tx, link.schoolId);
        await setPassword(tx, {
          schoolId: link.schoolId,
          user,
          password: req.body.password,
          policy: settings.passwordPolicy,
          now,
        });
        const actor = {
          ...auditActorOf(originOf(req), null),
          actorId: user.id,
          actorLabel: user.name,
        };
        await appendAudit(
          tx,
          link.schoolId,
          actor,
          {
            action: 'auth.password_changed',
            targetType: 'user',
            targetId: user.id,
            details: { by: 'link' },
          },
          now,
        );
        if (!user.activated_at) {
          // An invitation accepted: the account exists in earnest from now on.
          await appendAudit(
            tx,
            link.schoolId,
            actor,
            { action: 'user.activated', targetType: 'user', targetId: user.id },
            now,
          );
        }
        await tx.query(
          'UPDATE sign_in_throttle SET locked_until = NULL, next_allowed_at = $2 WHERE key_hash = $1',
          [accountKey(user.email), now],
        );
        return null;
      });
      if (refused) {
        await inSchool(services.db, link.schoolId, (tx) =>
          appendAudit(
            tx,
            link.schoolId,
            auditActorOf(originOf(req), null),
            {
              action: 'auth.link_refused',
              targetType: 'user',
              targetId: link.userId,
              details: { reason: refused },
            },
            now,
          ),
        );
        throw badRequest(LINK_REFUSED, 'link_refused');
      }
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/auth/password',
    {
      schema: {
        tags: ['auth'],
        summary: 'Change my password (every session ends; sign in again)',
        body: Type.Object(
          { currentPassword: NewPassword, newPassword: NewPassword },
          { additionalProperties: false },
        ),
        response: responses({ 204: Type.Null(), 429: ErrorBody }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      // The current password is checked like a sign-in: throttled on the account, and a wrong
      // one counts, so a session left open cannot be used to guess the password at full speed.
      const key = accountKey(sessionOf(req).email);
      const throttled = await inPlatform(services.db, (tx) =>
        checkThrottle(tx, [key], services.clock.now()),
      );
      if (!throttled.ok)
        throw new DomainError('too_many_attempts', 'too_many_attempts', throttleMessage(throttled));
      const changed = await c.tx(async (t) => {
        const [user] = await t.q<{
          id: string;
          email: string;
          name: string;
          password_hash: string | null;
        }>('SELECT id, email, name, password_hash FROM users WHERE id = $1', [t.actor.userId]);
        if (
          !user?.password_hash ||
          !(await verifyPassword(user.password_hash, req.body.currentPassword))
        ) {
          return false;
        }
        const settings = await schoolSettings(t.db, t.actor.schoolId);
        await setPassword(t.db, {
          schoolId: t.actor.schoolId,
          user,
          password: req.body.newPassword,
          policy: settings.passwordPolicy,
          now: t.now,
        });
        await t.audit({
          action: 'auth.password_changed',
          targetType: 'user',
          targetId: user.id,
          details: { by: 'self' },
        });
        return true;
      });
      if (!changed) {
        await c.tx((t) => recordFailure(t.db, key, 'account', t.now));
        throw badRequest('Your current password is not right.', 'wrong_password');
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );
}
