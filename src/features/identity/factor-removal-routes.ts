// A member's own second factors: list their security keys, and remove a key or the authenticator
// app. Removing needs an elevated session (a second factor given in the last few minutes), so a
// session left open on a shared computer cannot strip the account's protection. A school that
// requires a second factor for this member never lets them remove their last one: they add another
// first. Removing the last factor (where allowed) also removes the recovery codes that backed it.
// Every removal is audited as auth.second_factor_removed; another member's key is simply not found.
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx, type Tx } from '../../core/context.ts';
import { ErrorBody, IdParams, responses } from '../../shared/schemas/common.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { requireElevated } from '../../core/access/step-up.ts';
import { factorSummary, hasFactor, removeAllFactors, removeTotp } from './second-factor.ts';
import { secondFactorRequired } from './issue.ts';
import { sessionOf, type SessionUser } from './sessions.ts';

const SecurityKey = Type.Object({
  id: Type.String(),
  label: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

/** After a removal: refuse (rolling it back) if the school requires a factor and none is left. */
async function keepOneIfRequired(user: SessionUser, t: Tx): Promise<void> {
  const left = await factorSummary(t, t.actor.userId);
  if (hasFactor(left)) return;
  if (secondFactorRequired(user)) {
    throw new DomainError(
      'conflict',
      'last_second_factor',
      'Your school requires a second factor for your account. Add another security key or an authenticator app before removing this one.',
    );
  }
  await removeAllFactors(t, t.actor.userId); // the recovery codes went with the last factor
}

export function registerFactorRemovalRoutes(app: App, _services: Services): void {
  app.get(
    '/api/auth/security-keys',
    {
      schema: {
        tags: ['auth'],
        summary: 'My security keys',
        response: responses({ 200: Type.Object({ items: Type.Array(SecurityKey) }) }),
      },
    },
    async (req) =>
      ctx(req).tx(async (t) => {
        const rows = await t.q<{
          id: string;
          label: string;
          created_at: Date;
          last_used_at: Date | null;
        }>(
          `SELECT id, label, created_at, last_used_at FROM webauthn_credentials
           WHERE user_id = $1 AND removed_at IS NULL ORDER BY created_at, id`,
          [t.actor.userId],
        );
        return {
          items: rows.map((r) => ({
            id: r.id,
            label: r.label,
            createdAt: r.created_at.toISOString(),
            lastUsedAt: r.last_used_at?.toISOString() ?? null,
          })),
        };
      }),
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
      await c.tx(async (t) => {
        const [gone] = await t.q<{ id: string }>(
          `UPDATE webauthn_credentials SET removed_at = $3
           WHERE id = $1 AND user_id = $2 AND removed_at IS NULL RETURNING id`,
          [req.params.id, t.actor.userId, t.now],
        );
        if (!gone) throw notFound('That security key');
        await keepOneIfRequired(sessionOf(req), t);
        await t.audit({
          action: 'auth.second_factor_removed',
          targetType: 'user',
          targetId: t.actor.userId,
          details: { method: 'webauthn', key: gone.id },
        });
      });
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
      await c.tx(async (t) => {
        const before = await factorSummary(t, t.actor.userId);
        if (!before.totp) throw notFound('An authenticator app on your account');
        await removeTotp(t, t.actor.userId);
        await keepOneIfRequired(sessionOf(req), t);
        await t.audit({
          action: 'auth.second_factor_removed',
          targetType: 'user',
          targetId: t.actor.userId,
          details: { method: 'totp' },
        });
      });
      return reply.status(204).send(null);
    },
  );
}
