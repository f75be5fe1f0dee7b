// The other rights on a request (issue 17). A rectification attaches the subject's statement to
// one of their records and never rewrites it; a restriction puts one of their records out of
// everyone's reach but the DSL team's, and out of reports and transfers, until it is lifted
// (core/access/processing-restriction.ts enforces it); an erasure or objection records its
// decision with its reasoning. Each act is audited in its own transaction with the change; the
// record is named by id only. Only records about the request's subjects can be touched.
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../../core/context.ts';
import { conflict, notFound } from '../../../core/errors.ts';
import type {
  AttachStatement,
  DecideRight,
  RecordRef,
  RightsDecision,
  RightsView,
  SubjectStatement,
} from '../../../shared/schemas/dp-rights.ts';
import type { RequestKind, RequestStatus } from '../../../shared/schemas/data-protection.ts';
import {
  requireDecisionFits,
  requireRightsAct,
  rightsActions,
  type RightsFacts,
} from './policy.ts';

async function factsOf(t: Tx, requestId: string, lock = false): Promise<RightsFacts> {
  const [r] = await t.q<{ kind: RequestKind; status: RequestStatus; decided: boolean }>(
    `SELECT kind, status, EXISTS (SELECT 1 FROM dp_decisions d WHERE d.request_id = r.id) AS decided
       FROM dp_requests r WHERE r.id = $1 ${lock ? 'FOR UPDATE' : ''}`,
    [requestId],
  );
  if (!r) throw notFound('That request');
  return r;
}

/** The record, when it is about one of the request's subjects; else it does not exist here. */
async function subjectsRecord(t: Tx, requestId: string, concernId: string): Promise<void> {
  const [hit] = await t.q(
    `SELECT 1 FROM concern_pupils cp JOIN dp_request_subjects s ON s.pupil_id = cp.pupil_id
      WHERE cp.concern_id = $1 AND s.request_id = $2 LIMIT 1`,
    [concernId, requestId],
  );
  if (!hit) throw notFound('That record');
}

export async function rightsView(t: Tx, requestId: string): Promise<RightsView> {
  const facts = await factsOf(t, requestId);
  const records = await t.q<{
    id: string;
    happened_at: Date;
    categories: string[];
    restricted: boolean;
    statements: number;
  }>(
    `SELECT c.id, c.happened_at,
       ARRAY(SELECT k.name FROM concern_categories cc JOIN categories k ON k.id = cc.category_id
             WHERE cc.concern_id = c.id ORDER BY k.sort_order) AS categories,
       EXISTS (SELECT 1 FROM dp_restrictions x WHERE x.concern_id = c.id AND x.lifted_at IS NULL)
         AS restricted,
       (SELECT count(*)::int FROM dp_record_statements st WHERE st.concern_id = c.id) AS statements
     FROM concerns c
     WHERE c.id IN (SELECT cp.concern_id FROM concern_pupils cp JOIN dp_request_subjects s
                      ON s.pupil_id = cp.pupil_id WHERE s.request_id = $1)
     ORDER BY c.happened_at DESC, c.id`,
    [requestId],
  );
  const sealer = await t.sealer();
  const statements = await t.q<{
    id: string;
    concern_id: string;
    statement: Buffer;
    recorded_at: Date;
  }>(
    `SELECT id, concern_id, statement, recorded_at FROM dp_record_statements
      WHERE request_id = $1 ORDER BY recorded_at, id`,
    [requestId],
  );
  const [d] = await t.q<{ decision: RightsDecision; reasoning: Buffer; decided_at: Date }>(
    'SELECT decision, reasoning, decided_at FROM dp_decisions WHERE request_id = $1',
    [requestId],
  );
  await t.audit({
    action: 'dp.rights_viewed',
    targetType: 'dp_request',
    targetId: requestId,
    // Which children's records were shown (dates and categories), as `concern.listed` names them.
    details: { records: records.length, concerns: records.map((r) => r.id) },
  });
  return {
    records: records.map((r) => ({
      id: r.id,
      happenedAt: r.happened_at.toISOString(),
      categories: r.categories,
      restricted: r.restricted,
      statements: Number(r.statements),
    })),
    statements: statements.map((s) => ({
      concernId: s.concern_id,
      statement: sealer.open('dp_record_statements.statement', s.id, s.statement),
      recordedAt: s.recorded_at.toISOString(),
    })),
    decision: d
      ? {
          decision: d.decision,
          reasoning: sealer.open('dp_decisions.reasoning', requestId, d.reasoning),
          decidedAt: d.decided_at.toISOString(),
        }
      : null,
    allowed: rightsActions(t.actor, facts),
  };
}

export async function attachStatement(t: Tx, requestId: string, body: AttachStatement) {
  requireRightsAct(t.actor, await factsOf(t, requestId, true), 'attach_statement');
  await subjectsRecord(t, requestId, body.concernId);
  const id = randomUUID();
  await t.q(
    `INSERT INTO dp_record_statements (id, school_id, request_id, concern_id, statement,
       recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      id,
      t.schoolId,
      requestId,
      body.concernId,
      (await t.sealer()).seal('dp_record_statements.statement', id, body.statement),
      t.actor.userId,
      t.now,
    ],
  );
  await t.audit({
    action: 'dp.statement_attached',
    targetType: 'dp_request',
    targetId: requestId,
    details: { concern: body.concernId },
  });
}

export async function restrictRecord(t: Tx, requestId: string, body: RecordRef) {
  requireRightsAct(t.actor, await factsOf(t, requestId, true), 'restrict');
  await subjectsRecord(t, requestId, body.concernId);
  const inserted = await t.q(
    `INSERT INTO dp_restrictions (id, school_id, request_id, concern_id, restricted_by,
       restricted_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (school_id, concern_id) WHERE lifted_at IS NULL DO NOTHING RETURNING 1`,
    [randomUUID(), t.schoolId, requestId, body.concernId, t.actor.userId, t.now],
  );
  if (inserted.length === 0) throw conflict('That record is already restricted.');
  await t.audit({
    action: 'dp.restriction_applied',
    targetType: 'dp_request',
    targetId: requestId,
    details: { concern: body.concernId },
  });
}

export async function liftRestriction(t: Tx, requestId: string, body: RecordRef) {
  requireRightsAct(t.actor, await factsOf(t, requestId, true), 'lift');
  await subjectsRecord(t, requestId, body.concernId);
  const lifted = await t.q(
    `UPDATE dp_restrictions SET lifted_at = $2, lifted_by = $3
      WHERE concern_id = $1 AND lifted_at IS NULL RETURNING 1`,
    [body.concernId, t.now, t.actor.userId],
  );
  if (lifted.length === 0) throw conflict('That record is not restricted.');
  await t.audit({
    action: 'dp.restriction_lifted',
    targetType: 'dp_request',
    targetId: requestId,
    details: { concern: body.concernId },
  });
}

export async function decideRight(t: Tx, requestId: string, body: DecideRight) {
  const facts = await factsOf(t, requestId, true);
  requireRightsAct(t.actor, facts, 'decide');
  requireDecisionFits(facts.kind, body.decision);
  await t.q(
    `INSERT INTO dp_decisions (school_id, request_id, kind, decision, reasoning, decided_by,
       decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      t.schoolId,
      requestId,
      facts.kind,
      body.decision,
      (await t.sealer()).seal('dp_decisions.reasoning', requestId, body.reasoning),
      t.actor.userId,
      t.now,
    ],
  );
  await t.audit({
    action: facts.kind === 'erasure' ? 'dp.erasure_decided' : 'dp.objection_decided',
    targetType: 'dp_request',
    targetId: requestId,
    details: { decision: body.decision },
  });
}

/** The subject's statements on a record, shown with it to whoever may read it (no audit of its own:
 * the record's read is audited). */
export async function statementsOn(t: Tx, concernId: string): Promise<SubjectStatement[]> {
  const rows = await t.q<{ id: string; statement: Buffer; recorded_at: Date }>(
    `SELECT id, statement, recorded_at FROM dp_record_statements WHERE concern_id = $1
      ORDER BY recorded_at, id`,
    [concernId],
  );
  if (rows.length === 0) return [];
  const sealer = await t.sealer();
  return rows.map((r) => ({
    statement: sealer.open('dp_record_statements.statement', r.id, r.statement),
    recordedAt: r.recorded_at.toISOString(),
  }));
}
