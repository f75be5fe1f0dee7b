// Building and sending admission forms (issue 21). A form's questions each name an MIS field
// (src/shared/cbds.ts); sending it to a pupil makes the pupil's copy and seals a snapshot of what
// the MIS holds then for every bound field, so the review can tell a parent's change from a change
// the MIS made meanwhile (a conflict).
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { badRequest, notFound } from '../../core/errors.ts';
import type {
  AdmissionFormDetail,
  AdmissionFormList,
  NewAdmissionForm,
  Question,
  RequestStatus,
  SendForm,
} from '../../shared/admissions.ts';
import { currentMisValues } from './mis-values.ts';
import { requestActions } from './policy.ts';

type FormRow = {
  id: string;
  title: string;
  intake: 'nursery' | 'reception' | 'in_year';
  questions: Question[];
  created_at: Date;
  sent: number;
  submitted: number;
};

const FORM_SQL = `SELECT f.id, f.title, f.intake, f.questions, f.created_at,
    (SELECT count(*)::int FROM admission_requests r WHERE r.form_id = f.id) AS sent,
    (SELECT count(*)::int FROM admission_requests r WHERE r.form_id = f.id AND EXISTS
       (SELECT 1 FROM admission_responses a
        WHERE a.request_id = r.id AND a.submitted_at IS NOT NULL)) AS submitted
  FROM admission_forms f`;

const present = (f: FormRow) => ({
  id: f.id,
  title: f.title,
  intake: f.intake,
  questions:
    typeof f.questions === 'string' ? (JSON.parse(f.questions) as Question[]) : f.questions,
  createdAt: new Date(f.created_at).toISOString(),
  sent: f.sent,
  submitted: f.submitted,
});

export async function createForm(t: Tx, body: NewAdmissionForm): Promise<{ id: string }> {
  const seen = new Set<string>();
  for (const q of body.questions) {
    if (seen.has(q.field))
      throw badRequest(`The form asks about “${q.field}” twice: keep one question per field.`);
    seen.add(q.field);
  }
  const id = randomUUID();
  await t.q(
    `INSERT INTO admission_forms (id, school_id, title, intake, questions, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)`,
    [
      id,
      t.schoolId,
      body.title.trim(),
      body.intake,
      JSON.stringify(body.questions),
      t.actor.userId,
      t.now,
    ],
  );
  await t.audit({
    action: 'admissions.form_created',
    targetType: 'admission_form',
    targetId: id,
    details: { intake: body.intake, questions: body.questions.length },
  });
  return { id };
}

export async function listForms(t: Tx): Promise<AdmissionFormList> {
  const rows = await t.q<FormRow>(`${FORM_SQL} ORDER BY f.created_at DESC`);
  await t.audit({ action: 'admissions.forms_listed', details: { count: rows.length } });
  return { items: rows.map(present) };
}

export function statusOf(r: { submitted_at: Date | null; saved_at: Date | null }): RequestStatus {
  return r.submitted_at ? 'submitted' : r.saved_at ? 'in_progress' : 'sent';
}

export async function readForm(t: Tx, formId: string): Promise<AdmissionFormDetail> {
  const [form] = await t.q<FormRow>(`${FORM_SQL} WHERE f.id = $1`, [formId]);
  if (!form) throw notFound('That admission form');
  const requests = await t.q<{
    id: string;
    pupil_id: string;
    first_name: string;
    last_name: string;
    sent_at: Date;
    saved_at: Date | null;
    submitted_at: Date | null;
    sent_back: number;
    decided: number;
  }>(
    // Each parent fills their own copy (migration 0060): the request is in progress once any has
    // saved, sent back once any has sent theirs, and each sent copy's fields await a decision.
    `SELECT r.id, r.pupil_id, p.first_name, p.last_name, r.sent_at,
       (SELECT max(a.saved_at) FROM admission_responses a WHERE a.request_id = r.id) AS saved_at,
       (SELECT min(a.submitted_at) FROM admission_responses a WHERE a.request_id = r.id)
         AS submitted_at,
       (SELECT count(*)::int FROM admission_responses a
         WHERE a.request_id = r.id AND a.submitted_at IS NOT NULL) AS sent_back,
       (SELECT count(*)::int FROM admission_decisions d WHERE d.request_id = r.id) AS decided
     FROM admission_requests r JOIN pupils p ON p.id = r.pupil_id
     WHERE r.form_id = $1 ORDER BY p.last_name, p.first_name`,
    [formId],
  );
  await t.audit({
    action: 'admissions.form_viewed',
    targetType: 'admission_form',
    targetId: formId,
  });
  const f = present(form);
  return {
    form: f,
    requests: requests.map((r) => {
      const status = statusOf(r);
      return {
        id: r.id,
        pupilId: r.pupil_id,
        pupilName: `${r.first_name} ${r.last_name}`,
        status,
        sentAt: new Date(r.sent_at).toISOString(),
        submittedAt: r.submitted_at ? new Date(r.submitted_at).toISOString() : null,
        undecided:
          status === 'submitted' ? Math.max(0, f.questions.length * r.sent_back - r.decided) : 0,
        allowed: requestActions(status),
      };
    }),
  };
}

/** Sends the form to each pupil not already sent it; answers how many were new. */
export async function sendForm(t: Tx, formId: string, to: SendForm): Promise<{ sent: number }> {
  const [form] = await t.q<{ id: string }>('SELECT id FROM admission_forms WHERE id = $1', [
    formId,
  ]);
  if (!form) throw notFound('That admission form');
  const intake = to.yearGroup?.trim()
    ? (
        await t.q<{ id: string }>(
          'SELECT id FROM pupils WHERE year_group = $1 AND archived_at IS NULL',
          [to.yearGroup.trim()],
        )
      ).map((r) => r.id)
    : [];
  if (to.yearGroup?.trim() && intake.length === 0)
    throw badRequest(`No pupil on roll is in “${to.yearGroup.trim()}”.`, 'empty_intake');
  const unique = [...new Set([...(to.pupilIds ?? []), ...intake])];
  if (unique.length === 0)
    throw badRequest('Choose the pupils to send the form for, or a year group.', 'no_pupils');
  const known = await t.q<{ id: string }>(
    'SELECT id FROM pupils WHERE id = ANY($1::uuid[]) AND archived_at IS NULL',
    [unique],
  );
  if (known.length !== unique.length)
    throw badRequest('One of the pupils chosen is not on the school’s roll.', 'unknown_pupil');
  const sealer = await t.sealer();
  const sent: string[] = [];
  for (const pupilId of unique) {
    const id = randomUUID();
    const snapshot = sealer.sealJson(
      'admission_requests.mis_snapshot',
      id,
      await currentMisValues(t, pupilId),
    );
    const rows = await t.q(
      `INSERT INTO admission_requests (id, school_id, form_id, pupil_id, sent_by, sent_at, mis_snapshot)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (school_id, form_id, pupil_id) DO NOTHING
       RETURNING id`,
      [id, t.schoolId, formId, pupilId, t.actor.userId, t.now, snapshot],
    );
    if (rows.length > 0) sent.push(pupilId);
  }
  await t.audit({
    action: 'admissions.form_sent',
    targetType: 'admission_form',
    targetId: formId,
    details: { pupils: sent },
  });
  return { sent: sent.length };
}
