// A case's actions and referrals (issue 14): listed with their state on the case page, and
// settled when the case closes — each one still open is completed, cancelled with a reason, or
// kept open, as the DSL chose, in the closing transaction (a refusal leaves the case open and
// everything as it was). A kept-open action stays on its assignee's "My actions", marked as
// belonging to a closed case (ActionView.caseClosed), never left there unawares.
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { badRequest } from '../../core/errors.ts';
import type { CaseClosure } from '../../shared/schemas/cases.ts';
import type { ActionView } from '../../shared/schemas/actions.ts';
import type { ReferralView } from '../../shared/schemas/referrals.ts';
import {
  actionsVisibleWhere,
  auditActionsShown,
  presentActions,
  SELECT_ACTIONS,
  type ActionRow,
} from '../actions/service.ts';
import {
  auditReferralsShown,
  presentReferrals,
  SELECT_REFERRALS,
  setReferralStatus,
} from '../referrals/service.ts';
import { referralTouchesGranted } from '../referrals/policy.ts';

type ReferralRow = Parameters<typeof presentReferrals>[1][number];

/** Every action and referral of the case the viewer may see, audited as shown. */
export async function caseWork(
  t: Tx,
  caseId: string,
): Promise<{ actions: ActionView[]; referrals: ReferralView[] }> {
  const vis = actionsVisibleWhere(t, 2);
  const actionRows = await t.q<ActionRow>(
    `${SELECT_ACTIONS} WHERE a.case_id = $1 AND ${vis.sql} ORDER BY a.created_at DESC`,
    [caseId, ...vis.params],
  );
  const touch = referralTouchesGranted(t.actor, 2);
  const referralRows = await t.q<ReferralRow>(
    `${SELECT_REFERRALS} WHERE r.case_id = $1 AND ${touch.sql} ORDER BY r.referred_at DESC`,
    [caseId, ...touch.params],
  );
  const actions = await presentActions(t, actionRows);
  const referrals = await presentReferrals(t, referralRows);
  await auditActionsShown(t, actions);
  await auditReferralsShown(t, referrals);
  return { actions, referrals };
}

type Choice = NonNullable<CaseClosure['openWork']>[number];

/**
 * Applies the DSL's choice for each action and referral still open on the case. Every open one
 * must have a choice, a cancellation a reason, and nothing else may be named: otherwise a 400
 * naming the field, before anything is written.
 */
export async function settleOpenWork(
  t: Tx,
  caseId: string,
  choices: readonly Choice[],
): Promise<void> {
  // Locked until the case closes: an assignee completing an action meanwhile waits, then finds
  // it settled (already complete, or cancelled), rather than either answer overwriting the other.
  const open = [
    ...(await t.q<{ kind: 'action'; id: string }>(
      `SELECT 'action' AS kind, id FROM actions
       WHERE case_id = $1 AND completed_at IS NULL AND cancelled_at IS NULL FOR UPDATE`,
      [caseId],
    )),
    ...(await t.q<{ kind: 'referral'; id: string }>(
      `SELECT 'referral' AS kind, id FROM referrals
       WHERE case_id = $1 AND closed_at IS NULL FOR UPDATE`,
      [caseId],
    )),
  ];
  const key = (w: { kind: string; id: string }) => `${w.kind}:${w.id}`;
  const byKey = new Map(choices.map((c) => [key(c), c]));
  if (byKey.size !== choices.length) {
    throw badRequest(
      'Each open action and referral is answered once (field "openWork").',
      'open_work',
    );
  }
  const openKeys = new Set(open.map(key));
  const unanswered = open.filter((w) => !byKey.has(key(w))).length;
  if (unanswered > 0) {
    throw badRequest(
      `Say what happens to each open action and referral before the case closes: ${unanswered} ${
        unanswered === 1 ? 'is' : 'are'
      } not answered (field "openWork").`,
      'open_work',
    );
  }
  if (choices.some((c) => !openKeys.has(key(c)))) {
    throw badRequest(
      'An action or referral named is not open on this case (field "openWork").',
      'open_work',
    );
  }
  if (choices.some((c) => c.choice === 'cancel' && !c.reason?.trim())) {
    throw badRequest('Give the reason for each cancellation (field "openWork").', 'open_work');
  }
  const sealer = await t.sealer();
  for (const c of choices) {
    const reason = c.reason?.trim() ?? '';
    switch (c.choice) {
      case 'keep_open':
        break;
      case 'complete':
        if (c.kind === 'action') {
          await t.q(
            'UPDATE actions SET completed_at = $2, completed_by = $3, outcome = $4 WHERE id = $1',
            [
              c.id,
              t.now,
              t.actor.userId,
              sealer.seal('actions.outcome', c.id, reason || 'Completed when the case was closed.'),
            ],
          );
          await t.audit({ action: 'action.completed', targetType: 'action', targetId: c.id });
        } else {
          await setReferralStatus(t, c.id, 'closed');
        }
        break;
      case 'cancel':
        if (c.kind === 'action') {
          await t.q(
            'UPDATE actions SET cancelled_at = $2, cancelled_by = $3, outcome = $4 WHERE id = $1',
            [c.id, t.now, t.actor.userId, sealer.seal('actions.outcome', c.id, reason)],
          );
          await t.audit({
            action: 'action.cancelled',
            targetType: 'action',
            targetId: c.id,
            details: { case: caseId },
          });
        } else {
          // The reason is kept on the referral's own history, then it is closed.
          const id = randomUUID();
          await t.q(
            `INSERT INTO referral_followups (id, school_id, referral_id, kind, at, by_id, note)
             VALUES ($1, $2, $3, 'other', $4, $5, $6)`,
            [
              id,
              t.actor.schoolId,
              c.id,
              t.now,
              t.actor.userId,
              sealer.seal(
                'referral_followups.note',
                id,
                `Cancelled when the case was closed: ${reason}`,
              ),
            ],
          );
          await t.audit({
            action: 'referral.followup_added',
            targetType: 'referral',
            targetId: c.id,
          });
          await setReferralStatus(t, c.id, 'closed');
        }
        break;
      default: {
        const never: never = c.choice;
        throw new Error(`unknown choice ${String(never)}`);
      }
    }
  }
}
