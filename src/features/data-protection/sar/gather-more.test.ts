// Subject access gathers the rest of what the school holds (issue 17, session 13): flags, SEN,
// attendance as one summary a term (never a mark each), medical entries and plans (sealed, opened
// here), a transfer file received, contact restrictions, consent and admission answers and trips;
// for a requester who is a contact, their own details and answers; and the audit entries about
// the child's records as ONE item, a table, which the pack prints as a table and the JSON and CSV
// as rows. Then: a selection redacts the occurrence chosen, and a redaction whose words stand
// again elsewhere says how many times.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractText } from 'unpdf';
import {
  call,
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  type Session,
  type TestApp,
} from '../../../test/harness.ts';
import { asSystem } from '../../../core/context.ts';
import { auditRows } from '../../identity/identity-test-kit.ts';
import { labelOf } from '../../audit-trail/labels.ts';
import { unsafeAsOwner } from '../../../platform/db/tenancy.ts';
import type { Workbench } from '../../../shared/schemas/subject-access.ts';
import { todayInEngland } from '../requests/load.ts';
import { pdfStructure } from '../../../test/pdf-structure.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' } });
  t.services.mailer = { send: () => Promise.resolve() };
});
afterAll(async () => t.close());

async function school() {
  const schoolId = await makeSchool(t.services);
  const dslTeamDpo = async () => {
    const user = await makeUser(t.services, schoolId, 'dpo');
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(
        `INSERT INTO staff_group_members (school_id, group_id, user_id)
         SELECT $1, id, $2 FROM staff_groups WHERE school_id = $1 AND key = 'dsl'`,
        [schoolId, user.id],
      ),
    );
    return { user, session: await signIn(t.app, user, { elevated: true }) };
  };
  const ava = await makePupil(t.services, schoolId, { firstName: 'Ava', lastName: 'Quillfeather' });
  const dsl = await makeUser(t.services, schoolId, 'dsl', 'Morgan Whitlock');
  const dslSession = await signIn(t.app, dsl, { elevated: true });
  const [dpo, dpo2] = [await dslTeamDpo(), await dslTeamDpo()];
  return { schoolId, ava, dsl, dslSession, dpo: dpo.session, dpo2: dpo2.session };
}

/** Everything the other features hold about Ava, written as those features write it (sealed). */
async function seed(schoolId: string, pupilId: string, staffId: string) {
  const other = await makeSchool(t.services, 'Old Lane Primary');
  const ids = { parent: randomUUID(), barred: randomUUID() };
  await asSystem(t.services, schoolId, 'operator', 'test').tx(async (x) => {
    const s = await x.sealer();
    const q = (sql: string, p: unknown[]) => x.q(sql, [schoolId, ...p]);
    for (const [id, first, last, email] of [
      [ids.parent, 'Pat', 'Quillfeather', 'pat@example.org'],
      [ids.barred, 'Rex', 'Bramble', 'rex@example.org'],
    ] as const) {
      await q(
        `INSERT INTO contacts (id, school_id, mis_id, first_name, last_name, emails)
         VALUES ($2, $1, $3, $4, $5, $6)`,
        [
          id,
          `c-${id.slice(0, 8)}`,
          first,
          last,
          s.sealJson('contacts.emails', id, [{ address: email }]),
        ],
      );
      await q(
        `INSERT INTO pupil_contacts (school_id, pupil_id, contact_id, relationship, priority,
           parental_responsibility) VALUES ($1, $2, $3, 'Parent', 1, true)`,
        [pupilId, id],
      );
    }
    await x.q(
      `UPDATE pupils SET admission_number = 'ADM0042', entry_date = '2021-09-02',
         pupil_premium = true WHERE id = $1`,
      [pupilId],
    );
    const flag = randomUUID();
    await q(
      `INSERT INTO pupil_flags (id, school_id, pupil_id, kind_sealed, source, starts_on)
       VALUES ($2, $1, $3, $4, 'lantern', '2025-10-01')`,
      [flag, pupilId, s.seal('pupil_flags.kind', flag, 'cp_plan')],
    );
    const need = randomUUID();
    await q(
      `INSERT INTO pupil_sen_needs (id, school_id, pupil_id, code, description, starts_on)
       VALUES ($2, $1, $3, $4, $5, '2025-09-10')`,
      [
        need,
        pupilId,
        s.seal('pupil_sen_needs.code', need, 'SLCN'),
        s.seal('pupil_sen_needs.description', need, 'Speech, language and communication needs'),
      ],
    );
    // Ten marks in the autumn term (eight present, two unauthorised) and one outside any term.
    const term = randomUUID();
    await q(
      `INSERT INTO school_terms (id, school_id, name, starts_on, ends_on)
       VALUES ($2, $1, 'Autumn 2025', '2025-09-03', '2025-12-19')`,
      [term],
    );
    await q(
      `INSERT INTO attendance_codes (school_id, code, description, category) VALUES
         ($1, '/', 'Present (AM)', 'present'), ($1, 'O', 'Unauthorised absence', 'unauthorised_absence')
       ON CONFLICT DO NOTHING`,
      [],
    );
    for (let d = 0; d < 5; d++)
      for (const pm of [false, true])
        await q(
          `INSERT INTO attendance_marks (school_id, pupil_id, on_date, pm, code)
           VALUES ($1, $2, $3::date, $4, $5)`,
          [pupilId, `2025-09-${String(8 + d).padStart(2, '0')}`, pm, d === 4 ? 'O' : '/'],
        );
    await q(
      `INSERT INTO attendance_marks (school_id, pupil_id, on_date, pm, code)
       VALUES ($1, $2, '2026-01-02', false, '/')`,
      [pupilId],
    );
    const entry = randomUUID();
    await q(
      `INSERT INTO medical_entries (id, school_id, pupil_id, entry_key, kind, content,
         proposed_by_kind, proposed_by, proposed_at, parent_confirmed_at, staff_acknowledged_at)
       VALUES ($2, $1, $3, $4, 'allergy', $5, 'staff', $6, now(), now(), now())`,
      [
        entry,
        pupilId,
        randomUUID(),
        s.sealJson('medical_entries.content', entry, { name: 'Peanuts', severity: 'severe' }),
        staffId,
      ],
    );
    const plan = randomUUID();
    await q(
      `INSERT INTO medical_plans (id, school_id, pupil_id, kind, title, file_name, mime,
         size_bytes, content, expires_on, proposed_by_kind, proposed_by, proposed_at)
       VALUES ($2, $1, $3, 'action_plan', $4, $5, 'application/pdf', 2048, $6, '2026-07-01',
         'staff', $7, now())`,
      [
        plan,
        pupilId,
        s.seal('medical_plans.title', plan, 'Anaphylaxis plan'),
        s.seal('medical_plans.file_name', plan, 'ava-epipen.pdf'),
        s.seal('medical_plans.content', plan, 'JVBERi0='),
        staffId,
      ],
    );
    const inbox = randomUUID();
    await q(
      `INSERT INTO transfer_inbox (id, school_id, from_school_id, from_school_name, pupil_id, file,
         manifest_sha256, state, received_at)
       VALUES ($2, $1, $3, 'Old Lane Primary', $4, $5, $6, 'accepted', '2025-09-01T09:00:00Z')`,
      [
        inbox,
        other,
        pupilId,
        s.sealJson('transfer_inbox.file', inbox, {
          pupil: { name: 'Ava Quillfeather', dateOfBirth: null, upn: null },
          items: [
            {
              id: 'concern:1',
              kind: 'concern',
              happenedAt: '2025-03-01T10:00:00Z',
              title: 'Neglect',
              text: 'Ava came to school hungry most mornings.',
              categories: ['Neglect'],
              author: 'Ms Oakley',
              pupils: [],
              status: null,
            },
          ],
          withheld: [],
          manifest: [],
        }),
        'a'.repeat(64),
      ],
    );
    const restriction = randomUUID();
    await q(
      `INSERT INTO contact_restrictions (id, school_id, pupil_id, contact_id, kind, court_order, note)
       VALUES ($2, $1, $3, $4, 'no_contact', true, $5)`,
      [
        restriction,
        pupilId,
        ids.barred,
        s.seal('contact_restrictions.note', restriction, 'Non-molestation order, 2025'),
      ],
    );
    const [form, version, answer] = [randomUUID(), randomUUID(), randomUUID()];
    await q(
      `INSERT INTO consent_forms (id, school_id, title, created_by, created_at)
       VALUES ($2, $1, 'Photographs on the website', $3, now())`,
      [form, staffId],
    );
    await q(
      `INSERT INTO consent_versions (id, school_id, form_id, version, body, body_sha256,
         published_by, published_at, valid_from)
       VALUES ($2, $1, $3, 1, 'May we use photographs?', $4, $5, now(), '2025-09-01')`,
      [version, form, 'b'.repeat(64), staffId],
    );
    await q(
      `INSERT INTO consent_answers (id, school_id, version_id, pupil_id, contact_id, answer, note,
         answered_at) VALUES ($2, $1, $3, $4, $5, 'refused', $6, '2025-09-20T12:00:00Z')`,
      [
        answer,
        version,
        pupilId,
        ids.parent,
        s.seal('consent_answers.note', answer, 'Not on social media, please'),
      ],
    );
    const [aform, areq] = [randomUUID(), randomUUID()];
    await q(
      `INSERT INTO admission_forms (id, school_id, title, intake, questions, created_by, created_at)
       VALUES ($2, $1, 'Reception 2025', 'reception', $4::jsonb, $3, now())`,
      [
        aform,
        staffId,
        // The form's own order, which the response follows (not the order answers were saved).
        JSON.stringify(
          ['ethnicity', 'first_language', 'preferred_forename', 'dietary_needs', 'contact_1'].map(
            (field) => ({ field, required: false }),
          ),
        ),
      ],
    );
    await q(
      `INSERT INTO admission_requests (id, school_id, form_id, pupil_id, sent_by, sent_at,
         mis_snapshot) VALUES ($2, $1, $3, $4, $5, now(), $6)`,
      [areq, aform, pupilId, staffId, s.sealJson('admission_requests.mis_snapshot', areq, {})],
    );
    await q(
      `INSERT INTO admission_responses (school_id, request_id, contact_id, answers, saved_at,
         submitted_at) VALUES ($1, $2, $3, $4, '2025-06-01T10:00:00Z', '2025-06-02T10:00:00Z')`,
      [
        areq,
        ids.parent,
        s.sealJson('admission_responses.answers', `${areq}:${ids.parent}`, {
          preferred_forename: 'Avie',
          dietary_needs: 'HAL',
          ethnicity: 'MWBC',
          first_language: 'POL',
          contact_1: {
            forename: 'Pat',
            surname: 'Quillfeather',
            relationship: 'STP',
            parentalResponsibility: true,
            telephone: '07700 900123',
            email: 'pat@example.org',
          },
        }),
      ],
    );
    const trip = randomUUID();
    await q(
      `INSERT INTO trips (id, school_id, name, starts_on, ends_on, created_by, created_at)
       VALUES ($2, $1, 'Year 5 to the Eden Project', '2026-05-11', '2026-05-13', $3, now())`,
      [trip, staffId],
    );
    await q('INSERT INTO trip_pupils (school_id, trip_id, pupil_id) VALUES ($1, $2, $3)', [
      trip,
      pupilId,
    ]);
  });
  return ids;
}

async function request(s: Session, pupilId: string, contactId?: string) {
  const res = await call(t.app, s, 'POST', '/api/data-protection/requests', {
    kind: 'subject_access',
    requester: 'Pat Quillfeather, by email',
    ...(contactId ? { requesterContactId: contactId } : {}),
    relationship: contactId ? 'parent' : 'self',
    channel: 'email',
    receivedOn: todayInEngland(new Date()),
    subjects: [pupilId],
  });
  expect(res.statusCode, res.body).toBe(201);
  return `/api/data-protection/requests/${res.json<{ id: string }>().id}`;
}
const bench = async (s: Session, url: string) => {
  const res = await call(t.app, s, 'GET', `${url}/workbench`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Workbench>();
};
const gather = async (s: Session, url: string) => {
  const res = await call(t.app, s, 'POST', `${url}/gather`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ added: number; total: number }>();
};

describe('gathering the rest of what the school holds', () => {
  it('finds each kind of record as its own item, and the audit entries as one table', async () => {
    const s = await school();
    const ids = await seed(s.schoolId, s.ava.id, s.dsl.id);
    // Something on the child's trail: the DSL records a concern about her.
    const category = (await categoryIds(t.services, s.schoolId)).find((c) => !c.restricted)!;
    const logged = await call(t.app, s.dslSession, 'POST', '/api/concerns', {
      pupils: [{ pupilId: s.ava.id, role: 'subject' }],
      categoryIds: [category.id],
      happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
      body: 'Ava was upset at lunch.',
    });
    expect(logged.statusCode, logged.body).toBe(201);
    const concern = logged.json<{ id: string }>().id;
    const url = await request(s.dpo, s.ava.id, ids.parent);
    const first = await gather(s.dpo, url);
    const wb = await bench(s.dpo, url);
    const of = (source: string) => wb.items.filter((i) => i.source === source);
    const one = (source: string) => {
      expect(of(source), source).toHaveLength(1);
      return of(source)[0]!;
    };
    expect(one('mis_record').text).toContain('Admission number: ADM0042');
    expect(one('mis_record').text).toContain('Date of entry: 2021-09-02');
    expect(one('mis_record').text).toContain('Pupil premium: yes');
    expect(one('flag').text).toBe('Child protection plan, from 1 October 2025.');
    expect(one('sen').text).toContain('Speech, language and communication needs');
    // Attendance: one summary for the term and one for the marks outside every term, not marks.
    const attendance = of('attendance');
    expect(attendance.map((a) => a.title).sort()).toEqual([
      'Attendance outside term dates, 2025–26',
      'Attendance: Autumn 2025',
    ]);
    const autumn = attendance.find((a) => a.title === 'Attendance: Autumn 2025')!;
    expect(autumn.text).toContain('Sessions possible: 10');
    expect(autumn.text).toContain('Present (including late and approved activities): 8 (80.0%)');
    expect(autumn.text).toContain('Unauthorised absence: 2');
    expect(one('medical').text).toContain('Name: Peanuts');
    expect(one('medical_plan')).toMatchObject({ title: 'Action plan: Anaphylaxis plan' });
    expect(one('medical_plan').text).toMatch(/^ava-epipen\.pdf .*a copy is provided on request/);
    expect(one('transfer_received').text).toContain('Ava came to school hungry most mornings.');
    expect(one('contact_restriction').text).toContain(
      'no contact with Rex Bramble (a court order)',
    );
    expect(one('contact_restriction').text).toContain('Non-molestation order, 2025');
    expect(one('consent').text).toContain('refused, by Pat Quillfeather');
    expect(one('consent').text).toContain('Not on social media, please');
    // Admission answers: the form's field labels and the code sets' labels, in the form's order;
    // never the CBDS codes the MIS takes.
    expect(one('admission').text.split('\n').slice(1)).toEqual([
      'Ethnicity: White and Black Caribbean',
      'First language: Polish',
      'Preferred first name: Avie',
      'Dietary needs: Halal',
      'First contact: Pat Quillfeather, Step-parent, has parental responsibility, 07700 900123, pat@example.org',
    ]);
    expect(one('admission').text).not.toMatch(/\b(MWBC|POL|HAL|STP)\b/);
    expect(one('trip').text).toBe(
      'On the trip “Year 5 to the Eden Project”, from 11 May 2026 to 13 May 2026.',
    );
    // The requester's own data: their contact details (their consent and admission answers are
    // the ones found above, each kept once).
    expect(one('contact_details')).toMatchObject({ foundAs: 'requester' });
    expect(one('contact_details').text).toContain('Email: pat@example.org');
    // Every item awaits its own decision; in date order.
    expect(wb.items.every((i) => i.reason === 'gathered')).toBe(true);
    const when = wb.items.map((i) => i.happenedAt);
    expect(when).toEqual([...when].sort());

    // The audit entries about the child's records: ONE item, a table, with the count.
    const audit = one('audit');
    expect(audit.columns).toEqual(['When', 'Who', 'What', 'Record']);
    const rows = audit.text.split('\n').map((l) => l.split('\t'));
    expect(audit.title).toBe(
      `Audit log: ${rows.length} ${rows.length === 1 ? 'entry' : 'entries'} about the pupil’s records`,
    );
    expect(rows.some((r) => r[1] === 'Morgan Whitlock (DSL)')).toBe(true);
    // The data-protection register's own entries (this gathering, this workbench) are not in it.
    expect(audit.text).not.toMatch(/workbench|gathered/i);

    // Gathering again adds nothing; after another read of the record, the table reaches it.
    expect(await gather(s.dpo, url)).toEqual({ added: 0, total: first.total });
    const read = await call(t.app, s.dslSession, 'GET', `/api/concerns/${concern}`);
    expect(read.statusCode).toBe(200);
    expect(await gather(s.dpo, url)).toEqual({ added: 1, total: first.total });
    const after = (await bench(s.dpo, url)).items.find((i) => i.source === 'audit')!;
    expect(after.id).toBe(audit.id);
    expect(after.text.split('\n')).toHaveLength(rows.length + 1);

    // A redaction in the table stays within one cell: across a tab or a line it is refused.
    const tab = after.text.indexOf('\t');
    const across = await call(t.app, s.dpo, 'POST', `${url}/items/${after.id}/redactions`, {
      start: tab - 2,
      end: tab + 2,
      reason: 'crime',
    });
    expect(across.statusCode, across.body).toBe(400);
    expect(across.json<{ error: { code: string } }>().error.code).toBe('crosses_cells');
    const line = after.text.indexOf('\n');
    const rows2 = await call(t.app, s.dpo, 'POST', `${url}/items/${after.id}/redactions`, {
      start: line - 1,
      end: line + 1,
      reason: 'crime',
    });
    expect(rows2.statusCode, rows2.body).toBe(400);
    expect((await bench(s.dpo, url)).items.find((i) => i.id === after.id)!.redactions).toEqual([]);

    // The pack: the table in the PDF, rows in the JSON and the CSV.
    for (const i of (await bench(s.dpo, url)).items)
      expect(
        (
          await call(t.app, s.dpo, 'PATCH', `${url}/items/${i.id}`, {
            included: true,
            reason: 'about_subject',
          })
        ).statusCode,
      ).toBe(200);
    expect((await call(t.app, s.dpo, 'POST', `${url}/ready`)).statusCode).toBe(200);
    // A parent asks for a child who may be 12 or over: the child's voice first.
    const voice = await call(t.app, s.dpo, 'POST', `${url}/child-voice`, {
      competence: 'Competent to understand the request.',
      views: 'Happy for her parent to see it.',
    });
    expect(voice.statusCode, voice.body).toBe(200);
    const digest = (await bench(s.dpo2, url)).review.digest;
    expect((await call(t.app, s.dpo2, 'POST', `${url}/approve`, { digest })).statusCode).toBe(200);
    const made = await call(t.app, s.dpo2, 'POST', `${url}/packs`);
    expect(made.statusCode, made.body).toBe(201);
    const pack = made.json<{ id: string }>().id;
    const pdf = await call(t.app, s.dpo, 'GET', `${url}/packs/${pack}/pdf`);
    const { text } = await extractText(new Uint8Array(pdf.rawPayload), { mergePages: true });
    expect(text).toMatch(/When\s+Who\s+What\s+Record/);
    // Tagged: the letter's title, its headings, and the audit log a table with column headings.
    const tagged = await pdfStructure(pdf.rawPayload);
    expect(tagged).toMatchObject({
      marked: true,
      lang: 'en-GB',
      title: 'Response to a subject access request',
      displayTitle: true,
    });
    expect(tagged.texts('H1').map((h) => h.text)).toEqual([
      'Response to your subject access request',
    ]);
    expect(tagged.texts('H2').map((h) => h.text)).toEqual(
      expect.arrayContaining(['Your right to complain', 'Index', 'The records, in date order']),
    );
    expect(tagged.texts('TH').map((h) => h.text)).toEqual(['When', 'Who', 'What', 'Record']);
    expect(tagged.texts('TD').length).toBe(4 * (rows.length + 1));
    expect(tagged.texts('H3').map((h) => h.text)).toContainEqual(
      expect.stringMatching(/Admission form: Reception 2025$/),
    );
    expect(text).toContain('Peanuts');
    expect(text).toContain('Sessions possible: 10');
    expect(text).toContain('Ethnicity: White and Black Caribbean');
    expect(text).toContain('Dietary needs: Halal');
    // The letter names only what is truly not gathered.
    expect(text).not.toMatch(/attendance; medical information/);
    expect(text).toContain('sign-in and device records');
    const json = (await call(t.app, s.dpo, 'GET', `${url}/packs/${pack}/json`)).json<{
      items: { source: string; text?: string; rows?: Record<string, string>[] }[];
    }>();
    const log = json.items.find((i) => i.source === 'audit')!;
    expect(log.text).toBeUndefined();
    expect(log.rows).toHaveLength(rows.length + 1);
    expect(Object.keys(log.rows![0]!)).toEqual(['when', 'who', 'what', 'record']);
    const csv = (await call(t.app, s.dpo, 'GET', `${url}/packs/${pack}/csv`)).body;
    const n = json.items.findIndex((i) => i.source === 'audit') + 1;
    expect(csv).toContain(`\n${n}.1,`);
    expect(csv).toContain(`\n${n}.${rows.length + 1},`);
    // The admission answers in words in the JSON copy and the CSV too.
    const admission = json.items.find((i) => i.source === 'admission')!;
    expect(admission.text).toContain('First language: Polish');
    expect(admission.text).not.toMatch(/\b(MWBC|POL|HAL|STP)\b/);
    expect(csv).toContain('Ethnicity: White and Black Caribbean');
  });
});

describe('redacting the words chosen', () => {
  it('redacts the occurrence selected, and says how many times the words stand elsewhere', async () => {
    const s = await school();
    const category = (await categoryIds(t.services, s.schoolId)).find((c) => !c.restricted)!;
    const logged = await call(t.app, s.dslSession, 'POST', '/api/concerns', {
      pupils: [{ pupilId: s.ava.id, role: 'subject' }],
      categoryIds: [category.id],
      happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
      body: 'Rowan Hale was kind. Later Rowan Hale pushed Ava.',
    });
    expect(logged.statusCode, logged.body).toBe(201);
    const url = await request(s.dpo, s.ava.id);
    await gather(s.dpo, url);
    const item = (await bench(s.dpo, url)).items.find((i) => i.source === 'concern')!;
    const second = item.text.lastIndexOf('Rowan Hale');
    expect(second).toBeGreaterThan(item.text.indexOf('Rowan Hale'));
    const made = await call(t.app, s.dpo, 'POST', `${url}/items/${item.id}/redactions`, {
      start: second,
      end: second + 'Rowan Hale'.length,
      text: 'Rowan Hale',
      reason: 'third_party',
      canRedact: true,
      consent: false,
      reasonable: false,
    });
    expect(made.statusCode, made.body).toBe(201);
    const [r] = (await bench(s.dpo, url)).items.find((i) => i.id === item.id)!.redactions;
    // The second stands redacted; the first is untouched, and the workbench says so.
    expect(r).toMatchObject({ start: second, end: second + 10, stale: false, elsewhere: 1 });
    // Redacting the first too: none left elsewhere.
    const again = await call(t.app, s.dpo, 'POST', `${url}/items/${item.id}/redactions`, {
      start: 0,
      end: 10,
      text: 'Rowan Hale',
      reason: 'third_party',
      canRedact: true,
      consent: false,
      reasonable: false,
    });
    expect(again.statusCode, again.body).toBe(201);
    const both = (await bench(s.dpo, url)).items.find((i) => i.id === item.id)!.redactions;
    expect(both.map((x) => [x.start, x.elsewhere])).toEqual([
      [0, 0],
      [second, 0],
    ]);
  });
});

describe('the staff-redaction setting', () => {
  it('is saved and audited by a DPO, refused to others and for bad input, and read by gathering', async () => {
    const s = await school();
    const settings = '/api/data-protection/settings';
    expect((await call(t.app, s.dpo, 'GET', settings)).json()).toEqual({
      redactStaffNames: false,
    });
    const teacher = await signIn(t.app, await makeUser(t.services, s.schoolId, 'teacher'), {
      elevated: true,
    });
    expect(
      (await call(t.app, teacher, 'PUT', settings, { redactStaffNames: true })).statusCode,
    ).toBe(403);
    const bad = await call(t.app, s.dpo, 'PUT', settings, { redactStaffNames: 'yes' });
    expect(bad.statusCode).toBe(400);
    expect((await call(t.app, s.dpo, 'GET', settings)).json()).toEqual({
      redactStaffNames: false,
    });
    const saved = await call(t.app, s.dpo, 'PUT', settings, { redactStaffNames: true });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toEqual({ redactStaffNames: true });
    const changed = (await auditRows(t, s.schoolId)).filter(
      (r) => r.action === 'dp.settings_changed',
    );
    expect(changed.map((r) => r.details)).toEqual([
      { redactStaffNames: { from: false, to: true } },
    ]);
    // On the school, so the audit trail names what was changed.
    expect(changed.map((r) => r.target_id)).toEqual([s.schoolId]);
    // Saving the same again changes nothing and writes nothing.
    await call(t.app, s.dpo, 'PUT', settings, { redactStaffNames: true });
    expect(
      (await auditRows(t, s.schoolId)).filter((r) => r.action === 'dp.settings_changed'),
    ).toHaveLength(1);
    // Gathering reads it: the audit table names the role, not the member.
    const category = (await categoryIds(t.services, s.schoolId)).find((c) => !c.restricted)!;
    await call(t.app, s.dslSession, 'POST', '/api/concerns', {
      pupils: [{ pupilId: s.ava.id, role: 'subject' }],
      categoryIds: [category.id],
      happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
      body: 'Ava was upset.',
    });
    const url = await request(s.dpo, s.ava.id);
    await gather(s.dpo, url);
    const audit = (await bench(s.dpo, url)).items.find((i) => i.source === 'audit')!;
    expect(audit.text).toContain('A member of staff (DSL)');
    expect(audit.text).not.toContain('Morgan Whitlock');
    // In the pack, only staff authors become 'A member of staff': a sending school, the MIS and
    // Lantern stay named.
    await seed(s.schoolId, s.ava.id, s.dsl.id);
    await gather(s.dpo, url);
    for (const i of (await bench(s.dpo, url)).items)
      expect(
        (
          await call(t.app, s.dpo, 'PATCH', `${url}/items/${i.id}`, {
            included: true,
            reason: 'about_subject',
          })
        ).statusCode,
      ).toBe(200);
    expect((await call(t.app, s.dpo, 'POST', `${url}/ready`)).statusCode).toBe(200);
    const digest = (await bench(s.dpo2, url)).review.digest;
    expect((await call(t.app, s.dpo2, 'POST', `${url}/approve`, { digest })).statusCode).toBe(200);
    const made = await call(t.app, s.dpo2, 'POST', `${url}/packs`);
    expect(made.statusCode, made.body).toBe(201);
    const json = (
      await call(t.app, s.dpo, 'GET', `${url}/packs/${made.json<{ id: string }>().id}/json`)
    ).json<{ items: { source: string; author: string | null }[] }>();
    const by = (source: string) => json.items.find((i) => i.source === source)!.author;
    expect(by('concern')).toBe('A member of staff');
    expect(by('transfer_received')).toBe('Old Lane Primary');
    expect(by('mis_record')).toMatch(/MIS/);
    expect(by('audit')).toBe('Lantern');
  });
});

describe('a handler outside the DSL team', () => {
  it('is given none of the sensitive records, the audit table nor a count over them', async () => {
    const s = await school();
    const ids = await seed(s.schoolId, s.ava.id, s.dsl.id);
    const category = (await categoryIds(t.services, s.schoolId)).find((c) => !c.restricted)!;
    const logged = await call(t.app, s.dslSession, 'POST', '/api/concerns', {
      pupils: [{ pupilId: s.ava.id, role: 'subject' }],
      categoryIds: [category.id],
      happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
      body: 'Ava was upset at lunch.',
    });
    expect(logged.statusCode, logged.body).toBe(201);
    // An event of a separate area (concerns about staff, issue 19) aimed at the pupil's record:
    // never in the audit table.
    await asSystem(t.services, s.schoolId, 'operator', 'test').tx((x) =>
      x.audit({
        action: 'staff_concerns.listed',
        targetType: 'pupil',
        targetId: s.ava.id,
      } as never),
    );
    // A data-protection-only grantee: the school's DPO group holds data_protection and nothing
    // else, and this DPO is not in the DSL team.
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(
        `UPDATE staff_groups SET capabilities = ARRAY['data_protection'] WHERE school_id = $1 AND key = 'dpo'`,
        [s.schoolId],
      ),
    );
    const plain = await signIn(t.app, await makeUser(t.services, s.schoolId, 'dpo'), {
      elevated: true,
    });
    const url = await request(plain, s.ava.id, ids.parent);
    await gather(plain, url);
    const mine = await bench(plain, url);
    const sensitive = [
      'medical',
      'medical_plan',
      'consent',
      'admission',
      'sen',
      'attendance',
      'trip',
      'audit',
      'flag',
      'transfer_received',
      'contact_restriction',
      'concern',
    ];
    for (const source of sensitive) {
      const items = mine.items.filter((i) => i.source === source);
      expect(items.length, source).toBeGreaterThan(0);
      for (const i of items) {
        expect(i, source).toMatchObject({ heldBack: true, text: '', suggestions: [] });
        const decided = await call(t.app, plain, 'PATCH', `${url}/items/${i.id}`, {
          included: true,
          reason: 'about_subject',
        });
        expect(decided.statusCode, source).toBe(403);
        expect(decided.json<{ error: { code: string } }>().error.code, source).toBe('held_back');
        const redacted = await call(t.app, plain, 'POST', `${url}/items/${i.id}/redactions`, {
          start: 0,
          end: 1,
          reason: 'crime',
        });
        expect(redacted.statusCode, source).toBe(403);
        expect(redacted.json<{ error: { code: string } }>().error.code, source).toBe('held_back');
      }
    }
    // What is not sensitive, it reads: the MIS record.
    expect(mine.items.find((i) => i.source === 'mis_record')).toMatchObject({ heldBack: false });

    // The DSL team reads everything; the audit table holds no event of a separate area.
    const all = await bench(s.dpo, url);
    const audit = all.items.find((i) => i.source === 'audit')!;
    expect(audit.heldBack).toBe(false);
    expect(audit.text).toContain('concern');
    expect(audit.text).not.toMatch(/staff_concerns|concerns about staff/i);
    const rows = audit.text.split('\n');
    const [raw] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM audit_events
         WHERE school_id = $1 AND action LIKE 'staff\\_concerns.%' AND target_id = $2`,
        [s.schoolId, s.ava.id],
      ),
    );
    expect(raw!.n).toBe('1');
    expect(rows.every((r) => !r.includes(labelOf('staff_concerns.listed')[0]))).toBe(true);

    // 'Appears N more times' counts only where the handler may read: the DSL team includes every
    // item and redacts the surname in the MIS record (which the handler reads) and in the consent
    // answer (which they may not).
    for (const i of all.items)
      expect(
        (
          await call(t.app, s.dpo, 'PATCH', `${url}/items/${i.id}`, {
            included: true,
            reason: 'about_subject',
          })
        ).statusCode,
      ).toBe(200);
    const redactFirst = async (source: string) => {
      const item = all.items.find((i) => i.source === source)!;
      const at = item.text.indexOf('Quillfeather');
      expect(at, source).toBeGreaterThanOrEqual(0);
      const res = await call(t.app, s.dpo, 'POST', `${url}/items/${item.id}/redactions`, {
        start: at,
        end: at + 'Quillfeather'.length,
        text: 'Quillfeather',
        reason: 'third_party',
        canRedact: true,
        consent: false,
        reasonable: false,
      });
      expect(res.statusCode, res.body).toBe(201);
      return item.id;
    };
    const [mis, consent] = [await redactFirst('mis_record'), await redactFirst('consent')];
    const count = (wb: Workbench, id: string) =>
      wb.items.find((i) => i.id === id)!.redactions[0]!.elsewhere;
    const [dslView, plainView] = [await bench(s.dpo, url), await bench(plain, url)];
    // Where the handler may read: the surname's places in the items not held back from them.
    const visible = plainView.items
      .filter((i) => !i.heldBack && i.included)
      .reduce((n, i) => n + (i.text.match(/Quillfeather/g) ?? []).length, 0);
    expect(count(plainView, mis)).toBe(visible - 1);
    expect(count(dslView, mis)).toBeGreaterThan(count(plainView, mis));
    expect(count(dslView, consent)).toBeGreaterThan(0);
    expect(count(plainView, consent)).toBe(0);
  });
});

describe('a request gathered before the audit table', () => {
  it('has its one-entry audit items excluded as duplicates once the table is added', async () => {
    const s = await school();
    const category = (await categoryIds(t.services, s.schoolId)).find((c) => !c.restricted)!;
    const logged = await call(t.app, s.dslSession, 'POST', '/api/concerns', {
      pupils: [{ pupilId: s.ava.id, role: 'subject' }],
      categoryIds: [category.id],
      happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
      body: 'Ava was upset at lunch.',
    });
    expect(logged.statusCode, logged.body).toBe(201);
    const url = await request(s.dpo, s.ava.id);
    const requestId = url.split('/').at(-1)!;
    // As gathered before session 13: one item for each audit entry, and no table.
    await unsafeAsOwner(t.services.db, async (q) => {
      await q.query(`DELETE FROM dp_request_items WHERE request_id = $1`, [requestId]);
      await q.query(
        `INSERT INTO dp_request_items (id, school_id, request_id, pupil_id, source, source_id,
           found_as, happened_at, gathered_at)
         SELECT gen_random_uuid(), $1, $2, $3, 'audit', e.seq::text, 'audit', e.at, now()
         FROM audit_events e WHERE e.school_id = $1 AND e.target_id = $4`,
        [s.schoolId, requestId, s.ava.id, logged.json<{ id: string }>().id],
      );
    });
    const before = (await bench(s.dpo, url)).items.filter((i) => i.source === 'audit');
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((i) => i.included)).toBe(true);
    // One of them already decided by a person: that decision stands.
    const kept = await call(t.app, s.dpo, 'PATCH', `${url}/items/${before[0]!.id}`, {
      included: false,
      reason: 'not_about_subject',
    });
    expect(kept.statusCode, kept.body).toBe(200);
    await gather(s.dpo, url);
    const after = (await bench(s.dpo, url)).items.filter((i) => i.source === 'audit');
    const table = after.filter((i) => i.columns);
    expect(table).toHaveLength(1);
    expect(table[0]).toMatchObject({ included: true, reason: 'gathered' });
    const old = after.filter((i) => !i.columns);
    expect(old.map((i) => [i.id, i.included, i.reason]).sort()).toEqual(
      before.map((i, n) => [i.id, false, n === 0 ? 'not_about_subject' : 'duplicate']).sort(),
    );
  });
});
