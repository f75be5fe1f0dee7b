// A parent filling an admission form (issue 21). Every function takes the ids of the children the
// parent door has vouched for (the parent's own, by parental responsibility) and the parent's MIS
// contact id; a form for any other child answers 404, exactly as one that does not exist. Answers
// are sealed and staged: saving keeps partial answers to come back to, submitting checks every
// required question and locks the form (a second submission is refused, 409). Each parent with
// parental responsibility fills their own copy (admission_responses, migration 0060): neither
// reads nor overwrites the other's, and each submits once. Each answer is
// checked against its field's code set first; one the MIS does not know is refused naming the
// field, and nothing is saved.
import type { SchoolTx } from '../../core/context.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import type {
  Answers,
  ParentAdmissionForm,
  ParentAdmissionList,
  Question,
} from '../../shared/admissions.ts';
import { answerProblem, misField } from '../../shared/cbds.ts';
import { statusOf } from './forms.ts';
import { FieldRefusal } from './refusals.ts';

type Row = {
  id: string;
  title: string;
  questions: Question[] | string;
  pupil_id: string;
  first_name: string;
  last_name: string;
  /** This parent's own response, when they have saved one. */
  answers: Buffer | null;
  saved_at: Date | null;
  submitted_at: Date | null;
};

/** The request joined to this parent's own response ($contact), never another parent's. */
const sqlFor = (contact: string) => `SELECT r.id, f.title, f.questions, r.pupil_id, p.first_name,
    p.last_name, a.answers, a.saved_at, a.submitted_at
  FROM admission_requests r JOIN admission_forms f ON f.id = r.form_id
  JOIN pupils p ON p.id = r.pupil_id
  LEFT JOIN admission_responses a ON a.request_id = r.id AND a.contact_id = ${contact}`;

const questionsOf = (r: Row): Question[] =>
  typeof r.questions === 'string' ? (JSON.parse(r.questions) as Question[]) : r.questions;

/** A response's sealed answers are bound to the request and the parent who gave them. */
export const responseRowId = (requestId: string, contactId: string) => `${requestId}:${contactId}`;

/**
 * A form as one parent sees it. Each parent with parental responsibility fills their own copy of
 * the child's form: the answers here are only this parent's (another parent's, who may live
 * apart, are never read here), and staff review each parent's submission separately.
 */
async function present(t: SchoolTx, r: Row, contactId: string): Promise<ParentAdmissionForm> {
  const sealer = await t.sealer();
  return {
    id: r.id,
    title: r.title,
    pupilId: r.pupil_id,
    pupilName: `${r.first_name} ${r.last_name}`,
    questions: questionsOf(r),
    answers: r.answers
      ? sealer.openJson<Answers>(
          'admission_responses.answers',
          responseRowId(r.id, contactId),
          r.answers,
        )
      : {},
    status: statusOf(r),
    savedAt: r.saved_at ? new Date(r.saved_at).toISOString() : null,
    submittedAt: r.submitted_at ? new Date(r.submitted_at).toISOString() : null,
  };
}

/**
 * The admission forms sent for one of the parent's children: a summary of each as this parent
 * stands with it (no answers are opened), the read audited with the child as its target.
 */
export async function formsForChild(
  t: SchoolTx,
  pupilId: string,
  contactId: string,
): Promise<ParentAdmissionList> {
  const rows = await t.q<{
    id: string;
    title: string;
    sent_at: Date;
    saved_at: Date | null;
    submitted_at: Date | null;
  }>(
    `SELECT r.id, f.title, r.sent_at, a.saved_at, a.submitted_at
     FROM admission_requests r JOIN admission_forms f ON f.id = r.form_id
     LEFT JOIN admission_responses a ON a.request_id = r.id AND a.contact_id = $2
     WHERE r.pupil_id = $1 ORDER BY r.sent_at`,
    [pupilId, contactId],
  );
  await t.audit({
    action: 'admissions.parent_listed',
    targetType: 'pupil',
    targetId: pupilId,
    details: { forms: rows.length },
  });
  return {
    items: rows.map((r) => ({
      id: r.id,
      title: r.title,
      status: statusOf(r),
      sentAt: new Date(r.sent_at).toISOString(),
      savedAt: r.saved_at ? new Date(r.saved_at).toISOString() : null,
      submittedAt: r.submitted_at ? new Date(r.submitted_at).toISOString() : null,
    })),
  };
}

async function loadOwn(
  t: SchoolTx,
  requestId: string,
  childIds: readonly string[],
  contactId: string,
): Promise<Row> {
  const [r] = await t.q<Row>(`${sqlFor('$3')} WHERE r.id = $1 AND r.pupil_id = ANY($2::uuid[])`, [
    requestId,
    [...childIds],
    contactId,
  ]);
  if (!r) throw notFound('That form');
  return r;
}

export async function readForParent(
  t: SchoolTx,
  requestId: string,
  childIds: readonly string[],
  contactId: string,
): Promise<ParentAdmissionForm> {
  const r = await loadOwn(t, requestId, childIds, contactId);
  await t.audit({
    action: 'admissions.parent_viewed',
    targetType: 'admission_request',
    targetId: r.id,
  });
  return present(t, r, contactId);
}

/**
 * Checks each answer against the form's questions and code sets; the first problem is thrown. A
 * contact half filled in (no name yet, no relationship chosen) may be saved to come back to; only
 * sending asks for it complete (code `required`). A contact left wholly blank is no answer.
 */
export function checkAnswers(
  questions: readonly Question[],
  answers: Answers,
  submit = false,
): Answers {
  const asked = new Set(questions.map((q) => q.field));
  const out: Answers = {};
  for (const [key, value] of Object.entries(answers)) {
    if (value === undefined) continue;
    const field = misField(key);
    if (!field || !asked.has(field.key as Question['field']))
      throw new FieldRefusal(
        key,
        'not_asked',
        `The form does not ask about “${key.slice(0, 60)}”.`,
      );
    if (typeof value === 'string' && value.trim() === '') continue;
    if (typeof value === 'object') {
      const typed = [value.forename, value.surname, value.telephone, value.email];
      if (typed.every((x) => x.trim() === '') && value.relationship === '') continue;
      const incomplete =
        !value.forename.trim() || !value.surname.trim() || value.relationship === '';
      if (incomplete) {
        if (submit)
          throw new FieldRefusal(
            field.key,
            'required',
            `${field.label}: give the contact’s first name, surname and relationship to the child before sending the form.`,
          );
        // Saved as it is; what is there is still checked (a relationship the MIS knows, lengths).
        const filled = {
          ...value,
          forename: value.forename.trim() || '-',
          surname: value.surname.trim() || '-',
          relationship: value.relationship || 'OTH',
        };
        const problem = answerProblem(field, filled);
        if (problem) throw new FieldRefusal(field.key, 'unknown_code', problem);
        out[field.key as Question['field']] = value;
        continue;
      }
    }
    const problem = answerProblem(field, value);
    if (problem) throw new FieldRefusal(field.key, 'unknown_code', problem);
    out[field.key as Question['field']] = typeof value === 'string' ? value.trim() : value;
  }
  return out;
}

export async function saveAnswers(
  t: SchoolTx,
  requestId: string,
  childIds: readonly string[],
  contactId: string,
  body: { answers: Answers; submit: boolean },
): Promise<ParentAdmissionForm> {
  // The lock: this parent's two saves at once (two tabs, a double tap) run one after the other,
  // so the second finds the first's submission and is refused below.
  const [locked] = await t.q<{ id: string }>(
    'SELECT r.id FROM admission_requests r WHERE r.id = $1 AND r.pupil_id = ANY($2::uuid[]) FOR UPDATE',
    [requestId, [...childIds]],
  );
  if (!locked) throw notFound('That form');
  const r = await loadOwn(t, requestId, childIds, contactId);
  if (r.submitted_at)
    throw new DomainError(
      'conflict',
      'already_submitted',
      'You have already sent this form to the school. Contact the school office to change an answer.',
    );
  const questions = questionsOf(r);
  const answers = checkAnswers(questions, body.answers, body.submit);
  if (body.submit) {
    const missing = questions.find((q) => q.required && answers[q.field] === undefined);
    if (missing)
      throw new FieldRefusal(
        missing.field,
        'required',
        `${misField(missing.field)!.label}: please answer this before sending the form.`,
      );
  }
  const sealer = await t.sealer();
  const sealed = sealer.sealJson(
    'admission_responses.answers',
    responseRowId(r.id, contactId),
    answers,
  );
  const submittedAt = body.submit ? t.now : null;
  // The claim: a submitted response is never written again (the WHERE finds nothing to update).
  const written = await t.q<{ request_id: string }>(
    `INSERT INTO admission_responses (school_id, request_id, contact_id, answers, saved_at,
       submitted_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (school_id, request_id, contact_id) DO UPDATE SET answers = EXCLUDED.answers,
       saved_at = EXCLUDED.saved_at, submitted_at = EXCLUDED.submitted_at
       WHERE admission_responses.submitted_at IS NULL
     RETURNING request_id`,
    [t.schoolId, r.id, contactId, sealed, t.now, submittedAt],
  );
  if (written.length === 0)
    throw new DomainError(
      'conflict',
      'already_submitted',
      'You have already sent this form to the school.',
    );
  await t.audit({
    action: body.submit ? 'admissions.submitted' : 'admissions.answers_saved',
    targetType: 'admission_request',
    targetId: r.id,
    details: { fields: Object.keys(answers) },
  });
  return present(
    t,
    { ...r, answers: sealed, saved_at: t.now, submitted_at: submittedAt },
    contactId,
  );
}
