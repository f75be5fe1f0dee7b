// Removing a member's own second factors. Protects the account's second tier: the routes require
// an elevated session; a school that requires a second factor for this member never lets them
// remove their last one (the removal is rolled back: they add another first); removing the last
// factor where allowed also removes the recovery codes that backed it. Every removal is audited
// as auth.second_factor_removed; another member's key is simply not found.
import type { Tx } from '../../core/context.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { secondFactorRequired } from '../../core/access/step-up.ts';
import { factorSummary, hasFactor, removeAllFactors, removeTotp } from './second-factor.ts';
import type { SessionUser } from './sessions.ts';

/** After a removal: refuse (rolling it back) if the school requires a factor and none is left. */
async function keepOneIfRequired(t: Tx, user: SessionUser): Promise<void> {
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

export async function removeSecurityKey(t: Tx, user: SessionUser, keyId: string): Promise<void> {
  const [gone] = await t.q<{ id: string }>(
    `UPDATE webauthn_credentials SET removed_at = $3
     WHERE id = $1 AND user_id = $2 AND removed_at IS NULL RETURNING id`,
    [keyId, t.actor.userId, t.now],
  );
  if (!gone) throw notFound('That security key');
  await keepOneIfRequired(t, user);
  await t.audit({
    action: 'auth.second_factor_removed',
    targetType: 'user',
    targetId: t.actor.userId,
    details: { method: 'webauthn', key: gone.id },
  });
}

export async function removeAuthenticatorApp(t: Tx, user: SessionUser): Promise<void> {
  const before = await factorSummary(t, t.actor.userId);
  if (!before.totp) throw notFound('An authenticator app on your account');
  await removeTotp(t, t.actor.userId);
  await keepOneIfRequired(t, user);
  await t.audit({
    action: 'auth.second_factor_removed',
    targetType: 'user',
    targetId: t.actor.userId,
    details: { method: 'totp' },
  });
}
