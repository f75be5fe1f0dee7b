// A parent filling an admission form (issue 21). Every function takes the ids of the children the
// parent door has vouched for (the parent's own, by parental responsibility) and the parent's MIS
// contact id; a form for any other child answers 404, exactly as one that does not exist. Answers
// are sealed and staged: saving keeps partial answers to come back to, submitting checks every
// required question and locks the form (a second submission is refused, 409). Each answer is
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
  answers: Buffer | null;
  saved_at: Date | null;
  saved_by_contact: string | null;
  submitted_at: Date | null;
};

const SQL = `SELECT r.id, f.title, f.questions, r.pupil_id, p.first_name, p.last_name, r.answers,
    r.saved_at, r.saved_by_contact, r.submitted_at
  FROM admission_requests r JOIN admission_forms f ON f.id = r.form_id
  JOIN pupils p ON p.id = r.pupil_id`;

const questionsOf = (r: Row): Question[] =>
  typeof r.questions === 'string' ? (JSON.parse(r.questions) as Question[]) : r.questions;

/**
 * A form as one parent sees it. One copy of a form is kept per child, and the answers in it belong
 * to the parent who started it: another parent with parental responsibility (who may live apart,
 * at another address) sees none of them and cannot overwrite them (saveAnswers refuses).
 */
async function present(
  t: SchoolTx,
  r: Row,
  contactId: string | null,
): Promise<ParentAdmissionForm> {
  const sealer = await t.sealer();
  const theirs = r.saved_by_contact !== null && r.saved_by_contact !== contactId;
  return {
    id: r.id,
    title: r.title,
    pupilId: r.pupil_id,
    pupilName: `${r.first_name} ${r.last_name}`,
    questions: questionsOf(r),
    answers:
      r.answers && !theirs
        ? sealer.openJson<Answers>('admission_requests.answers', r.id, r.answers)
        : {},
    status: statusOf(r),
    startedByAnother: theirs,
    savedAt: r.saved_at ? new Date(r.saved_at).toISOString() : null,
    submittedAt: r.submitted_at ? new Date(r.submitted_at).toISOString() : null,
  };
}

/**
 * The admission forms sent for one of the parent's children: a summary of each (no answers are
 * opened), the read audited with the child as its target.
 */
export async function formsForChild(t: SchoolTx, pupilId: string): Promise<ParentAdmissionList> {
  const rows = await t.q<{
    id: string;
    title: string;
    sent_at: Date;
    saved_at: Date | null;
    submitted_at: Date | null;
  }>(
    `SELECT r.id, f.title, r.sent_at, r.saved_at, r.submitted_at
     FROM admission_requests r JOIN admission_forms f ON f.id = r.form_id
     WHERE r.pupil_id = $1 ORDER BY r.sent_at`,
    [pupilId],
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
  lock = '',
): Promise<Row> {
  const [r] = await t.q<Row>(`${SQL} WHERE r.id = $1 AND r.pupil_id = ANY($2::uuid[]) ${lock}`, [
    requestId,
    [...childIds],
  ]);
  if (!r) throw notFound('That form');
  return r;
}

export async function readForParent(
  t: SchoolTx,
  requestId: string,
  childIds: readonly string[],
  contactId: string | null,
): Promise<ParentAdmissionForm> {
  const r = await loadOwn(t, requestId, childIds);
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
  contactId: string | null,
  body: { answers: Answers; submit: boolean },
): Promise<ParentAdmissionForm> {
  // The lock: two parents saving at once are taken one after the other.
  const r = await loadOwn(t, requestId, childIds, 'FOR UPDATE OF r');
  if (r.saved_by_contact !== null && r.saved_by_contact !== contactId)
    throw new DomainError(
      'conflict',
      'another_parent',
      'This form is being completed by another parent with parental responsibility. Contact the school office if something in it needs to change.',
    );
  if (r.submitted_at)
    throw new DomainError(
      'conflict',
      'already_submitted',
      'This form has already been sent to the school. Contact the school office to change an answer.',
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
  // The claim: a second submission racing this one finds submitted_at set and changes nothing.
  const updated = await t.q<{ id: string }>(
    `UPDATE admission_requests SET answers = $2, saved_at = $3, saved_by_contact = $4,
       submitted_at = CASE WHEN $5 THEN $3::timestamptz ELSE NULL END,
       submitted_by_contact = CASE WHEN $5 THEN $4::uuid ELSE NULL END
     WHERE id = $1 AND submitted_at IS NULL RETURNING id`,
    [
      r.id,
      sealer.sealJson('admission_requests.answers', r.id, answers),
      t.now,
      contactId,
      body.submit,
    ],
  );
  if (updated.length === 0)
    throw new DomainError(
      'conflict',
      'already_submitted',
      'This form has already been sent to the school.',
    );
  await t.audit({
    action: body.submit ? 'admissions.submitted' : 'admissions.answers_saved',
    targetType: 'admission_request',
    targetId: r.id,
    details: { fields: Object.keys(answers) },
  });
  return present(
    t,
    {
      ...r,
      answers: sealer.sealJson('admission_requests.answers', r.id, answers),
      saved_at: t.now,
      saved_by_contact: contactId,
      submitted_at: body.submit ? t.now : null,
    },
    contactId,
  );
}
