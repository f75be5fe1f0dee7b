// Staff review of a submitted admission form (issue 21): each parent with parental responsibility
// fills their own copy (admission_responses, migration 0060), and each copy they have sent is
// reviewed on its own: for each question, what the MIS holds now, what it held when the form went
// out, and that parent's answer. A field the MIS changed in between is a conflict: it is accepted
// only when the member says they have seen it (`conflictResolved`). A field where two parents
// sent different answers is a disagreement: shown on both, never settled automatically — staff
// choose one (only one value per field goes back to the MIS). An accepted field joins the
// write-back queue (writeback.ts); a rejected one keeps its reason sealed and internal — the
// parent's own view never carries decisions. Lantern's copy of the MIS is never changed here.
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { restrictedContactSql } from '../../core/parent-context.ts';
import type {
  AdmissionReview,
  Answers,
  DecideField,
  FieldDifference,
  ParentResponse,
  Question,
} from '../../shared/admissions.ts';
import { misField, sameAnswer, showAnswer, type AnswerValue } from '../../shared/cbds.ts';
import { responseRowId } from './answers.ts';
import { statusOf } from './forms.ts';
import { currentMisValues, type MisValues } from './mis-values.ts';
import { fieldActions } from './policy.ts';
import { FieldRefusal } from './refusals.ts';

type Decided = { decision: 'accepted' | 'rejected'; reason: string | null };

type Response = {
  contactId: string;
  parentName: string;
  status: ReturnType<typeof statusOf>;
  submittedAt: Date | null;
  /**
   * Restricted by the DSL (a court order) since the copy went out: staff still see what was
   * sent, but none of it goes back to the MIS.
   */
  restricted: boolean;
  /** Opened only once sent: a copy still being filled is the parent's own. */
  answers: Answers;
  decisions: Map<string, Decided>;
};

type Loaded = {
  id: string;
  title: string;
  questions: Question[];
  pupilId: string;
  pupilName: string;
  snapshot: MisValues;
  now: MisValues;
  responses: Response[];
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
  }>(
    `SELECT r.id, f.title, f.questions, r.pupil_id, p.first_name, p.last_name, r.mis_snapshot
     FROM admission_requests r JOIN admission_forms f ON f.id = r.form_id
     JOIN pupils p ON p.id = r.pupil_id WHERE r.id = $1`,
    [requestId],
  );
  if (!r) throw notFound('That admission form');
  const sealer = await t.sealer();
  const rows = await t.q<{
    contact_id: string;
    first_name: string;
    last_name: string;
    answers: Buffer;
    saved_at: Date;
    submitted_at: Date | null;
    restricted: boolean;
  }>(
    `SELECT a.contact_id, c.first_name, c.last_name, a.answers, a.saved_at, a.submitted_at,
            ${restrictedContactSql('a.contact_id', '$2')} AS restricted
     FROM admission_responses a JOIN contacts c ON c.id = a.contact_id
     WHERE a.request_id = $1
     ORDER BY a.submitted_at NULLS LAST, a.saved_at, c.last_name, c.first_name, a.contact_id`,
    [r.id, t.now.toISOString().slice(0, 10)],
  );
  const decided = await t.q<{
    contact_id: string;
    field: string;
    decision: 'accepted' | 'rejected';
    reason: Buffer | null;
  }>('SELECT contact_id, field, decision, reason FROM admission_decisions WHERE request_id = $1', [
    r.id,
  ]);
  return {
    id: r.id,
    title: r.title,
    questions:
      typeof r.questions === 'string' ? (JSON.parse(r.questions) as Question[]) : r.questions,
    pupilId: r.pupil_id,
    pupilName: `${r.first_name} ${r.last_name}`,
    snapshot: sealer.openJson<MisValues>('admission_requests.mis_snapshot', r.id, r.mis_snapshot),
    now: await currentMisValues(t, r.pupil_id),
    responses: rows.map((a) => ({
      contactId: a.contact_id,
      parentName: `${a.first_name} ${a.last_name}`,
      status: statusOf(a),
      submittedAt: a.submitted_at,
      restricted: a.restricted,
      answers: a.submitted_at
        ? sealer.openJson<Answers>(
            'admission_responses.answers',
            responseRowId(r.id, a.contact_id),
            a.answers,
          )
        : {},
      decisions: new Map(
        decided
          .filter((d) => d.contact_id === a.contact_id)
          .map((d) => [
            d.field,
            {
              decision: d.decision,
              reason: d.reason
                ? sealer.open(
                    'admission_decisions.reason',
                    `${r.id}:${d.contact_id}:${d.field}`,
                    d.reason,
                  )
                : null,
            },
          ]),
      ),
    })),
  };
}

/** True when a parent other than `a` sent an answer to `field` that differs from `a`'s. */
function disagrees(l: Loaded, a: Response, field: Question['field']): boolean {
  const mine = a.answers[field];
  if (a.status !== 'submitted' || mine === undefined) return false;
  return l.responses.some(
    (o) =>
      o !== a &&
      o.status === 'submitted' &&
      o.answers[field] !== undefined &&
      !sameAnswer(mine, o.answers[field]),
  );
}

/** The parent whose answer to `field` is accepted (queued for the MIS), if any. */
const acceptedFrom = (l: Loaded, field: string): Response | undefined =>
  l.responses.find((o) => o.decisions.get(field)?.decision === 'accepted');

function differenceOf(l: Loaded, a: Response, q: Question): FieldDifference {
  const field = misField(q.field)!;
  const answer: AnswerValue | null = a.answers[q.field] ?? null;
  const now = l.now[q.field] ?? null;
  const then = l.snapshot[q.field] ?? null;
  const d = a.decisions.get(q.field) ?? null;
  const accepted = acceptedFrom(l, q.field);
  return {
    field: q.field,
    label: field.label,
    misNow: now === null ? null : showAnswer(field, now),
    misWhenSent: then === null ? null : showAnswer(field, then),
    answer: answer === null ? null : showAnswer(field, answer),
    changed: answer !== null && !sameAnswer(answer, now),
    conflict: answer !== null && !sameAnswer(then, now),
    disagreement: disagrees(l, a, q.field),
    decision: d?.decision ?? null,
    reason: d?.reason ?? null,
    allowed: fieldActions(
      a.status,
      d?.decision ?? null,
      answer !== null,
      accepted !== undefined && accepted !== a,
      a.restricted,
    ),
  };
}

function presentResponse(l: Loaded, a: Response): ParentResponse {
  return {
    contactId: a.contactId,
    parentName: a.parentName,
    status: a.status,
    restricted: a.restricted,
    submittedAt: a.submittedAt ? new Date(a.submittedAt).toISOString() : null,
    fields: a.status === 'submitted' ? l.questions.map((q) => differenceOf(l, a, q)) : [],
  };
}

/** The request as a whole: sent once any parent sent their copy. */
function requestStatus(l: Loaded): ReturnType<typeof statusOf> {
  if (l.responses.some((a) => a.status === 'submitted')) return 'submitted';
  return l.responses.length > 0 ? 'in_progress' : 'sent';
}

export async function reviewRequest(t: Tx, requestId: string): Promise<AdmissionReview> {
  const l = await load(t, requestId);
  const parents = l.responses.map((a) => presentResponse(l, a));
  const fields = parents.flatMap((p) => p.fields);
  await t.audit({
    action: 'admissions.review_viewed',
    targetType: 'admission_request',
    targetId: l.id,
    details: {
      conflicts: fields.filter((f) => f.conflict).length,
      disagreements: fields.filter((f) => f.disagreement).length,
      parents: parents.filter((p) => p.status === 'submitted').length,
    },
  });
  const first = l.responses
    .map((a) => a.submittedAt)
    .filter((d): d is Date => d !== null)
    .sort((a, b) => new Date(a).getTime() - new Date(b).getTime())[0];
  return {
    id: l.id,
    formTitle: l.title,
    pupilName: l.pupilName,
    status: requestStatus(l),
    submittedAt: first ? new Date(first).toISOString() : null,
    parents,
  };
}

export async function decideField(
  t: Tx,
  requestId: string,
  body: DecideField,
): Promise<AdmissionReview> {
  // The lock: two decisions on one form (an accept and a reject at once, two accepts, or two
  // parents' answers to one field accepted at once) run one after the other, so the second sees
  // the first and is refused below, never queued twice.
  await t.q('SELECT id FROM admission_requests WHERE id = $1 FOR UPDATE', [requestId]);
  const l = await load(t, requestId);
  const a = l.responses.find((x) => x.contactId === body.contactId);
  if (!a || a.status !== 'submitted')
    throw new DomainError(
      'conflict',
      'not_submitted',
      'That parent has not sent their copy of this form yet.',
    );
  const q = l.questions.find((x) => x.field === body.field);
  if (!q)
    throw new FieldRefusal(body.field, 'not_asked', 'This form does not ask about that field.');
  const diff = differenceOf(l, a, q);
  if (diff.answer === null)
    throw new FieldRefusal(
      body.field,
      'not_answered',
      `${diff.label}: ${a.parentName} left this unanswered.`,
    );
  if (diff.decision === 'accepted')
    throw new DomainError(
      'conflict',
      'already_accepted',
      `${diff.label} has already been accepted and queued for the MIS. Reload the form to see the decision.`,
    );
  if (body.decision === 'accepted' && a.restricted)
    throw new DomainError(
      'conflict',
      'contact_restricted',
      `${a.parentName} is restricted by the designated safeguarding lead: their answers cannot go back to the MIS. Reject the field, or ask the DSL.`,
    );
  const other = acceptedFrom(l, body.field);
  if (body.decision === 'accepted' && other && other !== a)
    throw new DomainError(
      'conflict',
      'accepted_from_another_parent',
      `${diff.label}: ${other.parentName}’s answer has already been accepted and queued for the MIS. Only one answer to a field goes back to the MIS.`,
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
    `INSERT INTO admission_decisions (school_id, request_id, contact_id, field, decision, reason,
       conflict, decided_by, decided_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (school_id, request_id, contact_id, field) DO UPDATE SET
       decision = EXCLUDED.decision, reason = EXCLUDED.reason, conflict = EXCLUDED.conflict,
       decided_by = EXCLUDED.decided_by, decided_at = EXCLUDED.decided_at`,
    [
      t.schoolId,
      l.id,
      a.contactId,
      body.field,
      body.decision,
      reason
        ? sealer.seal('admission_decisions.reason', `${l.id}:${a.contactId}:${body.field}`, reason)
        : null,
      diff.conflict,
      t.actor.userId,
      t.now,
    ],
  );
  await t.audit({
    action: 'admissions.field_decided',
    targetType: 'admission_request',
    targetId: l.id,
    details: {
      field: body.field,
      decision: body.decision,
      conflict: diff.conflict,
      disagreement: diff.disagreement,
      contact: a.contactId,
    },
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
        sealer.sealJson('mis_writeback_rows.value', id, a.answers[q.field]),
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
