// The rest of issue 20's unusual access and anchors, through the API: a teacher with a wide grant
// opening pupils they do not teach trips the wide-grant rule (its own alert kind, to the DSL team
// and the head, never the member), while the pupils they teach, the DSL team and a rule switched
// off raise nothing; the DPO drafts a breach from a signal (prefilled, no child named, linked both
// ways, once, audited; refused to whoever does not hold the register); the DPO chooses to be
// emailed each day's anchor code (audited), the email holds the code alone and reaches the DPO
// through the outbox and a real SMTP server, and the code read back is checked on the explorer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  call,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  type TestApp,
  type TestUser,
  categoryIds,
} from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import {
  auditRows,
  drainWork,
  startMailTrap,
  type MailTrap,
} from '../identity/identity-test-kit.ts';
import { runUnusualAccessScan } from '../../jobs/unusual-access.ts';
import { emailAnchorCodes } from '../../jobs/audit-anchors.ts';
import { loadOrCreateAnchorKey, writeAnchors } from '../../platform/audit/anchors.ts';
import { formatAnchorCode } from '../../shared/anchor-code.ts';
import type { UnusualAccess, UnusualAccessRules } from '../../shared/schemas/audit-trail.ts';
import type { BreachDetail } from '../../shared/schemas/data-protection.ts';

let t: TestApp;
let mail: MailTrap;
beforeAll(async () => {
  mail = await startMailTrap();
  t = await testApp({ config: { logLevel: 'error', smtpUrl: mail.url } });
});
afterAll(async () => {
  await t.close();
  await mail.close();
});

const RULES: UnusualAccessRules = {
  pupilsPerHour: 0,
  pupilsPerDay: 0,
  refusalsPerHour: 0,
  exportsPerDay: 0,
  wideGrantPupilsPerDay: 2,
  schoolHours: null,
};

const owner = (sql: string, params: unknown[]) =>
  unsafeAsOwner(t.services.db, (q) => q.query(sql, params));

/** A member's own registration group, as the MIS gives it. */
const teaches = (u: TestUser, form: string) =>
  owner(
    `INSERT INTO staff_teaching_groups (school_id, user_id, group_ref, source) VALUES ($1, $2, $3, 'mis')`,
    [u.schoolId, u.id, `form:${form}`],
  );
/** Adds a member to one of the school's default groups (by key). */
const joins = (u: TestUser, key: string) =>
  owner(
    `INSERT INTO staff_group_members (school_id, group_id, user_id)
     SELECT school_id, id, $2 FROM staff_groups WHERE school_id = $1 AND key = $3`,
    [u.schoolId, u.id, key],
  );

async function school(rules: UnusualAccessRules = RULES) {
  const schoolId = await makeSchool(t.services);
  const dslUser = await makeUser(t.services, schoolId, 'dsl', 'Dana DSL');
  const headUser = await makeUser(t.services, schoolId, 'headteacher', 'Hal Head');
  const dpoUser = await makeUser(t.services, schoolId, 'dpo', 'Deb DPO');
  const teacherUser = await makeUser(t.services, schoolId, 'teacher', 'Tom Teacher');
  await teaches(teacherUser, '7A');
  await joins(teacherUser, 'pastoral'); // a wide grant: non-restricted records, whole school
  const dsl = await signIn(t.app, dslUser, { elevated: true });
  const head = await signIn(t.app, headUser, { elevated: true });
  const dpo = await signIn(t.app, dpoUser, { elevated: true });
  const teacher = await signIn(t.app, teacherUser, { elevated: true });
  const taught = await makePupil(t.services, schoolId, { form: '7A', firstName: 'Tia' });
  const others = [
    await makePupil(t.services, schoolId, { form: '7B', firstName: 'Olly' }),
    await makePupil(t.services, schoolId, { form: '8C', yearGroup: 'Year 8', firstName: 'Ona' }),
  ];
  const set = await call(t.app, head, 'PUT', '/api/audit/unusual-access/rules', rules);
  expect(set.statusCode, set.body).toBe(200);
  const scan = () => runUnusualAccessScan(t.services, new Date(), [schoolId]);
  await scan(); // starts watching from here
  return {
    schoolId,
    dslUser,
    headUser,
    dpoUser,
    teacherUser,
    dsl,
    head,
    dpo,
    teacher,
    taught,
    others,
    scan,
  };
}

const open = async (s: Awaited<ReturnType<typeof school>>['teacher'], pupilId: string) =>
  expect((await call(t.app, s, 'GET', `/api/pupils/${pupilId}/chronology`)).statusCode).toBe(200);

const signals = async (s: Awaited<ReturnType<typeof school>>['head']) =>
  (await call(t.app, s, 'GET', '/api/audit/unusual-access')).json<UnusualAccess>().signals;

describe('the wide-grant rule', () => {
  it('a teacher opening pupils they do not teach through a wide grant alerts the DSL team and head, naming the rule', async () => {
    const s = await school();
    await open(s.teacher, s.taught.id); // taught: never counts
    await open(s.teacher, s.others[0]!.id);
    expect(await s.scan()).toBe(0); // one pupil outside their classes: under the threshold of 2
    await open(s.teacher, s.others[1]!.id);
    expect(await s.scan()).toBe(1);
    expect(await s.scan()).toBe(0); // the same day: not again
    const alerts = await owner(
      `SELECT recipient_id, kind, target_id FROM alerts WHERE school_id = $1 AND kind LIKE 'unusual%'`,
      [s.schoolId],
    );
    const rows = alerts as { recipient_id: string; kind: string; target_id: string }[];
    expect(rows.map((a) => a.recipient_id)).toEqual(
      expect.arrayContaining([s.dslUser.id, s.headUser.id]),
    );
    expect(rows.map((a) => a.recipient_id)).not.toContain(s.teacherUser.id);
    // The breach register's holder (the DPO) is told too.
    expect(rows.map((a) => a.recipient_id)).toContain(s.dpoUser.id);
    expect(new Set(rows.map((a) => a.kind))).toEqual(new Set(['unusual_access_wide_grant']));
    expect(rows.every((a) => a.target_id === s.teacherUser.id)).toBe(true);
    const [signal] = await signals(s.head);
    expect(signal).toMatchObject({
      rule: 'wide_grant',
      member: 'Tom Teacher',
      count: 2,
      what: 'opened 2 pupils’ records outside their own classes, through a wide grant, in a day',
      breachId: null,
      allowed: [], // the head does not hold the breach register
    });
    // The alert as the head's app lists it names the rule through its kind, and nothing of a child.
    const list = await call(t.app, s.head, 'GET', '/api/alerts');
    expect(list.body).toContain('unusual_access_wide_grant');
    expect(list.body).not.toContain('Olly');
    const audited = (await auditRows(t, s.schoolId)).filter(
      (r) => r.action === 'audit.unusual_access',
    );
    expect(audited.map((r) => r.details)).toEqual([
      expect.objectContaining({ rule: 'wide_grant', observed: 2 }),
    ]);
  });

  it('pupils opened through a concern and a file count through the wide grant', async () => {
    const s = await school();
    const cats = await categoryIds(t.services, s.schoolId);
    const ids: string[] = [];
    for (const p of s.others) {
      const logged = await call(t.app, s.dsl, 'POST', '/api/concerns', {
        pupils: [{ pupilId: p.id, role: 'subject' }],
        categoryIds: [cats.find((c) => !c.restricted)!.id],
        happenedAt: new Date(Date.now() - 60_000).toISOString(),
        body: 'A worry outside the teacher’s classes.',
      });
      expect(logged.statusCode, logged.body).toBe(201);
      ids.push(logged.json<{ id: string }>().id);
    }
    const uploaded = await t.app.inject({
      method: 'POST',
      url: `/api/concerns/${ids[1]}/attachments`,
      headers: {
        'x-file-name': 'note.txt',
        cookie: s.dsl.cookie,
        'x-csrf-token': s.dsl.csrf,
        'content-type': 'application/octet-stream',
      },
      payload: Buffer.from('A note.'),
    });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const fileId = uploaded.json<{ id: string }>().id;
    await s.scan(); // the making above is behind the watch
    // One pupil through a concern, the other through a file on theirs: two, the threshold.
    expect((await call(t.app, s.teacher, 'GET', `/api/concerns/${ids[0]}`)).statusCode).toBe(200);
    expect((await call(t.app, s.teacher, 'GET', `/api/attachments/${fileId}`)).statusCode).toBe(
      200,
    );
    expect(await s.scan()).toBe(1);
    const [signal] = await signals(s.head);
    expect(signal).toMatchObject({ rule: 'wide_grant', member: 'Tom Teacher', count: 2 });
  });

  it('a group incident naming one of their class counts for nothing: judged per record', async () => {
    const s = await school();
    const cats = await categoryIds(t.services, s.schoolId);
    // The DSL logs one incident about three pupils: one the teacher teaches, two they do not.
    const logged = await call(t.app, s.dsl, 'POST', '/api/concerns', {
      pupils: [s.taught, ...s.others].map((p) => ({ pupilId: p.id, role: 'subject' })),
      categoryIds: [cats.find((c) => !c.restricted)!.id],
      happenedAt: new Date(Date.now() - 60_000).toISOString(),
      body: 'A fight at break between three pupils.',
    });
    expect(logged.statusCode, logged.body).toBe(201);
    const { id } = logged.json<{ id: string }>();
    const read = await call(t.app, s.teacher, 'GET', `/api/concerns/${id}`);
    expect(read.statusCode, read.body).toBe(200);
    // Two pupils outside their classes (the threshold), but on a record of their own class's.
    expect(await s.scan()).toBe(0);
    // The same two opened on their own records do count.
    for (const p of s.others) await open(s.teacher, p.id);
    expect(await s.scan()).toBe(1);
  });

  it('the DSL team, a teacher without a wide grant, and the rule switched off raise nothing', async () => {
    const s = await school();
    // The DSL reads any pupil by their role.
    for (const p of s.others) await open(s.dsl, p.id);
    // A class teacher with no wide grant cannot open a pupil they do not teach at all.
    const plainUser = await makeUser(t.services, s.schoolId, 'teacher', 'Pat Plain');
    await teaches(plainUser, '7A');
    const plain = await signIn(t.app, plainUser, { elevated: true });
    await open(plain, s.taught.id);
    const refused = await call(t.app, plain, 'GET', `/api/pupils/${s.others[0]!.id}/chronology`);
    expect([403, 404]).toContain(refused.statusCode);
    expect(await s.scan()).toBe(0);
    // Switched off: the teacher's reading outside their classes raises nothing.
    const off = await call(t.app, s.head, 'PUT', '/api/audit/unusual-access/rules', {
      ...RULES,
      wideGrantPupilsPerDay: 0,
    });
    expect(off.json<UnusualAccess>().rules.wideGrantPupilsPerDay).toBe(0);
    for (const p of s.others) await open(s.teacher, p.id);
    expect(await s.scan()).toBe(0);
  });

  it('rules saved before the rule existed read with its default; a bad threshold is refused and nothing changes', async () => {
    const s = await school();
    const { wideGrantPupilsPerDay: _, ...old } = RULES;
    await owner(
      `UPDATE schools SET settings = jsonb_set(settings, '{unusualAccess}', $2::jsonb) WHERE id = $1`,
      [s.schoolId, JSON.stringify(old)],
    );
    const read = await call(t.app, s.head, 'GET', '/api/audit/unusual-access');
    expect(read.json<UnusualAccess>().rules.wideGrantPupilsPerDay).toBe(3);
    const bad = await call(t.app, s.head, 'PUT', '/api/audit/unusual-access/rules', {
      ...RULES,
      wideGrantPupilsPerDay: 'lots',
    });
    expect(bad.statusCode).toBe(400);
    const again = await call(t.app, s.head, 'GET', '/api/audit/unusual-access');
    expect(again.json<UnusualAccess>().rules.wideGrantPupilsPerDay).toBe(3);
  });
});

describe('a draft breach from a signal', () => {
  it('the DPO drafts one, prefilled without any child named, linked both ways, once; audited', async () => {
    const s = await school();
    for (const p of s.others) await open(s.teacher, p.id);
    expect(await s.scan()).toBe(1);
    const [signal] = await signals(s.dpo);
    expect(signal?.allowed).toEqual(['draft_breach']);
    // The DSL reads the signal but does not hold the register.
    const dslTry = await call(
      t.app,
      s.dsl,
      'POST',
      `/api/audit/unusual-access/signals/${signal!.id}/breach`,
    );
    expect(dslTry.statusCode).toBe(403);
    const made = await call(
      t.app,
      s.dpo,
      'POST',
      `/api/audit/unusual-access/signals/${signal!.id}/breach`,
    );
    expect(made.statusCode, made.body).toBe(201);
    const { id } = made.json<{ id: string }>();
    const breach = (
      await call(t.app, s.dpo, 'GET', `/api/data-protection/breaches/${id}`)
    ).json<BreachDetail>();
    expect(breach).toMatchObject({
      status: 'draft',
      source: 'unusual_access',
      types: ['confidentiality'],
      peopleApprox: 2,
    });
    expect(breach.howAware).toContain('pupils one does not teach, opened through a wide grant');
    expect(breach.howAware).toContain('Tom Teacher');
    expect(breach.howAware).toContain('Drafted from the signal by Deb DPO');
    for (const p of [s.taught, ...s.others]) {
      expect(breach.howAware).not.toContain(p.name);
      expect(breach.howAware).not.toContain(p.id);
    }
    expect(breach.occurredTo).toBe(signal!.raisedAt);
    // Aware from the signal's raising (when the DPO was alerted), not from the drafting.
    expect(breach.becameAwareAt).toBe(signal!.raisedAt);
    // Linked back: the signal names its breach and offers no second draft.
    const [after] = await signals(s.dpo);
    expect(after).toMatchObject({ breachId: id, allowed: [] });
    const twice = await call(
      t.app,
      s.dpo,
      'POST',
      `/api/audit/unusual-access/signals/${signal!.id}/breach`,
    );
    expect(twice.statusCode).toBe(409);
    expect(twice.body).toContain('already drafted');
    const audited = (await auditRows(t, s.schoolId)).filter(
      (r) => r.action === 'audit.signal_breach_drafted',
    );
    expect(audited).toHaveLength(1);
    expect(audited[0]?.details).toEqual({ signal: signal!.id, rule: 'wide_grant' });
    // A second signal's draft may be open beside the first (one per signal).
    const count = await owner(`SELECT count(*)::int AS n FROM dp_breaches WHERE school_id = $1`, [
      s.schoolId,
    ]);
    expect((count[0] as { n: number }).n).toBe(1);
  });

  it('an unknown signal, another school’s, or a malformed id: refused, nothing written', async () => {
    const s = await school();
    const other = await school();
    for (const p of other.others) await open(other.teacher, p.id);
    expect(await other.scan()).toBe(1);
    const [theirs] = await signals(other.dpo);
    const cross = await call(
      t.app,
      s.dpo,
      'POST',
      `/api/audit/unusual-access/signals/${theirs!.id}/breach`,
    );
    expect(cross.statusCode).toBe(404);
    const unknown = await call(
      t.app,
      s.dpo,
      'POST',
      '/api/audit/unusual-access/signals/00000000-0000-4000-8000-000000000000/breach',
    );
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('That unusual-access signal was not found.');
    const bad = await call(t.app, s.dpo, 'POST', '/api/audit/unusual-access/signals/nope/breach');
    expect(bad.statusCode).toBe(400);
    const rows = await owner(`SELECT id FROM dp_breaches WHERE school_id = ANY($1::uuid[])`, [
      [s.schoolId, other.schoolId],
    ]);
    expect(rows).toHaveLength(0);
  });
});

describe('the anchor code', () => {
  it('the DPO chooses to be emailed the day’s code; the email holds the code alone; it checks on the explorer', async () => {
    const s = await school();
    const before = await call(t.app, s.dsl, 'GET', '/api/audit/anchor-email');
    expect(before.json()).toEqual({ emailCode: false, allowed: [] });
    const dslTry = await call(t.app, s.dsl, 'PUT', '/api/audit/anchor-email', { emailCode: true });
    expect(dslTry.statusCode).toBe(403);
    const bad = await call(t.app, s.dpo, 'PUT', '/api/audit/anchor-email', { emailCode: 'yes' });
    expect(bad.statusCode).toBe(400);
    const on = await call(t.app, s.dpo, 'PUT', '/api/audit/anchor-email', { emailCode: true });
    expect(on.json()).toEqual({ emailCode: true, allowed: ['change'] });
    const changes = (await auditRows(t, s.schoolId)).filter(
      (r) => r.action === 'audit.anchor_email_changed',
    );
    expect(changes.map((c) => c.details)).toEqual([
      { changed: ['anchorCodeEmail'], before: 'false', after: 'true' },
    ]);

    const dir = mkdtempSync(path.join(tmpdir(), 'lantern-anchors-'));
    const key = loadOrCreateAnchorKey(path.join(mkdtempSync(path.join(tmpdir(), 'k-')), 'a.key'));
    const anchors = await writeAnchors(t.services.db, dir, key, new Date());
    const mine = anchors.find((a) => a.schoolId === s.schoolId)!;
    const seen = mail.messages.length;
    const queued = await emailAnchorCodes(t.services, anchors);
    expect(queued).toBeGreaterThanOrEqual(1); // this school's DPO (others may have chosen too)
    await drainWork(t);
    const dpoEmail = (
      (await owner(
        'SELECT email FROM users WHERE id = (SELECT user_id FROM staff_group_members m JOIN staff_groups g ON g.id = m.group_id WHERE g.school_id = $1 AND g.key = $2 LIMIT 1)',
        [s.schoolId, 'dpo'],
      )) as { email: string }[]
    )[0]!.email;
    const anchorMail = mail.messages
      .slice(seen)
      .filter((m) => m.text.includes('Subject: Your audit anchor code for today'));
    expect(anchorMail.map((m) => m.to)).toContainEqual([dpoEmail]);
    const text = anchorMail.find((m) => m.to.includes(dpoEmail))!.text;
    const code = formatAnchorCode(mine.at.slice(0, 10), mine.seq, mine.hash);
    expect(text).toContain(code);
    // The school's name, so a DPO of several schools knows whose trail it is.
    const schoolName = (
      (await owner('SELECT name FROM schools WHERE id = $1', [s.schoolId])) as { name: string }[]
    )[0]!.name;
    expect(text).toContain(`Subject: Your audit anchor code for today: ${schoolName}`);
    // Nothing else sensitive: no member's name, no pupil, no identifier.
    for (const word of ['Tom Teacher', 'Dana DSL', 'Olly', s.schoolId])
      expect(text).not.toContain(word);
    // Only the register's holder is emailed the code, not the DSL team or the head.
    const others = (await owner('SELECT email FROM users WHERE id = ANY($1::uuid[])', [
      [s.dslUser.id, s.headUser.id],
    ])) as { email: string }[];
    for (const o of others) expect(anchorMail.some((m) => m.to.includes(o.email))).toBe(false);
    const emailed = (await auditRows(t, s.schoolId)).filter(
      (r) => r.action === 'audit.anchor_code_emailed',
    );
    expect(emailed.map((r) => r.details)).toEqual([
      { seq: mine.seq, day: mine.at.slice(0, 10), recipients: 1 },
    ]);

    // Read back on the explorer: the code matches; a digit misread, an entry the trail never
    // reached, and the wrong day do not; a code that is no code is refused with its shape.
    const check = (c: string) =>
      call(t.app, s.head, 'POST', '/api/audit/anchor-code/check', { code: c });
    // Read back loosely: capitals, spaces for dashes, no '#'.
    const spoken = `${mine.at.slice(0, 10)} ${mine.seq} ${mine.hash.slice(0, 8).toUpperCase()} ${mine.hash.slice(8, 16)}`;
    const ok = await check(spoken);
    expect(ok.json()).toMatchObject({ matches: true });
    const flip = code.slice(0, -1) + (code.endsWith('0') ? '1' : '0');
    expect((await check(flip)).json()).toMatchObject({ matches: false });
    expect((await check(flip)).json<{ message: string }>().message).toContain('rewritten');
    const far = formatAnchorCode(mine.at.slice(0, 10), mine.seq + 100_000, mine.hash);
    expect((await check(far)).json<{ message: string }>().message).toContain('cut short');
    const early = formatAnchorCode('2001-01-01', mine.seq, mine.hash);
    expect((await check(early)).json<{ message: string }>().message).toContain(
      'does not belong to that day',
    );
    const notACode = await check('hello');
    expect(notACode.statusCode).toBe(400);
    expect(notACode.body).toContain('A code looks like');
    const teacherTry = await call(t.app, s.teacher, 'POST', '/api/audit/anchor-code/check', {
      code,
    });
    expect(teacherTry.statusCode).toBe(403);
    const checks = (await auditRows(t, s.schoolId)).filter(
      (r) => r.action === 'audit.anchor_code_checked',
    );
    expect(checks.map((r) => (r.details as { matches: boolean }).matches)).toEqual([
      true,
      false,
      false,
      false,
      false,
    ]);

    // An earlier entry rewritten in the database (as the owner), the code's own entry untouched:
    // the code's hash still matches, but the chain up to it no longer recomputes.
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(
        `UPDATE audit_events SET actor_label = 'Someone else' WHERE school_id = $1 AND seq = 1`,
        [s.schoolId],
      ),
    );
    const tampered = await check(spoken);
    expect(tampered.statusCode).toBe(200);
    expect(tampered.json()).toMatchObject({ matches: false });
    expect(tampered.json<{ message: string }>().message).toContain('entry 1,');
    expect(tampered.json<{ message: string }>().message).toContain('does not recompute');
  });

  it('a school that has not chosen is emailed nothing', async () => {
    const s = await school();
    const dir = mkdtempSync(path.join(tmpdir(), 'lantern-anchors-'));
    const key = loadOrCreateAnchorKey(path.join(mkdtempSync(path.join(tmpdir(), 'k-')), 'a.key'));
    const anchors = await writeAnchors(t.services.db, dir, key, new Date());
    await emailAnchorCodes(
      t.services,
      anchors.filter((a) => a.schoolId === s.schoolId),
    );
    const emailed = (await auditRows(t, s.schoolId)).filter(
      (r) => r.action === 'audit.anchor_code_emailed',
    );
    expect(emailed).toHaveLength(0);
  });
});
