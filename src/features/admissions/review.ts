// Staff review of a submitted admission form (issue 21): for each question, what the MIS holds
// now, what it held when the form went out, and the parent's answer. A field the MIS changed in
// between is a conflict: it is accepted only when the member says they have seen it
// (`conflictResolved`). An accepted field joins the write-back queue (writeback.ts); a rejected
// one keeps its reason sealed and internal — the parent's own view never carries decisions.
// Lantern's copy of the MIS is never changed here.
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import type {
  AdmissionReview,
  Answers,
  DecideField,
  FieldDifference,
  Question,
} from '../../shared/admissions.ts';
import { misField, sameAnswer, showAnswer, type AnswerValue } from '../../shared/cbds.ts';
import { statusOf } from './forms.ts';
import { currentMisValues, type MisValues } from './mis-values.ts';
import { fieldActions } from './policy.ts';
import { FieldRefusal } from './refusals.ts';

type Loaded = {
  id: string;
  title: string;
  questions: Question[];
  pupilId: string;
  pupilName: string;
  snapshot: MisValues;
  answers: Answers;
  now: MisValues;
  status: ReturnType<typeof statusOf>;
  submittedAt: Date | null;
  decisions: Map<string, { decision: 'accepted' | 'rejected'; reason: string | null }>;
};

async function load(t: Tx, requestId: string): Promise<Loaded> {
  const [r] = await t.q<{
    id: string;
    title: string;
    questions: Question[] | string;
    pupil_id: string;
    first_name: string;
    last_name: string;
    mis_snapshot: Buffer;
    answers: Buffer | null;
    saved_at: Date | null;
    submitted_at: Date | null;
  }>(
    `SELECT r.id, f.title, f.questions, r.pupil_id, p.first_name, p.last_name, r.mis_snapshot,
       r.answers, r.saved_at, r.submitted_at
     FROM admission_requests r JOIN admission_forms f ON f.id = r.form_id
     JOIN pupils p ON p.id = r.pupil_id WHERE r.id = $1`,
    [requestId],
  );
  if (!r) throw notFound('That admission form');
  const sealer = await t.sealer();
  const decided = await t.q<{
    field: string;
    decision: 'accepted' | 'rejected';
    reason: Buffer | null;
  }>('SELECT field, decision, reason FROM admission_decisions WHERE request_id = $1', [r.id]);
  return {
    id: r.id,
    title: r.title,
    questions:
      typeof r.questions === 'string' ? (JSON.parse(r.questions) as Question[]) : r.questions,
    pupilId: r.pupil_id,
    pupilName: `${r.first_name} ${r.last_name}`,
    snapshot: sealer.openJson<MisValues>('admission_requests.mis_snapshot', r.id, r.mis_snapshot),
    answers: r.answers
      ? sealer.openJson<Answers>('admission_requests.answers', r.id, r.answers)
      : {},
    now: await currentMisValues(t, r.pupil_id),
    status: statusOf(r),
    submittedAt: r.submitted_at,
    decisions: new Map(
      decided.map((d) => [
        d.field,
        {
          decision: d.decision,
          reason: d.reason
            ? sealer.open('admission_decisions.reason', `${r.id}:${d.field}`, d.reason)
            : null,
        },
      ]),
    ),
  };
}

function differenceOf(l: Loaded, q: Question): FieldDifference {
  const field = misField(q.field)!;
  const answer: AnswerValue | null = l.answers[q.field] ?? null;
  const now = l.now[q.field] ?? null;
  const then = l.snapshot[q.field] ?? null;
  const d = l.decisions.get(q.field) ?? null;
  return {
    field: q.field,
    label: field.label,
    misNow: now === null ? null : showAnswer(field, now),
    misWhenSent: then === null ? null : showAnswer(field, then),
    answer: answer === null ? null : showAnswer(field, answer),
    changed: answer !== null && !sameAnswer(answer, now),
    conflict: answer !== null && !sameAnswer(then, now),
    decision: d?.decision ?? null,
    reason: d?.reason ?? null,
    allowed: fieldActions(l.status, d?.decision ?? null, answer !== null),
  };
}

export async function reviewRequest(t: Tx, requestId: string): Promise<AdmissionReview> {
  const l = await load(t, requestId);
  const fields = l.questions.map((q) => differenceOf(l, q));
  await t.audit({
    action: 'admissions.review_viewed',
    targetType: 'admission_request',
    targetId: l.id,
    details: { conflicts: fields.filter((f) => f.conflict).length },
  });
  return {
    id: l.id,
    formTitle: l.title,
    pupilName: l.pupilName,
    status: l.status,
    submittedAt: l.submittedAt ? new Date(l.submittedAt).toISOString() : null,
    fields,
  };
}

export async function decideField(
  t: Tx,
  requestId: string,
  body: DecideField,
): Promise<AdmissionReview> {
  // The lock: two decisions on one form (an accept and a reject at once, or two accepts) run one
  // after the other, so the second sees the first and is refused below, never queued twice.
  await t.q('SELECT id FROM admission_requests WHERE id = $1 FOR UPDATE', [requestId]);
  const l = await load(t, requestId);
  if (l.status !== 'submitted')
    throw new DomainError('conflict', 'not_submitted', 'The parent has not sent this form yet.');
  const q = l.questions.find((x) => x.field === body.field);
  if (!q)
    throw new FieldRefusal(body.field, 'not_asked', 'This form does not ask about that field.');
  const diff = differenceOf(l, q);
  if (diff.answer === null)
    throw new FieldRefusal(
      body.field,
      'not_answered',
      `${diff.label}: the parent left this unanswered.`,
    );
  if (diff.decision === 'accepted')
    throw new DomainError(
      'conflict',
      'already_accepted',
      `${diff.label} has already been accepted and queued for the MIS. Reload the form to see the decision.`,
    );
  if (diff.decision === 'rejected' && body.decision === 'rejected')
    throw new DomainError(
      'conflict',
      'already_rejected',
      `${diff.label} has already been rejected. Reload the form to see the decision.`,
    );
  if (body.decision === 'accepted' && diff.conflict && body.conflictResolved !== true)
    throw new DomainError(
      'conflict',
      'conflict_unresolved',
      `${diff.label}: the MIS changed this after the form went out. Compare both values and confirm you have resolved it.`,
    );
  const reason = body.decision === 'rejected' ? (body.reason ?? '').trim() : '';
  const sealer = await t.sealer();
  await t.q(
    `INSERT INTO admission_decisions (school_id, request_id, field, decision, reason, conflict,
       decided_by, decided_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (school_id, request_id, field) DO UPDATE SET decision = EXCLUDED.decision,
       reason = EXCLUDED.reason, conflict = EXCLUDED.conflict, decided_by = EXCLUDED.decided_by,
       decided_at = EXCLUDED.decided_at`,
    [
      t.schoolId,
      l.id,
      body.field,
      body.decision,
      reason ? sealer.seal('admission_decisions.reason', `${l.id}:${body.field}`, reason) : null,
      diff.conflict,
      t.actor.userId,
      t.now,
    ],
  );
  await t.audit({
    action: 'admissions.field_decided',
    targetType: 'admission_request',
    targetId: l.id,
    details: { field: body.field, decision: body.decision, conflict: diff.conflict },
  });
  if (body.decision === 'accepted') {
    const id = randomUUID();
    await t.q(
      `INSERT INTO mis_writeback_rows (id, school_id, request_id, pupil_id, field, value, queued_by,
         queued_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        id,
        t.schoolId,
        l.id,
        l.pupilId,
        body.field,
        sealer.sealJson('mis_writeback_rows.value', id, l.answers[q.field]),
        t.actor.userId,
        t.now,
      ],
    );
    await t.audit({
      action: 'mis_writeback.queued',
      targetType: 'mis_writeback_row',
      targetId: id,
      details: { field: body.field, pupil: l.pupilId },
    });
  }
  return reviewRequest(t, requestId);
}
