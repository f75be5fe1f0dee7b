// Consent forms, staff side (issue 21). A form has versions; each version's text is kept with its
// SHA-256, number and dates, and publishing a new one marks the last superseded (never changed
// otherwise) so every parent is asked again while their answers to the old one stay readable.
// Withdrawing a form stops it being asked (answers stay). The staff view shows, per pupil, every
// answer to every version and flags a disagreement between parents.
import { createHash, randomUUID } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { badRequest, DomainError, notFound } from '../../core/errors.ts';
import type {
  ConsentFormDetail,
  ConsentFormList,
  ConsentVersion,
  NewConsentForm,
  NewConsentVersion,
} from '../../shared/consents.ts';
import { formActions } from './policy.ts';
import { stateOf, type AnswerEvent } from './state.ts';

export const sha256Of = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

type VersionRow = {
  id: string;
  form_id: string;
  version: number;
  body: string;
  body_sha256: string;
  published_at: Date;
  valid_from: string;
  valid_until: string | null;
  superseded_at: Date | null;
  withdrawn_at: Date | null;
};
const VERSION_SQL = `SELECT id, form_id, version, body, body_sha256, published_at,
  valid_from::text AS valid_from, valid_until::text AS valid_until, superseded_at, withdrawn_at
  FROM consent_versions`;
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const presentVersion = (v: VersionRow): ConsentVersion => ({
  id: v.id,
  version: v.version,
  text: v.body,
  sha256: v.body_sha256,
  publishedAt: new Date(v.published_at).toISOString(),
  validFrom: v.valid_from,
  validUntil: v.valid_until,
  supersededAt: iso(v.superseded_at),
  withdrawnAt: iso(v.withdrawn_at),
});

function checkDates(from: string, until: string | undefined): void {
  if (until !== undefined && until < from)
    throw badRequest('The consent cannot end before it starts: check “valid until”.', 'bad_dates');
}

async function insertVersion(
  t: Tx,
  formId: string,
  version: number,
  body: { text: string; validFrom?: string; validUntil?: string },
): Promise<{ id: string; sha256: string }> {
  const from = body.validFrom ?? t.now.toISOString().slice(0, 10);
  checkDates(from, body.validUntil);
  const id = randomUUID();
  const sha256 = sha256Of(body.text);
  await t.q(
    `INSERT INTO consent_versions (id, school_id, form_id, version, body, body_sha256, published_by,
       published_at, valid_from, valid_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      id,
      t.schoolId,
      formId,
      version,
      body.text,
      sha256,
      t.actor.userId,
      t.now,
      from,
      body.validUntil ?? null,
    ],
  );
  return { id, sha256 };
}

async function addPupilRows(t: Tx, formId: string, pupilIds: readonly string[]): Promise<number> {
  const unique = [...new Set(pupilIds)];
  if (unique.length === 0) return 0;
  const known = await t.q<{ id: string }>(
    'SELECT id FROM pupils WHERE id = ANY($1::uuid[]) AND archived_at IS NULL',
    [unique],
  );
  if (known.length !== unique.length)
    throw badRequest('One of the pupils chosen is not on the school’s roll.', 'unknown_pupil');
  const added = await t.q(
    `INSERT INTO consent_form_pupils (school_id, form_id, pupil_id, added_at)
     SELECT $1, $2, unnest($3::uuid[]), $4 ON CONFLICT DO NOTHING RETURNING pupil_id`,
    [t.schoolId, formId, unique, t.now],
  );
  return added.length;
}

export async function createConsentForm(t: Tx, body: NewConsentForm): Promise<{ id: string }> {
  const id = randomUUID();
  await t.q(
    `INSERT INTO consent_forms (id, school_id, title, created_by, created_at) VALUES ($1, $2, $3, $4, $5)`,
    [id, t.schoolId, body.title.trim(), t.actor.userId, t.now],
  );
  const v = await insertVersion(t, id, 1, body);
  const pupils = await addPupilRows(t, id, body.pupilIds);
  await t.audit({
    action: 'consents.form_created',
    targetType: 'consent_form',
    targetId: id,
    details: { version: 1, sha256: v.sha256, pupils },
  });
  return { id };
}

async function currentVersion(t: Tx, formId: string): Promise<VersionRow> {
  const [form] = await t.q<{ id: string }>('SELECT id FROM consent_forms WHERE id = $1', [formId]);
  if (!form) throw notFound('That consent form');
  const [v] = await t.q<VersionRow>(`${VERSION_SQL} WHERE form_id = $1 AND superseded_at IS NULL`, [
    formId,
  ]);
  if (!v) throw notFound('That consent form');
  if (v.withdrawn_at)
    throw new DomainError('conflict', 'form_withdrawn', 'This consent form has been withdrawn.');
  return v;
}

export async function publishVersion(
  t: Tx,
  formId: string,
  body: NewConsentVersion,
): Promise<{ id: string }> {
  const last = await currentVersion(t, formId);
  if (sha256Of(body.text) === last.body_sha256)
    throw badRequest('The new version’s text is the same as the current one.', 'same_text');
  const claimed = await t.q(
    'UPDATE consent_versions SET superseded_at = $2 WHERE id = $1 AND superseded_at IS NULL RETURNING id',
    [last.id, t.now],
  );
  if (claimed.length === 0)
    throw new DomainError('conflict', 'superseded', 'Someone published a new version just now.');
  const v = await insertVersion(t, formId, last.version + 1, body);
  await t.audit({
    action: 'consents.version_published',
    targetType: 'consent_form',
    targetId: formId,
    details: { version: last.version + 1, sha256: v.sha256 },
  });
  return { id: v.id };
}

export async function withdrawForm(t: Tx, formId: string): Promise<void> {
  const v = await currentVersion(t, formId);
  // The claim: a withdrawal or a new version committed since the read above changes nothing here.
  const claimed = await t.q(
    `UPDATE consent_versions SET withdrawn_at = $2
     WHERE id = $1 AND withdrawn_at IS NULL AND superseded_at IS NULL RETURNING id`,
    [v.id, t.now],
  );
  if (claimed.length === 0)
    throw new DomainError(
      'conflict',
      'superseded',
      'Someone changed this consent form just now. Reload it to see where it stands.',
    );
  await t.audit({
    action: 'consents.version_withdrawn',
    targetType: 'consent_form',
    targetId: formId,
    details: { version: v.version },
  });
}

export async function addPupils(t: Tx, formId: string, pupilIds: readonly string[]) {
  await currentVersion(t, formId);
  const count = await addPupilRows(t, formId, pupilIds);
  await t.audit({
    action: 'consents.pupils_added',
    targetType: 'consent_form',
    targetId: formId,
    details: { count },
  });
  return { added: count };
}

type Summary = ConsentFormList['items'][number];

async function summaries(
  t: Tx,
  formId?: string,
): Promise<{ items: Summary[]; versions: VersionRow[] }> {
  const forms = await t.q<{ id: string; title: string; pupils: number }>(
    `SELECT f.id, f.title, (SELECT count(*)::int FROM consent_form_pupils p WHERE p.form_id = f.id) AS pupils
     FROM consent_forms f ${formId ? 'WHERE f.id = $1' : ''} ORDER BY f.created_at DESC`,
    formId ? [formId] : [],
  );
  const versions = await t.q<VersionRow>(
    `${VERSION_SQL} WHERE form_id = ANY($1::uuid[]) ORDER BY version`,
    [forms.map((f) => f.id)],
  );
  const answers = await t.q<{
    form_id: string;
    pupil_id: string;
    contact_id: string;
    answer: AnswerEvent['answer'];
    answered_at: Date;
  }>(
    `SELECT v.form_id, a.pupil_id, a.contact_id, a.answer, a.answered_at FROM consent_answers a
     JOIN consent_versions v ON v.id = a.version_id AND v.superseded_at IS NULL
     WHERE v.form_id = ANY($1::uuid[]) ORDER BY a.answered_at, a.seq`,
    [forms.map((f) => f.id)],
  );
  const items = forms.map((f) => {
    const cur = versions.find((v) => v.form_id === f.id && v.superseded_at === null) ?? null;
    const byPupil = new Map<string, AnswerEvent[]>();
    for (const a of answers.filter((x) => x.form_id === f.id)) {
      const list = byPupil.get(a.pupil_id) ?? [];
      list.push({ contactId: a.contact_id, answer: a.answer, answeredAt: a.answered_at });
      byPupil.set(a.pupil_id, list);
    }
    const current = cur ? presentVersion(cur) : null;
    return {
      id: f.id,
      title: f.title,
      current,
      pupils: f.pupils,
      disagreements: [...byPupil.values()].filter((e) => stateOf(e) === 'disagreement').length,
      allowed: formActions(current),
    };
  });
  return { items, versions };
}

export async function listConsentForms(t: Tx): Promise<ConsentFormList> {
  const { items } = await summaries(t);
  await t.audit({ action: 'consents.forms_listed', details: { count: items.length } });
  return { items };
}

export async function readConsentForm(t: Tx, formId: string): Promise<ConsentFormDetail> {
  const { items, versions } = await summaries(t, formId);
  const form = items[0];
  if (!form) throw notFound('That consent form');
  const pupils = await t.q<{ id: string; first_name: string; last_name: string }>(
    `SELECT p.id, p.first_name, p.last_name FROM consent_form_pupils fp JOIN pupils p ON p.id = fp.pupil_id
     WHERE fp.form_id = $1 ORDER BY p.last_name, p.first_name`,
    [formId],
  );
  const answers = await t.q<{
    pupil_id: string;
    contact_id: string;
    first_name: string;
    last_name: string;
    version_id: string;
    version: number;
    answer: AnswerEvent['answer'];
    note: Buffer | null;
    id: string;
    answered_at: Date;
  }>(
    `SELECT a.id, a.pupil_id, a.contact_id, c.first_name, c.last_name, a.version_id, v.version,
       a.answer, a.note, a.answered_at
     FROM consent_answers a JOIN consent_versions v ON v.id = a.version_id
     JOIN contacts c ON c.id = a.contact_id
     WHERE v.form_id = $1 ORDER BY a.answered_at, a.seq`,
    [formId],
  );
  const sealer = await t.sealer();
  const current = versions.find((v) => v.form_id === formId && v.superseded_at === null);
  const rows = pupils.map((p) => {
    const mine = answers.filter((a) => a.pupil_id === p.id);
    const events = mine
      .filter((a) => a.version_id === current?.id)
      .map((a) => ({ contactId: a.contact_id, answer: a.answer, answeredAt: a.answered_at }));
    return {
      pupilId: p.id,
      pupilName: `${p.first_name} ${p.last_name}`,
      state: current?.withdrawn_at ? ('withdrawn_form' as const) : stateOf(events),
      answers: mine.map((a) => ({
        contactId: a.contact_id,
        contactName: `${a.first_name} ${a.last_name}`,
        version: a.version,
        answer: a.answer,
        note: a.note ? sealer.open('consent_answers.note', a.id, a.note) : null,
        answeredAt: new Date(a.answered_at).toISOString(),
      })),
    };
  });
  await t.audit({
    action: 'consents.form_viewed',
    targetType: 'consent_form',
    targetId: formId,
    details: {
      pupils: rows.length,
      disagreements: rows.filter((r) => r.state === 'disagreement').length,
    },
  });
  return {
    form,
    versions: versions.filter((v) => v.form_id === formId).map(presentVersion),
    pupils: rows,
  };
}
