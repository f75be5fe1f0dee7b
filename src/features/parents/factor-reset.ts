// A member of staff resets a parent's second factor (issue 21): the parent lost their phone or
// passkey. What this protects: the parent's second step of signing in. Only holders of the
// `parents` capability, elevated, may do it (policy.ts, asked by the route); the reason is kept
// in the audit trail for staff and never shown or sent to the parent. The authenticator app is
// deleted and the passkeys removed (the next sign-in can only set up a new factor: sign-in.ts
// finds none confirmed), every session of the parent ends, and the parent is emailed that it
// happened — no detail, no reason, no child — in the same transaction (sent only if it commits).
// Reuses the staff reset's shape (administration/users.ts resetSecondFactor). To change safely:
// keep the deletion, the session ending, the email and the audit in one transaction.
import { sendInvitation } from './invitations.ts';
import type { Services } from '../../platform/services.ts';
import type { Tx } from '../../core/context.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { queueParentMail } from './emails.ts';
import type { FactorResetReason } from '../../shared/factor-reset.ts';
import { endParentSessions } from './sessions.ts';

export async function resetParentSecondFactor(
  t: Tx,
  services: Pick<Services, 'config' | 'log'>,
  invitationId: string,
  reason: FactorResetReason,
): Promise<{ sessionsEnded: number }> {
  const [inv] = await t.q<{ status: string; parent_id: string | null }>(
    'SELECT status, parent_id FROM parent_invitations WHERE id = $1 FOR UPDATE',
    [invitationId],
  );
  if (!inv) throw notFound('That invitation');
  if (inv.status !== 'accepted' || !inv.parent_id) {
    throw new DomainError(
      'conflict',
      'not_accepted',
      'This parent has no account yet, so there is no second factor to reset.',
    );
  }
  const parentId = inv.parent_id;
  const [account] = await t.q<{ email: string }>(
    'SELECT email FROM parent_accounts WHERE id = $1 FOR UPDATE',
    [parentId],
  );
  if (!account) throw notFound('That parent');
  const apps = await t.q('DELETE FROM parent_totp WHERE parent_id = $1 RETURNING parent_id', [
    parentId,
  ]);
  const keys = await t.q(
    `UPDATE parent_webauthn_credentials SET removed_at = $2
     WHERE parent_id = $1 AND removed_at IS NULL RETURNING id`,
    [parentId, t.now],
  );
  // The recovery codes backed the factors just removed: a new set comes with the next one.
  await t.q('DELETE FROM parent_recovery_codes WHERE parent_id = $1', [parentId]);
  // The password goes too, and the invitation is sent again: a new factor can then be set up only
  // through the emailed link and the child's date of birth, as at first, never with a password
  // someone else may know (an ex-partner who phoned the office claiming a lost phone).
  await t.q('UPDATE parent_accounts SET password_hash = NULL WHERE id = $1', [parentId]);
  await sendInvitation(t, services, { invitationId, email: account.email, reminder: 0 });
  const sessionsEnded = await endParentSessions(t.db, parentId, 'second_factor_reset', t.now);
  await queueParentMail(
    t.db,
    services,
    { template: 'second_factor_reset', to: account.email },
    t.now,
  );
  await t.audit({
    action: 'parent.second_factor_reset',
    targetType: 'parent',
    targetId: parentId,
    details: {
      reason,
      sessionsEnded,
      authenticatorApp: apps.length > 0,
      passkeys: keys.length,
    },
  });
  return { sessionsEnded };
}
