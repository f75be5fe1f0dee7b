// Actions on a record or a pupil: type, assignee, due date, reminder, completion with an outcome.
// Who sees and completes which is policy.ts (the DSL team every action, anyone else
// their own, and nobody with a password alone; an action on a restricted matter only for those
// granted it). Text and outcome are sealed; the text's words are indexed as HMAC tokens for search.
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { badRequest, conflict, notFound } from '../../core/errors.ts';
import type { ActionType, ActionView, NewAction } from '../../shared/schemas/actions.ts';
import { actionAllowed, actionsVisibleWhere, actionTouchesGranted } from './policy.ts';
import { actionState, sortActionsForDashboard } from './rules.ts';
import { blindDocument, INDEX_VERSION } from '../search/blind-index.ts';
import { requireLinkableConcern, shareLinkableCase, staffSeesMatter } from '../cases/service.ts';

export async function createAction(t: Tx, a: NewAction): Promise<string> {
  const text = a.text.trim();
  if (!text) throw badRequest('Describe the action.', 'empty_text');
  const [pupil] = await t.q('SELECT id FROM pupils WHERE id = $1', [a.pupilId]);
  if (!pupil) throw badRequest('That pupil was not found.', 'unknown_pupil');
  const [assignee] = await t.q('SELECT id FROM users WHERE id = $1 AND disabled_at IS NULL', [
    a.assigneeId,
  ]);
  if (!assignee) throw badRequest('The assignee was not found.', 'unknown_staff');
  // A concern or case on a restricted matter the member is not granted reads as unknown.
  if (a.concernId) await requireLinkableConcern(t, a.concernId);
  if (a.caseId) await shareLinkableCase(t, a.caseId);
  // Nor is an action on one given to someone it would be withheld from: it would vanish.
  if (!(await staffSeesMatter(t, a.assigneeId, { concernId: a.concernId, caseId: a.caseId })))
    throw badRequest(
      'That member of staff is not granted the restricted category this action is about, so they could not see it. Choose someone who is.',
      'assignee_not_granted',
    );
  const id = randomUUID();
  const sealer = await t.sealer();
  await t.q(
    `INSERT INTO actions (id, school_id, pupil_id, concern_id, case_id, type, text, assignee_id,
       created_by, created_at, due_at, remind_at, search_tokens, index_version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, ${INDEX_VERSION})`,
    [
      id,
      t.actor.schoolId,
      a.pupilId,
      a.concernId ?? null,
      a.caseId ?? null,
      a.type,
      sealer.seal('actions.text', id, text),
      a.assigneeId,
      t.actor.userId,
      t.now,
      a.dueAt ? new Date(a.dueAt) : null,
      a.remindAt ? new Date(a.remindAt) : null,
      blindDocument(sealer.searchKey, text),
    ],
  );
  await t.audit({
    action: 'action.created',
    targetType: 'action',
    targetId: id,
    details: { pupil: a.pupilId },
  });
  return id;
}

export type ActionRow = {
  id: string;
  pupil_id: string;
  pupil_name: string;
  concern_id: string | null;
  case_id: string | null;
  type: ActionType;
  text: Buffer;
  assignee_id: string;
  assignee_name: string;
  created_by: string;
  created_at: Date;
  due_at: Date | null;
  remind_at: Date | null;
  completed_at: Date | null;
  outcome: Buffer | null;
  cancelled_at: Date | null;
  case_status: string | null;
};

export const SELECT_ACTIONS = `
  SELECT a.id, a.pupil_id, coalesce(p.preferred_name, p.first_name) || ' ' || p.last_name AS pupil_name,
         a.concern_id, a.case_id, a.type, a.text, a.assignee_id, u.name AS assignee_name,
         a.created_by, a.created_at, a.due_at, a.remind_at, a.completed_at, a.outcome,
         a.cancelled_at, (SELECT cs.status FROM cases cs WHERE cs.id = a.case_id) AS case_status
  FROM actions a JOIN pupils p ON p.id = a.pupil_id JOIN users u ON u.id = a.assignee_id`;

export { actionsVisibleWhere } from './policy.ts';

export async function presentActions(t: Tx, rows: ActionRow[]): Promise<ActionView[]> {
  const sealer = await t.sealer();
  const timed = rows.map((r) => ({
    row: r,
    id: r.id,
    dueAt: r.due_at,
    completedAt: r.completed_at,
    createdAt: r.created_at,
    cancelledAt: r.cancelled_at,
  }));
  return sortActionsForDashboard(timed, t.now).map(({ row: r }) => {
    const state = actionState(
      {
        id: r.id,
        dueAt: r.due_at,
        completedAt: r.completed_at,
        createdAt: r.created_at,
        cancelledAt: r.cancelled_at,
      },
      t.now,
    );
    const done = r.completed_at ?? r.cancelled_at;
    return {
      id: r.id,
      pupil: { id: r.pupil_id, name: r.pupil_name },
      concernId: r.concern_id,
      caseId: r.case_id,
      type: r.type,
      text: sealer.open('actions.text', r.id, r.text),
      assignee: { id: r.assignee_id, name: r.assignee_name },
      createdAt: r.created_at.toISOString(),
      dueAt: r.due_at?.toISOString() ?? null,
      remindAt: r.remind_at?.toISOString() ?? null,
      completedAt: r.completed_at?.toISOString() ?? null,
      outcome: r.outcome ? sealer.open('actions.outcome', r.id, r.outcome) : null,
      cancelledAt: r.cancelled_at?.toISOString() ?? null,
      // Kept open when its case closed: said on "My actions", never left there unawares.
      caseClosed: done === null && r.case_status !== null && r.case_status !== 'open',
      state,
      overdue: state === 'overdue',
      allowed: actionAllowed(t.actor, { assigneeId: r.assignee_id, completedAt: done }),
    };
  });
}

/**
 * How many open actions wait for the actor: all the first tier may know of them. Those on a
 * restricted matter the actor is not granted are not counted, as the list does not show them.
 */
export async function countMyOpenActions(t: Tx): Promise<number> {
  const touch = actionTouchesGranted(t, 2);
  const [row] = await t.q<{ n: number | string }>(
    `SELECT count(*) AS n FROM actions a
     WHERE a.assignee_id = $1 AND a.completed_at IS NULL AND a.cancelled_at IS NULL
       AND ${touch.sql}`,
    [t.actor.userId, ...touch.params],
  );
  return Number(row?.n ?? 0);
}

export async function listActions(
  t: Tx,
  opts: { mine: boolean; pupilId?: string; limit: number },
): Promise<ActionView[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  if (opts.mine) {
    params.push(t.actor.userId);
    where.push(`a.assignee_id = $${params.length}`);
  }
  if (opts.pupilId) {
    params.push(opts.pupilId);
    where.push(`a.pupil_id = $${params.length}`);
  }
  const vis = actionsVisibleWhere(t, params.length + 1);
  where.push(vis.sql);
  params.push(...vis.params, opts.limit);
  const rows = await t.q<ActionRow>(
    `${SELECT_ACTIONS} WHERE ${where.join(' AND ')}
     ORDER BY (a.completed_at IS NOT NULL OR a.cancelled_at IS NOT NULL), a.due_at NULLS LAST,
       a.created_at LIMIT $${params.length}`,
    params,
  );
  return presentActions(t, rows);
}

/**
 * One audit entry for a list of actions shown (their text is sealed and each names a pupil): the
 * ids shown, in the list's transaction. Nothing shown, nothing to record.
 */
export async function auditActionsShown(
  t: Tx,
  shown: readonly { id: string }[],
  pupilId?: string,
): Promise<void> {
  if (shown.length === 0) return;
  await t.audit({
    action: 'action.listed',
    targetType: pupilId ? 'pupil' : 'action',
    ...(pupilId ? { targetId: pupilId } : {}),
    details: { actions: shown.map((a) => a.id) },
  });
}

export async function completeAction(t: Tx, id: string, outcomeText: string): Promise<ActionView> {
  const vis = actionsVisibleWhere(t, 2);
  const [row] = await t.q<ActionRow>(`${SELECT_ACTIONS} WHERE a.id = $1 AND ${vis.sql}`, [
    id,
    ...vis.params,
  ]);
  if (!row) throw notFound('That action');
  if (row.completed_at) throw badRequest('That action is already complete.', 'already_complete');
  if (row.cancelled_at) throw badRequest('That action was cancelled.', 'already_cancelled');
  if (
    !actionAllowed(t.actor, { assigneeId: row.assignee_id, completedAt: null }).includes('complete')
  )
    throw notFound('That action');
  const outcome = outcomeText.trim();
  if (!outcome) throw badRequest('Record the outcome.', 'empty_outcome');
  const sealer = await t.sealer();
  // Only if it is still open: a case closed meanwhile may have completed or cancelled it.
  const done = await t.q(
    `UPDATE actions SET completed_at = $2, completed_by = $3, outcome = $4
     WHERE id = $1 AND completed_at IS NULL AND cancelled_at IS NULL RETURNING id`,
    [id, t.now, t.actor.userId, sealer.seal('actions.outcome', id, outcome)],
  );
  if (done.length === 0) {
    throw conflict('That action was completed or cancelled meanwhile. Reload to see it.');
  }
  await t.audit({ action: 'action.completed', targetType: 'action', targetId: id });
  const [updated] = await t.q<ActionRow>(`${SELECT_ACTIONS} WHERE a.id = $1`, [id]);
  return (await presentActions(t, [updated!]))[0]!;
}
