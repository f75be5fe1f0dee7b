// Cases: opened from a concern (or for a pupil), joined by later concerns, closed or marked "no
// further action" only with an outcome and a written rationale (src/records/domain.ts), reopened
// with a reason. Every step is an event that stays; outcome and rationale are sealed.
import { randomUUID } from 'node:crypto';
import type { Tx } from '../http/context.ts';
import { badRequest, conflict, notFound } from '../http/errors.ts';
import {
  closeCase as closeRule,
  markNoFurtherAction,
  reopenCase as reopenRule,
  type CaseEvent,
  type CaseState,
  type FieldError,
} from '../records/domain.ts';

type CaseRow = {
  id: string;
  pupil_id: string;
  pupil_name: string;
  owner_id: string;
  owner_name: string;
  status: 'open' | 'closed' | 'no_further_action';
  review_on: string | null;
  opened_at: Date;
  outcome: Buffer | null;
  rationale: Buffer | null;
};
type EventRow = {
  id: string;
  kind: 'opened' | 'joined' | CaseEvent['kind'];
  at: Date;
  by_id: string;
  by_name: string;
  concern_id: string | null;
  outcome: Buffer | null;
  rationale: Buffer | null;
};

const fieldErrors = (errors: FieldError[]) =>
  badRequest(errors.map((e) => e.message).join('. ') + '.', 'invalid_decision');

async function addEvent(
  t: Tx,
  caseId: string,
  kind: EventRow['kind'],
  extra: { concernId?: string; outcome?: string; rationale?: string } = {},
): Promise<void> {
  const id = randomUUID();
  const sealer = await t.sealer();
  await t.q(
    `INSERT INTO case_events (id, school_id, case_id, kind, at, by_id, concern_id, outcome, rationale)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      id,
      t.actor.schoolId,
      caseId,
      kind,
      t.now,
      t.actor.userId,
      extra.concernId ?? null,
      extra.outcome ? sealer.seal('case_events.outcome', id, extra.outcome) : null,
      extra.rationale ? sealer.seal('case_events.rationale', id, extra.rationale) : null,
    ],
  );
}

export async function openCase(
  t: Tx,
  input: { pupilId: string; ownerId?: string; reviewOn?: string; concernId?: string },
): Promise<string> {
  const [pupil] = await t.q('SELECT id FROM pupils WHERE id = $1', [input.pupilId]);
  if (!pupil) throw badRequest('That pupil was not found.', 'unknown_pupil');
  const ownerId = input.ownerId ?? t.actor.userId;
  const [owner] = await t.q('SELECT id FROM users WHERE id = $1 AND disabled_at IS NULL', [
    ownerId,
  ]);
  if (!owner) throw badRequest('The case owner was not found.', 'unknown_staff');
  const id = randomUUID();
  await t.q(
    `INSERT INTO cases (id, school_id, pupil_id, owner_id, review_on, opened_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [id, t.actor.schoolId, input.pupilId, ownerId, input.reviewOn ?? null, t.now],
  );
  await addEvent(t, id, 'opened', input.concernId ? { concernId: input.concernId } : {});
  await t.audit({ action: 'case.opened', targetType: 'case', targetId: id });
  if (input.concernId) await joinCase(t, id, input.concernId, false);
  return id;
}

export async function joinCase(t: Tx, caseId: string, concernId: string, event = true) {
  const [c] = await t.q<{ status: string }>('SELECT status FROM cases WHERE id = $1', [caseId]);
  if (!c) throw badRequest('That case was not found.', 'unknown_case');
  const updated = await t.q('UPDATE concerns SET case_id = $2 WHERE id = $1 RETURNING id', [
    concernId,
    caseId,
  ]);
  if (updated.length === 0) throw badRequest('That concern was not found.', 'unknown_concern');
  if (event) await addEvent(t, caseId, 'joined', { concernId });
  await t.audit({
    action: 'case.joined',
    targetType: 'case',
    targetId: caseId,
    details: { concern: concernId },
  });
}

async function loadCase(t: Tx, id: string): Promise<{ row: CaseRow; events: EventRow[] }> {
  const [row] = await t.q<CaseRow>(
    `SELECT c.*, coalesce(p.preferred_name, p.first_name) || ' ' || p.last_name AS pupil_name,
            u.name AS owner_name
     FROM cases c JOIN pupils p ON p.id = c.pupil_id JOIN users u ON u.id = c.owner_id
     WHERE c.id = $1`,
    [id],
  );
  if (!row) throw notFound('That case');
  const events = await t.q<EventRow>(
    `SELECT e.*, u.name AS by_name FROM case_events e JOIN users u ON u.id = e.by_id
     WHERE e.case_id = $1 ORDER BY e.at, e.id`,
    [id],
  );
  return { row, events };
}

export async function getCase(t: Tx, id: string, audit = true) {
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
      outcome: e.outcome ? sealer.open('case_events.outcome', e.id, e.outcome) : null,
      rationale: e.rationale ? sealer.open('case_events.rationale', e.id, e.rationale) : null,
    })),
  };
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
  const [row] = await t.q<CaseRow>('SELECT * FROM cases WHERE id = $1 FOR UPDATE', [id]);
  if (!row) throw notFound('That case');
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
  return t.q<{
    id: string;
    pupil_id: string;
    pupil_name: string;
    owner_id: string;
    owner_name: string;
    review_on: string | null;
    opened_at: Date;
  }>(
    `SELECT c.id, c.pupil_id, coalesce(p.preferred_name, p.first_name) || ' ' || p.last_name AS pupil_name,
            c.owner_id, u.name AS owner_name, c.review_on, c.opened_at
     FROM cases c JOIN pupils p ON p.id = c.pupil_id JOIN users u ON u.id = c.owner_id
     WHERE c.status = 'open' ORDER BY c.review_on NULLS LAST, c.opened_at LIMIT $1`,
    [limit],
  );
}
