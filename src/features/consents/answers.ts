// A parent answering consent forms (issue 21). Functions take the ids of the children the parent
// door vouched for and the parent's MIS contact id; the parent must hold parental responsibility
// for the child (pupil_contacts), and each parent answers separately. An answer is a new event
// bound to one version, never an edit: answering a superseded or withdrawn version is refused
// (409), and a withdrawal is a later event that counts from then on. Another family's child, or a
// form that does not ask about this child, answers 404.
import { randomUUID } from 'node:crypto';
import type { SchoolTx } from '../../core/context.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import type {
  AnswerConsent,
  ConsentAnswerKind,
  ParentConsent,
  ParentConsentList,
} from '../../shared/consents.ts';

/** The children (of those given) for whom this contact holds parental responsibility. */
async function childrenWithResponsibility(
  t: SchoolTx,
  childIds: readonly string[],
  contactId: string,
): Promise<string[]> {
  const rows = await t.q<{ pupil_id: string }>(
    `SELECT pupil_id FROM pupil_contacts WHERE contact_id = $1 AND parental_responsibility
       AND pupil_id = ANY($2::uuid[])`,
    [contactId, [...childIds]],
  );
  return rows.map((r) => r.pupil_id);
}

export async function consentsForParent(
  t: SchoolTx,
  childIds: readonly string[],
  contactId: string,
): Promise<ParentConsentList> {
  const kids = await childrenWithResponsibility(t, childIds, contactId);
  const rows = await t.q<{
    form_id: string;
    title: string;
    version_id: string;
    version: number;
    body: string;
    body_sha256: string;
    pupil_id: string;
    first_name: string;
    last_name: string;
  }>(
    `SELECT f.id AS form_id, f.title, v.id AS version_id, v.version, v.body, v.body_sha256,
       p.id AS pupil_id, p.first_name, p.last_name
     FROM consent_form_pupils fp JOIN consent_forms f ON f.id = fp.form_id
     JOIN consent_versions v ON v.form_id = f.id AND v.superseded_at IS NULL AND v.withdrawn_at IS NULL
     JOIN pupils p ON p.id = fp.pupil_id
     WHERE fp.pupil_id = ANY($1::uuid[]) ORDER BY p.first_name, f.title`,
    [kids],
  );
  const mine = await t.q<{
    form_id: string;
    version_id: string;
    version: number;
    pupil_id: string;
    answer: ConsentAnswerKind;
    answered_at: Date;
  }>(
    `SELECT v.form_id, a.version_id, v.version, a.pupil_id, a.answer, a.answered_at
     FROM consent_answers a JOIN consent_versions v ON v.id = a.version_id
     WHERE a.contact_id = $1 AND a.pupil_id = ANY($2::uuid[]) ORDER BY a.answered_at, a.seq`,
    [contactId, kids],
  );
  const items: ParentConsent[] = rows.map((r) => {
    const forThis = mine.filter((a) => a.pupil_id === r.pupil_id && a.form_id === r.form_id);
    const latest = forThis.filter((a) => a.version_id === r.version_id).at(-1) ?? null;
    const earlier = new Map<number, (typeof forThis)[number]>();
    for (const a of forThis.filter((x) => x.version < r.version)) earlier.set(a.version, a);
    return {
      formId: r.form_id,
      title: r.title,
      versionId: r.version_id,
      version: r.version,
      text: r.body,
      sha256: r.body_sha256,
      pupilId: r.pupil_id,
      pupilName: `${r.first_name} ${r.last_name}`,
      myAnswer: latest?.answer ?? null,
      answeredAt: latest ? new Date(latest.answered_at).toISOString() : null,
      earlier: [...earlier.values()].map((a) => ({
        version: a.version,
        answer: a.answer,
        answeredAt: new Date(a.answered_at).toISOString(),
      })),
    };
  });
  await t.audit({ action: 'consents.parent_viewed', details: { count: items.length } });
  return { items };
}

export async function answerConsent(
  t: SchoolTx,
  childIds: readonly string[],
  contactId: string,
  body: AnswerConsent,
): Promise<{ id: string }> {
  const kids = await childrenWithResponsibility(t, childIds, contactId);
  if (!kids.includes(body.pupilId)) throw notFound('That consent form');
  const [v] = await t.q<{
    form_id: string;
    version: number;
    superseded_at: Date | null;
    withdrawn_at: Date | null;
  }>(
    `SELECT v.form_id, v.version, v.superseded_at, v.withdrawn_at FROM consent_versions v
     JOIN consent_form_pupils fp ON fp.form_id = v.form_id AND fp.pupil_id = $2
     WHERE v.id = $1 FOR SHARE OF v`,
    [body.versionId, body.pupilId],
  );
  if (!v) throw notFound('That consent form');
  // The version row is held (FOR SHARE) until this answer commits: a new version or a withdrawal
  // racing it waits, and one that committed first is seen here and refused below.
  if (v.withdrawn_at)
    throw new DomainError(
      'conflict',
      'version_withdrawn',
      'The school has withdrawn this consent form: there is nothing to answer.',
    );
  if (v.superseded_at)
    throw new DomainError(
      'conflict',
      'version_superseded',
      'The school has changed this consent form since you opened it. Please read the new version and answer that.',
    );
  if (body.answer === 'withdrawn') {
    const [last] = await t.q<{ answer: ConsentAnswerKind }>(
      `SELECT answer FROM consent_answers WHERE version_id = $1 AND pupil_id = $2 AND contact_id = $3
       ORDER BY answered_at DESC, seq DESC LIMIT 1`,
      [body.versionId, body.pupilId, contactId],
    );
    if (last?.answer !== 'given')
      throw new DomainError(
        'conflict',
        'nothing_to_withdraw',
        'You have not given this consent, so there is nothing to withdraw.',
      );
  }
  const id = randomUUID();
  const note = body.note?.trim();
  await t.q(
    `INSERT INTO consent_answers (id, school_id, version_id, pupil_id, contact_id, answer, note, answered_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      id,
      t.schoolId,
      body.versionId,
      body.pupilId,
      contactId,
      body.answer,
      note ? (await t.sealer()).seal('consent_answers.note', id, note) : null,
      t.now,
    ],
  );
  await t.audit({
    action: 'consents.answered',
    targetType: 'consent_form',
    targetId: v.form_id,
    details: { version: v.version, answer: body.answer, pupil: body.pupilId },
  });
  return { id };
}
