// Asking for approval (issue 11, finding 3). A change that would add someone to the DSL team or
// give anyone view of a restricted category is not applied by the administrator who makes it: it
// is recorded as a pending request, the DSL team and the headteacher are alerted (the alert and
// its email hold nothing but "something to look at"), and it takes effect only when one of them
// approves it (approvals.ts). Asking again for the same change replaces the earlier request.
import type { Tx } from '../../core/context.ts';
import { APPROVER_GROUP_KEYS, type ApprovalReason } from '../../core/access/approvers.ts';
import { raiseAlerts } from '../alerts/service.ts';
import type { AwaitingApproval } from '../../shared/schemas/administration.ts';

export type AccessChange =
  | { kind: 'membership'; userId: string; groupId: string }
  | { kind: 'group'; groupId: string; input: object }
  | { kind: 'category_access'; groupId: string; categoryId: string; access: string };

/** A request's alerts, acknowledged for everyone they reached once it is decided or replaced. */
export async function settleAlerts(t: Tx, requestId: string): Promise<void> {
  await t.q(
    `UPDATE alerts SET acknowledged_at = $2
     WHERE target_type = 'access_request' AND target_id = $1 AND acknowledged_at IS NULL`,
    [requestId, t.now],
  );
}

/** The ids of the restricted categories of the school (for the approval rules). */
export async function restrictedCategoryIds(t: Tx): Promise<string[]> {
  const rows = await t.q<{ id: string }>('SELECT id FROM categories WHERE restricted');
  return rows.map((r) => r.id);
}

/**
 * Records a pending request for the change and alerts the approvers. Returns what the caller
 * answers with; the ids of those alerted are kept on the transaction's `alerted` list so the
 * route can email them once the transaction has committed.
 */
export async function askApproval(
  t: Tx,
  change: AccessChange,
  reason: ApprovalReason,
  alerted: string[],
): Promise<AwaitingApproval> {
  const userId = change.kind === 'membership' ? change.userId : null;
  const categoryId = change.kind === 'category_access' ? change.categoryId : null;
  // One request for a group at a time: two administrators asking at once queue here.
  await t.q('SELECT 1 FROM staff_groups WHERE id = $1 FOR UPDATE', [change.groupId]);
  const [earlier] = await t.q<{ id: string }>(
    `UPDATE access_requests SET status = 'superseded', decided_at = $5
     WHERE status = 'pending' AND kind = $1 AND group_id = $2
       AND user_id IS NOT DISTINCT FROM $3 AND category_id IS NOT DISTINCT FROM $4
     RETURNING id`,
    [change.kind, change.groupId, userId, categoryId, t.now],
  );
  const body =
    change.kind === 'group'
      ? change.input
      : change.kind === 'category_access'
        ? { access: change.access }
        : {};
  const [row] = await t.q<{ id: string }>(
    `INSERT INTO access_requests (school_id, kind, user_id, group_id, category_id, change, reason,
       requested_by, requested_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      t.actor.schoolId,
      change.kind,
      userId,
      change.groupId,
      categoryId,
      JSON.stringify(body),
      reason,
      t.actor.userId,
      t.now,
    ],
  );
  const id = row!.id;
  if (earlier) await settleAlerts(t, earlier.id);
  const recipients = await raiseAlerts(t.db, t.actor.schoolId, t.now, {
    kind: 'access_request',
    targetType: 'access_request',
    targetId: id,
    userIds: [],
    groups: APPROVER_GROUP_KEYS,
    exclude: t.actor.userId,
  });
  alerted.push(...recipients);
  await t.audit({
    action: 'access.requested',
    targetType: 'access_request',
    targetId: id,
    details: {
      kind: change.kind,
      reason,
      group: change.groupId,
      ...(userId ? { user: userId } : {}),
      ...(categoryId ? { category: categoryId } : {}),
      ...(change.kind === 'category_access' ? { access: change.access } : {}),
      ...(earlier ? { replaces: earlier.id } : {}),
      alerted: recipients,
    },
  });
  return {
    requestId: id,
    kind: change.kind,
    reason,
    groupId: change.groupId,
    userId,
    categoryId,
  };
}
