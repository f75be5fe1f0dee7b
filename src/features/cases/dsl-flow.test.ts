// The DSL's morning, end to end through the HTTP API on a real database: a teacher logs a concern
// about two pupils with a body map; the DSL acknowledges the alert, adds an action and a referral,
// the referral goes overdue on the controllable clock, the case closes only with a rationale, the
// record is found by a word in its text, and the chronology exports as a PDF whose text we read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractText, getDocumentProxy } from 'unpdf';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { runDueWork } from '../../jobs/due-work.ts';
import { drainWork } from '../identity/identity-test-kit.ts';
import type { OutgoingMail } from '../../platform/mail/mailer.ts';
import {
  call,
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  testClock,
  type TestApp,
  type TestUser,
} from '../../test/harness.ts';

// The HTTP side runs on the real clock (issue 3's session code compares with the database's own
// time, so a shifted services clock fails sign-in); time is controlled through runDueWork(now)
// and through backdated records, which is what the clock would otherwise do.
const clock = testClock();
let t: TestApp;
const sent: OutgoingMail[] = [];
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' } });
  t.services.mailer = { send: (m) => Promise.resolve(void sent.push(m)) };
});
afterAll(async () => t.close());

/** Signs in and steps up with a real authenticator code, as the DSL does each morning. */
function elevatedSignIn(user: TestUser) {
  return signIn(t.app, user, { elevated: true });
}

async function school() {
  // Sessions are stamped with the database's time; start each story at the real now.
  clock.set(new Date());
  const schoolId = await makeSchool(t.services);
  const teacher = await makeUser(t.services, schoolId, 'teacher', 'Tess Teacher');
  const dsl = await makeUser(t.services, schoolId, 'dsl', 'Dee Lead');
  const deputy = await makeUser(t.services, schoolId, 'deputy_dsl', 'Dep Uty');
  const head = await makeUser(t.services, schoolId, 'headteacher', 'Hed Teacher');
  const teacher2 = await makeUser(t.services, schoolId, 'teacher', 'Tom Other');
  const ava = await makePupil(t.services, schoolId, { firstName: 'Ava', lastName: 'Stone' });
  const ben = await makePupil(t.services, schoolId, { firstName: 'Ben', lastName: 'Marsh' });
  const cats = await categoryIds(t.services, schoolId);
  const bullying = cats.find((c) => c.name === 'Bullying')!;
  return { schoolId, teacher, teacher2, dsl, deputy, head, ava, ben, bullying };
}

/** What a school holds, row counts per table and audit entries per action: "nothing written". */
async function footprint(schoolId: string) {
  return unsafeAsOwner(t.services.db, async (q) => {
    type Counts = Record<
      | 'concerns'
      | 'concernPupils'
      | 'concernCategories'
      | 'concernVersions'
      | 'alerts'
      | 'attachments'
      | 'attachmentBlobs',
      number
    >;
    const [n] = await q.query<Counts>(
      `SELECT (SELECT count(*)::int FROM concerns WHERE school_id = $1) AS "concerns",
        (SELECT count(*)::int FROM concern_pupils WHERE school_id = $1) AS "concernPupils",
        (SELECT count(*)::int FROM concern_categories WHERE school_id = $1) AS "concernCategories",
        (SELECT count(*)::int FROM concern_versions WHERE school_id = $1) AS "concernVersions",
        (SELECT count(*)::int FROM alerts WHERE school_id = $1) AS "alerts",
        (SELECT count(*)::int FROM attachments WHERE school_id = $1) AS "attachments",
        (SELECT count(*)::int FROM attachment_blobs WHERE school_id = $1) AS "attachmentBlobs"`,
      [schoolId],
    );
    const audit = await q.query<{ action: string; n: number }>(
      `SELECT action, count(*)::int AS n FROM audit_events WHERE school_id = $1
       AND action NOT LIKE 'auth.%' AND action NOT LIKE 'session.%' GROUP BY action`,
      [schoolId],
    );
    return { ...n!, audit: Object.fromEntries(audit.map((a) => [a.action, a.n])) };
  });
}

/** The stored concern row as bytes: version, sealed body, date, updated time. */
async function concernRow(id: string) {
  const [row] = await unsafeAsOwner(t.services.db, (q) =>
    q.query<{ version: number; body: Buffer; happened_at: Date; updated_at: Date }>(
      'SELECT version, body, happened_at, updated_at FROM concerns WHERE id = $1',
      [id],
    ),
  );
  return { ...row!, body: Buffer.from(row!.body).toString('base64') };
}

type Json = Record<string, unknown>;

describe('the DSL flow', () => {
  it('runs from a teacher logging a concern to a closed case and a PDF chronology', async () => {
    const s = await school();
    const teacher = await signIn(t.app, s.teacher);
    const logged = await call(t.app, teacher, 'POST', '/api/concerns', {
      pupils: [
        { pupilId: s.ava.id, role: 'victim' },
        { pupilId: s.ben.id, role: 'alleged_perpetrator' },
      ],
      categoryIds: [s.bullying.id],
      happenedAt: new Date(clock.now().getTime() - 3_600_000).toISOString(),
      location: 'Playground',
      body: 'Ava said Ben pushed her against the fence and took her lunch money.',
      bodyMap: [{ side: 'back', x: 0.5, y: 0.3, type: 'bruise', description: 'Red mark' }],
      alertGroups: ['dsl_team'],
      verballyInformedId: s.dsl.id,
    });
    expect(logged.statusCode, logged.body).toBe(201);
    const concern = logged.json<{ id: string; pupils: { role: string }[]; bodyMap: unknown[] }>();
    expect(concern.pupils.map((p) => p.role).sort()).toEqual(['alleged_perpetrator', 'victim']);
    expect(concern.bodyMap).toHaveLength(1);
    // The email says only that there is something to look at (sent from the queue, after the
    // answer).
    await drainWork(t);
    expect(sent.length).toBeGreaterThan(0);
    for (const m of sent) {
      expect(m.text).not.toMatch(/Ava|Ben|fence|Bullying/);
    }

    const dsl = await elevatedSignIn(s.dsl);
    const alerts = (await call(t.app, dsl, 'GET', '/api/alerts')).json<{ items: Json[] }>().items;
    const alert = alerts.find((a) => a.targetId === concern.id)!;
    expect(alert).toBeDefined();
    const ack = await call(t.app, dsl, 'POST', `/api/alerts/${String(alert.id)}/acknowledge`);
    expect(ack.statusCode, ack.body).toBe(200);
    expect((await call(t.app, dsl, 'GET', '/api/alerts')).json<{ items: Json[] }>().items).toEqual(
      [],
    );

    const opened = await call(t.app, dsl, 'POST', '/api/cases', {
      pupilId: s.ava.id,
      concernId: concern.id,
    });
    expect(opened.statusCode, opened.body).toBe(201);
    const caseId = opened.json<{ id: string }>().id;

    const action = await call(t.app, dsl, 'POST', '/api/actions', {
      pupilId: s.ava.id,
      concernId: concern.id,
      caseId,
      type: 'phone_call',
      text: 'Phone mum about the playground incident',
      assigneeId: s.dsl.id,
      dueAt: new Date(clock.now().getTime() - 3_600_000).toISOString(),
    });
    expect(action.statusCode, action.body).toBe(201);

    const agencies = (await call(t.app, dsl, 'GET', '/api/referral-agencies')).json<{
      items: { id: string; name: string; expectedResponseHours: number | null }[];
    }>().items;
    const social = agencies.find((a) => a.name === "Children's social care")!;
    const referral = await call(t.app, dsl, 'POST', '/api/referrals', {
      pupilId: s.ava.id,
      agencyId: social.id,
      caseId,
      // Made 25 hours ago; social care is expected to answer within 24.
      referredAt: new Date(clock.now().getTime() - 25 * 3_600_000).toISOString(),
      reference: 'MASH-1234',
    });
    expect(referral.statusCode, referral.body).toBe(201);
    const referralId = referral.json<{ id: string; overdue: boolean }>().id;
    expect(referral.json<{ overdue: boolean }>().overdue).toBe(true);
    // Before the due time the job does nothing; after it, the DSL team is alerted once.
    const early = await runDueWork(t.services, new Date(clock.now().getTime() - 2 * 3_600_000));
    expect(early.overdueReferrals).toBe(0);
    clock.set(new Date());
    const work = await runDueWork(t.services, clock.now());
    expect(work.overdueReferrals).toBeGreaterThanOrEqual(1);
    const again = await runDueWork(t.services, clock.now());
    expect(again.overdueReferrals).toBe(0);
    const r = await call(t.app, dsl, 'GET', `/api/referrals/${referralId}`);
    expect(r.json<{ overdue: boolean; status: string }>()).toMatchObject({
      overdue: true,
      status: 'overdue',
    });
    const myAlerts = (await call(t.app, dsl, 'GET', '/api/alerts')).json<{ items: Json[] }>().items;
    expect(myAlerts.some((a) => a.kind === 'referral_overdue' && a.targetId === referralId)).toBe(
      true,
    );
    const dash = (await call(t.app, dsl, 'GET', '/api/dashboard')).json<{
      overdueReferrals: { id: string }[];
      actions: { overdue: boolean }[];
      openCases: { id: string }[];
    }>();
    expect(dash.overdueReferrals.map((x) => x.id)).toContain(referralId);
    expect(dash.actions[0]!.overdue).toBe(true);
    expect(dash.openCases.map((c) => c.id)).toContain(caseId);

    // Closing needs an outcome and a written rationale.
    const bare = await call(t.app, dsl, 'POST', `/api/cases/${caseId}/close`, {
      outcome: 'Resolved',
      rationale: '',
    });
    expect(bare.statusCode).toBe(400);
    const closed = await call(t.app, dsl, 'POST', `/api/cases/${caseId}/close`, {
      outcome: 'Resolved with family',
      rationale: 'Parents engaged, bullying stopped, social care advice followed; monitoring ends.',
      // The action and the referral still open: each answered (issue 14, open-work.test.ts).
      openWork: [
        { kind: 'action', id: action.json<{ id: string }>().id, choice: 'keep_open' },
        { kind: 'referral', id: referralId, choice: 'keep_open' },
      ],
    });
    expect(closed.statusCode, closed.body).toBe(200);
    const reopened = await call(t.app, dsl, 'POST', `/api/cases/${caseId}/reopen`, {
      reason: 'New incident reported',
    });
    expect(reopened.json<{ events: { kind: string }[] }>().events.map((e) => e.kind)).toEqual([
      'opened',
      'closed',
      'reopened',
    ]);

    const found = await call(t.app, dsl, 'POST', '/api/search', { q: 'fence' });
    expect(found.statusCode, found.body).toBe(200);
    expect(found.json<{ items: { id: string }[] }>().items.map((i) => i.id)).toContain(concern.id);
    const none = await call(t.app, dsl, 'POST', '/api/search', { q: 'giraffe' });
    expect(none.json<{ items: unknown[] }>().items).toEqual([]);
    const audit = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ details: Json }>(
        `SELECT details FROM audit_events WHERE school_id = $1 AND action = 'records.searched'`,
        [s.schoolId],
      ),
    );
    expect(JSON.stringify(audit)).not.toContain('fence');
    expect(audit[0]!.details.terms).toBe(1);

    const chron = await call(t.app, dsl, 'GET', `/api/pupils/${s.ava.id}/chronology`);
    expect(chron.statusCode, chron.body).toBe(200);
    const kinds = chron
      .json<{ entries: { kind: string; overdue: boolean }[] }>()
      .entries.map((e) => e.kind);
    expect(new Set(kinds)).toEqual(new Set(['concern', 'action', 'referral', 'case_event']));
    const onlyReferrals = await call(
      t.app,
      dsl,
      'GET',
      `/api/pupils/${s.ava.id}/chronology?kinds=referral`,
    );
    expect(onlyReferrals.json<{ entries: { kind: string; overdue: boolean }[] }>().entries).toEqual(
      [expect.objectContaining({ kind: 'referral', overdue: true })],
    );

    const pdf = await call(t.app, dsl, 'GET', `/api/pupils/${s.ava.id}/chronology.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const doc = await getDocumentProxy(new Uint8Array(pdf.rawPayload));
    const { text } = await extractText(doc, { mergePages: true });
    expect(text).toContain('Ava Stone');
    expect(text).toContain('fence');
    expect(text).toContain('Dee Lead');
    expect(text).toMatch(/Page 1 of/);
  });

  it('escalates an unacknowledged DSL-team alert to deputies and the headteacher', async () => {
    const s = await school();
    const teacher = await signIn(t.app, s.teacher);
    const logged = await call(t.app, teacher, 'POST', '/api/concerns', {
      pupils: [{ pupilId: s.ava.id, role: 'subject' }],
      categoryIds: [s.bullying.id],
      happenedAt: new Date(clock.now().getTime() - 60_000).toISOString(),
      body: 'Crying at break.',
      alertGroups: ['dsl_team'],
    });
    const id = logged.json<{ id: string }>().id;
    // Counted for this concern only: on a shared PostgreSQL test database the job also sees
    // other files' older alerts.
    const escalated = () =>
      unsafeAsOwner(t.services.db, (q) =>
        q.query<{ recipient_id: string }>(
          `SELECT recipient_id FROM alerts WHERE target_id = $1 AND kind = 'escalation'`,
          [id],
        ),
      );
    await runDueWork(t.services, new Date(Date.now() + 59 * 60_000));
    expect(await escalated()).toEqual([]);
    clock.advance(61 * 60_000);
    await runDueWork(t.services, clock.now());
    expect((await escalated()).map((e) => e.recipient_id).sort()).toEqual(
      [s.deputy.id, s.head.id].sort(),
    );
  });

  it('escalates a DSL alerted by name or through the DSL group, unless one of them acknowledges', async () => {
    const s = await school();
    const teacher = await signIn(t.app, s.teacher);
    const log = async (alert: { alertUserIds?: string[]; alertGroups?: string[] }) => {
      const res = await call(t.app, teacher, 'POST', '/api/concerns', {
        pupils: [{ pupilId: s.ava.id, role: 'subject' }],
        categoryIds: [s.bullying.id],
        happenedAt: new Date(clock.now().getTime() - 60_000).toISOString(),
        body: 'Bruise on the arm.',
        ...alert,
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<{ id: string }>().id;
    };
    const byName = await log({ alertUserIds: [s.dsl.id] });
    const byGroup = await log({ alertGroups: ['dsl'] });
    const acknowledged = await log({ alertUserIds: [s.dsl.id, s.teacher2.id] });
    const notTeam = await log({ alertUserIds: [s.teacher2.id] });
    const dsl = await elevatedSignIn(s.dsl);
    const mine = await call(t.app, dsl, 'GET', '/api/alerts');
    const alert = mine
      .json<{ items: { id: string; targetId: string }[] }>()
      .items.find((a) => a.targetId === acknowledged)!;
    expect((await call(t.app, dsl, 'POST', `/api/alerts/${alert.id}/acknowledge`)).statusCode).toBe(
      200,
    );
    const escalatedTo = (id: string) =>
      unsafeAsOwner(t.services.db, async (q) =>
        (
          await q.query<{ recipient_id: string }>(
            `SELECT recipient_id FROM alerts WHERE target_id = $1 AND kind = 'escalation'`,
            [id],
          )
        )
          .map((r) => r.recipient_id)
          .sort(),
      );
    await runDueWork(t.services, new Date(Date.now() + 61 * 60_000));
    const leads = [s.deputy.id, s.head.id].sort();
    expect(await escalatedTo(byName)).toEqual(leads);
    expect(await escalatedTo(byGroup)).toEqual(leads);
    expect(await escalatedTo(acknowledged)).toEqual([]);
    expect(await escalatedTo(notTeam)).toEqual([]);
  });

  it('refuses bad input and writes nothing: no concern, link, alert, file or audit entry', async () => {
    const s = await school();
    const teacher = await signIn(t.app, s.teacher);
    const base = {
      pupils: [{ pupilId: s.ava.id, role: 'subject' }],
      categoryIds: [s.bullying.id],
      happenedAt: new Date(clock.now().getTime() - 60_000).toISOString(),
      body: 'Text',
      alertGroups: ['dsl_team'],
    };
    const unknown = '00000000-0000-4000-8000-000000000000';
    const refusedConcerns: [string, unknown, RegExp][] = [
      ['no pupil', { ...base, pupils: [] }, /pupils/],
      ['no text', { ...base, body: '   ' }, /cannot be empty/],
      [
        'a future date',
        { ...base, happenedAt: new Date(clock.now().getTime() + 86_400_000).toISOString() },
        /future/,
      ],
      ['an unknown category', { ...base, categoryIds: [unknown] }, /category does not exist/],
      ['an unknown pupil', { ...base, pupils: [{ pupilId: unknown, role: 'subject' }] }, /pupil/],
      [
        'a pupil without a role',
        { ...base, pupils: [{ pupilId: s.ava.id }] },
        /role|required property/,
      ],
      [
        'an off-map body mark',
        {
          ...base,
          bodyMap: [{ side: 'front', x: 0.02, y: 0.98, type: 'bruise', description: 'x' }],
        },
        /off the map/,
      ],
    ];
    const before = await footprint(s.schoolId);
    expect(before.concerns).toBe(0);
    for (const [what, payload, message] of refusedConcerns) {
      const res = await call(t.app, teacher, 'POST', '/api/concerns', payload);
      expect(res.statusCode, what).toBe(400);
      expect(res.json<{ error: { message: string } }>().error.message, what).toMatch(message);
      expect(await footprint(s.schoolId), what).toEqual(before);
    }
    const mine = await call(t.app, teacher, 'GET', '/api/concerns?mine=true');
    expect(mine.json<{ items: unknown[] }>().items).toEqual([]);

    const ok = await call(t.app, teacher, 'POST', '/api/concerns', base);
    expect(ok.statusCode, ok.body).toBe(201);
    const id = ok.json<{ id: string }>().id;
    const logged = await footprint(s.schoolId);
    // The good one wrote each kind of row, so the counts above could have moved.
    expect(logged).toMatchObject({ concerns: 1, concernPupils: 1, concernCategories: 1 });
    expect(logged.alerts).toBeGreaterThan(0);
    expect(logged.audit['concern.created']).toBe(1);

    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]);
    exe.write('PE\0\0', 0x80);
    exe.writeUInt32LE(0x80, 0x3c);
    const upload = (bytes: Buffer, name: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/concerns/${id}/attachments`,
        headers: {
          'x-file-name': encodeURIComponent(name),
          cookie: teacher.cookie,
          'x-csrf-token': teacher.csrf,
          'content-type': 'application/octet-stream',
        },
        payload: bytes,
      });
    const refused = await upload(exe, 'report.pdf');
    expect(refused.statusCode, refused.body).toBe(400);
    expect(await footprint(s.schoolId)).toEqual(logged);
    const big = await upload(Buffer.alloc(21 * 1024 * 1024, 0x41), 'notes.txt');
    expect(big.statusCode).toBe(400);
    expect(big.body).toMatch(/limit/);
    expect(await footprint(s.schoolId)).toEqual(logged);
    const pdfBytes = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
    const good = await upload(pdfBytes, 'letter.pdf');
    expect(good.statusCode, good.body).toBe(201);
    // The accepted file shows what the refused ones would have written.
    expect(await footprint(s.schoolId)).toMatchObject({
      attachments: 1,
      attachmentBlobs: 1,
      audit: { ...logged.audit, 'attachment.uploaded': 1 },
    });
    const down = await call(
      t.app,
      teacher,
      'GET',
      `/api/attachments/${good.json<{ id: string }>().id}`,
    );
    expect(down.statusCode).toBe(200);
    expect(down.headers['content-disposition']).toMatch(/^attachment;/);
    expect(down.rawPayload.equals(pdfBytes)).toBe(true);

    // Edits keep the previous version; a correction that breaks a rule writes nothing.
    const edit = await call(t.app, teacher, 'PATCH', `/api/concerns/${id}`, {
      body: 'Corrected text',
      reason: 'Typo',
    });
    expect(edit.statusCode, edit.body).toBe(200);
    expect(edit.json<{ version: number }>().version).toBe(2);
    const versions = await call(t.app, teacher, 'GET', `/api/concerns/${id}/versions`);
    expect(versions.json<{ items: { body: string; reason: string }[] }>().items).toEqual([
      expect.objectContaining({ body: 'Text', reason: 'Typo' }),
    ]);
    const edited = await footprint(s.schoolId);
    const stored = await concernRow(id);
    for (const [what, payload] of [
      ['blank text', { body: '  ', reason: 'x' }],
      [
        'a future date',
        { happenedAt: new Date(Date.now() + 86_400_000).toISOString(), reason: 'x' },
      ],
      ['an unknown category', { categoryIds: [unknown], reason: 'x' }],
    ] as const) {
      const res = await call(t.app, teacher, 'PATCH', `/api/concerns/${id}`, payload);
      expect(res.statusCode, what).toBe(400);
      expect(await footprint(s.schoolId), what).toEqual(edited);
      expect(await concernRow(id), what).toEqual(stored);
    }

    // Another school's member cannot edit it: 404, and the record is exactly as it was.
    const other = await makeSchool(t.services);
    const outsider = await signIn(t.app, await makeUser(t.services, other, 'teacher'));
    const foreign = await call(t.app, outsider, 'PATCH', `/api/concerns/${id}`, {
      body: 'Hijack',
      reason: 'x',
    });
    expect(foreign.statusCode).toBe(404);
    expect(await concernRow(id)).toEqual(stored);
    expect(stored.version).toBe(2);
    expect(await footprint(s.schoolId)).toEqual(edited);
    expect((await footprint(other)).audit['concern.edited']).toBeUndefined();
    const reread = await call(t.app, teacher, 'GET', `/api/concerns/${id}`);
    expect(reread.json<{ body: string; version: number }>()).toMatchObject({
      body: 'Corrected text',
      version: 2,
    });
  });
});
