// Cases: opened from a concern (or for a pupil) with an owner and a review date, joined by later
// concerns, given a new owner or review date while open, closed or marked "no further action"
// only with an outcome and a written rationale (rules.ts), reopened with a reason. Every step is
// an event that stays; outcome and rationale are sealed. What may be done to a case now is
// policy.ts, both here and in each case's `allowed`. A case on a restricted matter the member is
// not granted (caseTouchesGranted) is read, listed and changed by no query here: to them it is
// "not found", like an unknown id.
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { badRequest, conflict, notFound } from '../../core/errors.ts';
import { loadPermissions } from '../../core/access/load.ts';
import type { FieldError } from '../../shared/result.ts';
import type {
  CaseAction,
  CaseChange,
  CaseStatus,
  CaseView,
  NewCase,
} from '../../shared/schemas/cases.ts';
import {
  closeCase as closeRule,
  markNoFurtherAction,
  reopenCase as reopenRule,
  type CaseEvent,
  type CaseState,
} from './rules.ts';
import {
  caseAllowed,
  caseTouchesGranted,
  concernTouchesGranted,
  MAY_OWN_CASES_SQL,
} from './policy.ts';

type CaseRow = {
  id: string;
  pupil_id: string;
  pupil_name: string;
  owner_id: string;
  owner_name: string;
  status: CaseStatus;
  review_on: string | null;
  opened_at: Date;
  outcome: Buffer | null;
  rationale: Buffer | null;
};
type EventRow = {
  id: string;
  kind: 'opened' | 'joined' | 'owner_changed' | 'review_date_changed' | CaseEvent['kind'];
  at: Date;
  by_id: string;
  by_name: string;
  concern_id: string | null;
  owner_id: string | null;
  owner_name: string | null;
  review_on: string | null;
  outcome: Buffer | null;
  rationale: Buffer | null;
};

/** The school's calendar day now (England), for review dates. */
export function schoolDay(now: Date): string {
  return now.toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
}

async function checkOwner(t: Tx, ownerId: string): Promise<void> {
  const [owner] = await t.q(`SELECT 1 FROM users u WHERE u.id = $1 AND ${MAY_OWN_CASES_SQL}`, [
    ownerId,
  ]);
  if (!owner)
    throw badRequest(
      'Choose a case owner from the staff who manage cases (the DSL team by default).',
      'invalid_owner',
    );
}

function checkReviewOn(t: Tx, reviewOn: string | null): string | null {
  if (reviewOn === null) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(reviewOn) || Number.isNaN(Date.parse(reviewOn)))
    throw badRequest('Enter the review date as a date.', 'invalid_review_date');
  if (reviewOn < schoolDay(t.now))
    throw badRequest('The review date cannot be in the past.', 'invalid_review_date');
  return reviewOn;
}

const fieldErrors = (errors: FieldError[]) =>
  badRequest(errors.map((e) => e.message).join('. ') + '.', 'invalid_decision');

async function addEvent(
  t: Tx,
  caseId: string,
  kind: EventRow['kind'],
  extra: {
    concernId?: string;
    ownerId?: string;
    reviewOn?: string | null;
    outcome?: string;
    rationale?: string;
  } = {},
): Promise<void> {
  const id = randomUUID();
  const sealer = await t.sealer();
  await t.q(
    `INSERT INTO case_events (id, school_id, case_id, kind, at, by_id, concern_id, owner_id,
       review_on, outcome, rationale)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      id,
      t.actor.schoolId,
      caseId,
      kind,
      t.now,
      t.actor.userId,
      extra.concernId ?? null,
      extra.ownerId ?? null,
      extra.reviewOn ?? null,
      extra.outcome ? sealer.seal('case_events.outcome', id, extra.outcome) : null,
      extra.rationale ? sealer.seal('case_events.rationale', id, extra.rationale) : null,
    ],
  );
}

export async function openCase(t: Tx, input: NewCase): Promise<string> {
  const [pupil] = await t.q('SELECT id FROM pupils WHERE id = $1', [input.pupilId]);
  if (!pupil) throw badRequest('That pupil was not found.', 'unknown_pupil');
  // Every id is looked up through the tenant context before any row points at it: a foreign key
  // is checked past row-level security, so an unknown id and another school's must read alike.
  if (input.concernId) await requireLinkableConcern(t, input.concernId);
  const ownerId = input.ownerId ?? t.actor.userId;
  await checkOwner(t, ownerId);
  if (input.concernId && !(await staffSeesMatter(t, ownerId, { concernId: input.concernId })))
    throw ownerNotGranted();
  const reviewOn = checkReviewOn(t, input.reviewOn ?? null);
  const id = randomUUID();
  await t.q(
    `INSERT INTO cases (id, school_id, pupil_id, owner_id, review_on, opened_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [id, t.actor.schoolId, input.pupilId, ownerId, reviewOn, t.now],
  );
  await addEvent(t, id, 'opened', {
    ownerId,
    reviewOn,
    ...(input.concernId ? { concernId: input.concernId } : {}),
  });
  await t.audit({
    action: 'case.opened',
    targetType: 'case',
    targetId: id,
    details: { owner: ownerId, reviewOn },
  });
  if (input.concernId) await joinCase(t, id, input.concernId, false);
  return id;
}

const unknownConcern = () => badRequest('That concern was not found.', 'unknown_concern');

/**
 * A concern case work may be attached to (a case, an action, a referral, a conversation): one that
 * exists and whose restricted categories the member is granted. Any other reads as unknown (400
 * unknown_concern), the same answer as an id that does not exist.
 */
export async function requireLinkableConcern(t: Tx, concernId: string): Promise<void> {
  if (!(await concernGranted(t, t.actor, concernId))) throw unknownConcern();
}

/** Whether the concern exists and its restricted categories are all granted to `who`. */
async function concernGranted(
  t: Tx,
  who: Parameters<typeof concernTouchesGranted>[0],
  concernId: string,
): Promise<boolean> {
  const touch = concernTouchesGranted(who, 2, 'k');
  const found = await t.q(`SELECT 1 FROM concerns k WHERE k.id = $1 AND ${touch.sql}`, [
    concernId,
    ...touch.params,
  ]);
  return found.length > 0;
}

/**
 * The case case work is being attached to, locked FOR SHARE (a close or NFA, FOR UPDATE, waits
 * for the attaching, or it for them), when it exists and is not on a restricted matter withheld
 * from the member; otherwise 400 unknown_case, as for an unknown id.
 */
export async function shareLinkableCase(
  t: Tx,
  caseId: string,
): Promise<{ status: CaseStatus; owner_id: string }> {
  const touch = caseTouchesGranted(t.actor, 2);
  const [c] = await t.q<{ status: CaseStatus; owner_id: string }>(
    `SELECT c.status, c.owner_id FROM cases c WHERE c.id = $1 AND ${touch.sql} FOR SHARE OF c`,
    [caseId, ...touch.params],
  );
  if (!c) throw badRequest('That case was not found.', 'unknown_case');
  return c;
}

/**
 * Would this member of staff see case work on this concern or case — are they granted every
 * restricted category it touches? Asked before an action is given to them or a case put in their
 * hands, so nothing is handed to someone who could not see it (it would vanish from their lists).
 */
export async function staffSeesMatter(
  t: Tx,
  userId: string,
  on: { concernId?: string | undefined; caseId?: string | undefined },
): Promise<boolean> {
  if (!on.concernId && !on.caseId) return true;
  const staff = { permissions: await loadPermissions(t.db, userId) };
  if (on.concernId && !(await concernGranted(t, staff, on.concernId))) return false;
  if (on.caseId) {
    const touch = caseTouchesGranted(staff, 2);
    const found = await t.q(`SELECT 1 FROM cases c WHERE c.id = $1 AND ${touch.sql}`, [
      on.caseId,
      ...touch.params,
    ]);
    if (found.length === 0) return false;
  }
  return true;
}

const ownerNotGranted = () =>
  badRequest(
    'That case owner is not granted the restricted category this case is about, so they could not see it. Choose an owner who is.',
    'owner_not_granted',
  );

export async function joinCase(t: Tx, caseId: string, concernId: string, event = true) {
  const c = await shareLinkableCase(t, caseId);
  if (!caseAllowed(t.actor, c).includes('add_concern'))
    throw conflict('That case is closed: reopen it before adding a concern to it.');
  await requireLinkableConcern(t, concernId);
  // The case's owner must still see it once this concern is in it.
  if (!(await staffSeesMatter(t, c.owner_id, { concernId }))) throw ownerNotGranted();
  const updated = await t.q('UPDATE concerns SET case_id = $2 WHERE id = $1 RETURNING id', [
    concernId,
    caseId,
  ]);
  if (updated.length === 0) throw unknownConcern();
  if (event) await addEvent(t, caseId, 'joined', { concernId });
  await t.audit({
    action: 'case.joined',
    targetType: 'case',
    targetId: caseId,
    details: { concern: concernId },
  });
}

async function loadCase(t: Tx, id: string): Promise<{ row: CaseRow; events: EventRow[] }> {
  const touch = caseTouchesGranted(t.actor, 2);
  const [row] = await t.q<CaseRow>(
    `SELECT c.*, coalesce(p.preferred_name, p.first_name) || ' ' || p.last_name AS pupil_name,
            u.name AS owner_name
     FROM cases c JOIN pupils p ON p.id = c.pupil_id JOIN users u ON u.id = c.owner_id
     WHERE c.id = $1 AND ${touch.sql}`,
    [id, ...touch.params],
  );
  if (!row) throw notFound('That case');
  const events = await t.q<EventRow>(
    `SELECT e.*, u.name AS by_name, o.name AS owner_name
     FROM case_events e JOIN users u ON u.id = e.by_id LEFT JOIN users o ON o.id = e.owner_id
     WHERE e.case_id = $1
     ORDER BY e.at, CASE e.kind WHEN 'opened' THEN 0 WHEN 'owner_changed' THEN 1
                                WHEN 'review_date_changed' THEN 2 ELSE 3 END, e.id`,
    [id],
  );
  return { row, events };
}

/** The case without its actions and referrals (view.ts adds them, as those features list them). */
export type CaseCore = Omit<CaseView, 'actions' | 'referrals'>;

export async function getCase(t: Tx, id: string, audit = true): Promise<CaseCore> {
  const { row, events } = await loadCase(t, id);
  if (audit) await t.audit({ action: 'case.viewed', targetType: 'case', targetId: id });
  const sealer = await t.sealer();
  const concerns = await t.q<{ id: string }>(
    'SELECT id FROM concerns WHERE case_id = $1 ORDER BY happened_at',
    [id],
  );
  return {
    id: row.id,
    pupil: { id: row.pupil_id, name: row.pupil_name },
    owner: { id: row.owner_id, name: row.owner_name },
    status: row.status,
    reviewOn: row.review_on,
    reviewDue: isReviewDue(t, row),
    openedAt: row.opened_at.toISOString(),
    outcome: row.outcome ? sealer.open('cases.outcome', id, row.outcome) : null,
    rationale: row.rationale ? sealer.open('cases.rationale', id, row.rationale) : null,
    concernIds: concerns.map((c) => c.id),
    events: events.map((e) => ({
      id: e.id,
      kind: e.kind,
      at: e.at.toISOString(),
      by: { id: e.by_id, name: e.by_name },
      concernId: e.concern_id,
      owner: e.owner_id ? { id: e.owner_id, name: e.owner_name ?? '' } : null,
      reviewOn: e.review_on,
      outcome: e.outcome ? sealer.open('case_events.outcome', e.id, e.outcome) : null,
      rationale: e.rationale ? sealer.open('case_events.rationale', e.id, e.rationale) : null,
    })),
    allowed: caseAllowed(t.actor, row),
  };
}

/** An open case whose review date has come: due for review. */
function isReviewDue(t: Tx, c: { status: CaseStatus; review_on: string | null }): boolean {
  return c.status === 'open' && c.review_on !== null && c.review_on <= schoolDay(t.now);
}

/** The case, locked, when the policy allows `action` on it now; 404 or 409 otherwise. */
async function lockFor(t: Tx, id: string, action: CaseAction, refusal: string): Promise<CaseRow> {
  const touch = caseTouchesGranted(t.actor, 2);
  const [row] = await t.q<CaseRow>(
    `SELECT c.* FROM cases c WHERE c.id = $1 AND ${touch.sql} FOR UPDATE OF c`,
    [id, ...touch.params],
  );
  if (!row) throw notFound('That case');
  if (!caseAllowed(t.actor, row).includes(action)) throw conflict(refusal);
  return row;
}

/**
 * A new owner or review date (null clears it) for an open case. Each real change is an event in
 * the case's history and an audit entry; a value that is already in force changes nothing.
 */
export async function changeCase(t: Tx, id: string, change: CaseChange): Promise<void> {
  if (change.ownerId === undefined && change.reviewOn === undefined)
    throw badRequest('Say what to change: the owner or the review date.', 'no_change');
  const row = await lockFor(t, id, 'edit', 'Only an open case can be changed: reopen it first.');
  if (change.ownerId !== undefined && change.ownerId !== row.owner_id) {
    await checkOwner(t, change.ownerId);
    if (!(await staffSeesMatter(t, change.ownerId, { caseId: id }))) throw ownerNotGranted();
    await t.q('UPDATE cases SET owner_id = $2, updated_at = $3 WHERE id = $1', [
      id,
      change.ownerId,
      t.now,
    ]);
    await addEvent(t, id, 'owner_changed', { ownerId: change.ownerId });
    await t.audit({
      action: 'case.owner_changed',
      targetType: 'case',
      targetId: id,
      details: { from: row.owner_id, to: change.ownerId },
    });
  }
  if (change.reviewOn !== undefined && change.reviewOn !== row.review_on) {
    const reviewOn = checkReviewOn(t, change.reviewOn);
    await t.q('UPDATE cases SET review_on = $2, updated_at = $3 WHERE id = $1', [
      id,
      reviewOn,
      t.now,
    ]);
    await addEvent(t, id, 'review_date_changed', { reviewOn });
    await t.audit({
      action: 'case.review_date_changed',
      targetType: 'case',
      targetId: id,
      details: { from: row.review_on, to: reviewOn },
    });
  }
}

/** Staff who may own a case (policy.ts), for choosing one. */
export async function listCaseOwners(t: Tx) {
  return t.q<{ id: string; name: string }>(
    `SELECT u.id, u.name FROM users u WHERE ${MAY_OWN_CASES_SQL} ORDER BY u.name, u.id`,
  );
}

function stateOf(row: CaseRow): CaseState {
  return { status: row.status, outcome: null, rationale: null, events: [] };
}

export async function decideCase(
  t: Tx,
  id: string,
  decision:
    | { kind: 'closed' | 'no_further_action'; outcome: string; rationale: string }
    | { kind: 'reopened'; reason: string },
): Promise<void> {
  const row = await lockFor(
    t,
    id,
    decision.kind === 'reopened'
      ? 'reopen'
      : decision.kind === 'closed'
        ? 'close'
        : 'no_further_action',
    decision.kind === 'reopened' ? 'The case is already open.' : 'Only an open case can be closed.',
  );
  const sealer = await t.sealer();
  if (decision.kind === 'reopened') {
    const r = reopenRule(stateOf(row), { reason: decision.reason, by: t.actor.userId, at: t.now });
    if (!r.ok)
      throw r.errors.some((e) => e.field === 'status')
        ? conflict('The case is already open.')
        : fieldErrors(r.errors);
    await t.q(
      'UPDATE cases SET status = $2, outcome = NULL, rationale = NULL, updated_at = $3 WHERE id = $1',
      [id, 'open', t.now],
    );
    await addEvent(t, id, 'reopened', { rationale: decision.reason.trim() });
    await t.audit({ action: 'case.reopened', targetType: 'case', targetId: id });
    return;
  }
  const closure = {
    outcome: decision.outcome,
    rationale: decision.rationale,
    by: t.actor.userId,
    at: t.now,
  };
  const r =
    decision.kind === 'closed'
      ? closeRule(stateOf(row), closure)
      : markNoFurtherAction(stateOf(row), closure);
  if (!r.ok) {
    if (r.errors.some((e) => e.field === 'status'))
      throw conflict('Only an open case can be closed.');
    throw fieldErrors(r.errors);
  }
  const outcome = r.value.outcome ?? '';
  const rationale = r.value.rationale ?? '';
  await t.q(
    'UPDATE cases SET status = $2, outcome = $3, rationale = $4, updated_at = $5 WHERE id = $1',
    [
      id,
      decision.kind,
      sealer.seal('cases.outcome', id, outcome),
      sealer.seal('cases.rationale', id, rationale),
      t.now,
    ],
  );
  await addEvent(t, id, decision.kind, { outcome, rationale });
  await t.audit({
    action: decision.kind === 'closed' ? 'case.closed' : 'case.no_further_action',
    targetType: 'case',
    targetId: id,
  });
}

export async function listOpenCases(t: Tx, limit = 100) {
  const touch = caseTouchesGranted(t.actor, 3);
  return t.q<{
    id: string;
    pupil_id: string;
    pupil_name: string;
    owner_id: string;
    owner_name: string;
    review_on: string | null;
    opened_at: Date;
    review_due: boolean;
  }>(
    `SELECT c.id, c.pupil_id, coalesce(p.preferred_name, p.first_name) || ' ' || p.last_name AS pupil_name,
            c.owner_id, u.name AS owner_name, c.review_on, c.opened_at,
            c.review_on IS NOT NULL AND c.review_on <= $2::date AS review_due
     FROM cases c JOIN pupils p ON p.id = c.pupil_id JOIN users u ON u.id = c.owner_id
     WHERE c.status = 'open' AND ${touch.sql}
     ORDER BY c.review_on NULLS LAST, c.opened_at LIMIT $1`,
    [limit, schoolDay(t.now), ...touch.params],
  );
}
