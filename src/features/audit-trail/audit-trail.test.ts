// Reading the audit trail over HTTP (issue 20): "Who has seen this record" lists every view,
// opened record, export and change about one pupil — and nothing about another — newest first, by
// a signed cursor bound to the pupil and filters; the explorer searches by person, pupil, event and
// date and exports formula-safe CSV; reading is itself audited; the integrity check finds an
// altered entry. Only holders of `audit` (the DSL team, the headteacher, the DPO), elevated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  type TestApp,
} from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { auditRows } from '../identity/identity-test-kit.ts';
import { appendAudit } from '../../platform/audit/chain.ts';
import type { PupilLog, TrailIntegrity, TrailPage } from '../../shared/schemas/audit-trail.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' } });
  t.services.mailer = { send: () => Promise.resolve() };
});
afterAll(async () => t.close());

async function school() {
  const schoolId = await makeSchool(t.services);
  const dslUser = await makeUser(t.services, schoolId, 'dsl', 'Dana DSL');
  const teacherUser = await makeUser(t.services, schoolId, 'teacher', '=HYPERLINK("x")');
  const dsl = await signIn(t.app, dslUser, { elevated: true });
  const teacher = await signIn(t.app, teacherUser, { elevated: true });
  const dpo = await signIn(t.app, await makeUser(t.services, schoolId, 'dpo'), { elevated: true });
  const pupil = await makePupil(t.services, schoolId, { form: '7A' });
  const other = await makePupil(t.services, schoolId, { form: '7A' });
  const [cat] = await categoryIds(t.services, schoolId);
  const log = async (pupilId: string) => {
    const res = await call(t.app, teacher, 'POST', '/api/concerns', {
      pupils: [{ pupilId, role: 'subject' }],
      categoryIds: [cat!.id],
      happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
      body: 'Said she was scared to go home.',
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  };
  return { schoolId, dsl, dslUser, teacher, teacherUser, dpo, pupil, other, log };
}

const logOf = async (s: Awaited<ReturnType<typeof school>>['dsl'], pupilId: string, query = '') => {
  const res = await call(t.app, s, 'GET', `/api/pupils/${pupilId}/access-log${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<PupilLog>();
};

describe('who has seen this record', () => {
  it('keeps the concerns-about-adults area out of its entries and its people list', async () => {
    const s = await school();
    const head = await makeUser(t.services, s.schoolId, 'headteacher', 'Hal Head');
    // An entry of the separate area (issue 19) that names the pupil as its target: it must not
    // show, nor its actor be offered as a person of this record.
    await unsafeAsOwner(t.services.db, (q) =>
      appendAudit(
        q,
        s.schoolId,
        { actorId: head.id, actorLabel: 'Hal Head', ip: null, userAgent: null },
        { action: 'staff_concerns.viewed', targetType: 'pupil', targetId: s.pupil.id },
      ),
    );
    await s.log(s.pupil.id);
    const log = await logOf(s.dsl, s.pupil.id);
    expect(log.entries.length).toBeGreaterThan(0);
    expect(log.entries.filter((e) => e.action.startsWith('staff_concerns.'))).toEqual([]);
    expect(log.people.map((p) => p.id)).not.toContain(head.id);
    expect(log.people.map((p) => p.name)).toContain('=HYPERLINK("x")');
  });

  it('lists each view, export and change of this pupil’s record, newest first, and nothing of another’s', async () => {
    const s = await school();
    const mine = await s.log(s.pupil.id);
    const theirs = await s.log(s.other.id);
    expect((await call(t.app, s.dsl, 'GET', `/api/concerns/${mine}`)).statusCode).toBe(200);
    expect((await call(t.app, s.dsl, 'GET', `/api/concerns/${theirs}`)).statusCode).toBe(200);
    expect(
      (await call(t.app, s.dsl, 'GET', `/api/pupils/${s.pupil.id}/chronology`)).statusCode,
    ).toBe(200);

    const log = await logOf(s.dsl, s.pupil.id);
    const whats = log.entries.map((e) => [e.who, e.what]);
    expect(whats).toEqual([
      ['Dana DSL', 'Read the chronology'],
      ['Dana DSL', 'Opened a concern'],
      // Logging answers the concern as saved (a view), and its alerts are sent in the same request.
      ['=HYPERLINK("x")', 'Opened a concern'],
      ['=HYPERLINK("x")', 'Alert sent'],
      ['=HYPERLINK("x")', 'Logged a concern'],
    ]);
    expect(log.entries.every((e) => e.recordId !== theirs)).toBe(true);
    expect(log.total).toBe(5);
    expect(log.entries[1]).toMatchObject({ recordType: 'concern', recordId: mine, kind: 'view' });
    expect(log.people.map((p) => p.name).sort()).toEqual(['=HYPERLINK("x")', 'Dana DSL']);

    // Reading it is itself audited, against the pupil, and so appears the next time.
    const again = await logOf(s.dsl, s.pupil.id);
    expect(again.entries[0]).toMatchObject({ what: 'Read who has seen this record', kind: 'view' });
    const rows = await auditRows(t, s.schoolId);
    expect(rows.filter((r) => r.action === 'audit.pupil_log_viewed')).toHaveLength(2);

    // Filters: by person and by kind, in SQL.
    const byTeacher = await logOf(s.dsl, s.pupil.id, `?person=${s.teacherUser.id}`);
    expect(byTeacher.entries.map((e) => e.what)).toEqual([
      'Opened a concern',
      'Alert sent',
      'Logged a concern',
    ]);
    const changes = await logOf(s.dsl, s.pupil.id, '?kind=change');
    expect(changes.entries.map((e) => e.what)).toEqual(['Alert sent', 'Logged a concern']);
    expect(changes.total).toBe(2);
  });

  it('pages by a cursor bound to the pupil and filters; a tampered or borrowed cursor is a 400', async () => {
    const s = await school();
    const id = await s.log(s.pupil.id);
    for (let i = 0; i < 105; i++) await call(t.app, s.dsl, 'GET', `/api/concerns/${id}`);
    const first = await logOf(s.dsl, s.pupil.id);
    expect(first.entries).toHaveLength(100);
    expect(first.total).toBe(108); // 105 views, and the logging's own view, alert and creation
    const second = await logOf(
      s.dsl,
      s.pupil.id,
      `?cursor=${encodeURIComponent(first.nextCursor!)}`,
    );
    expect(second.entries.map((e) => e.what)).toEqual([
      ...Array<string>(6).fill('Opened a concern'),
      'Alert sent',
      'Logged a concern',
    ]);
    expect(second.nextCursor).toBeUndefined();
    expect(second.entries[0]!.seq).toBeLessThan(first.entries.at(-1)!.seq);

    const borrowed = await call(
      t.app,
      s.dsl,
      'GET',
      `/api/pupils/${s.other.id}/access-log?cursor=${encodeURIComponent(first.nextCursor!)}`,
    );
    expect(borrowed.statusCode).toBe(400);
    const tampered = first.nextCursor!.replace(/^./, (c) => (c === 'e' ? 'f' : 'e'));
    const bad = await call(
      t.app,
      s.dsl,
      'GET',
      `/api/pupils/${s.pupil.id}/access-log?cursor=${tampered}`,
    );
    expect(bad.statusCode).toBe(400);
    const otherFilter = await call(
      t.app,
      s.dsl,
      'GET',
      `/api/pupils/${s.pupil.id}/access-log?kind=view&cursor=${encodeURIComponent(first.nextCursor!)}`,
    );
    expect(otherFilter.statusCode).toBe(400);
  });

  it('is for the DSL team and the headteacher; another school’s pupil is unknown', async () => {
    const s = await school();
    const elsewhere = await school();
    expect(
      (await call(t.app, s.teacher, 'GET', `/api/pupils/${s.pupil.id}/access-log`)).statusCode,
    ).toBe(403);
    // The DPO reads the school's trail in the explorer, but sees no pupil's record (no scope).
    expect(
      (await call(t.app, s.dpo, 'GET', `/api/pupils/${s.pupil.id}/access-log`)).statusCode,
    ).toBe(403);
    expect((await call(t.app, s.dpo, 'GET', '/api/audit')).statusCode).toBe(200);
    const head = await signIn(t.app, await makeUser(t.services, s.schoolId, 'headteacher'), {
      elevated: true,
    });
    expect(
      (await call(t.app, head, 'GET', `/api/pupils/${s.pupil.id}/access-log`)).statusCode,
    ).toBe(200);
    expect(
      (await call(t.app, s.dsl, 'GET', `/api/pupils/${elsewhere.pupil.id}/access-log`)).statusCode,
    ).toBe(404);
  });
});

describe('the audit explorer', () => {
  it('searches by person, pupil, event and date; refuses a backwards range and an unknown event', async () => {
    const s = await school();
    await s.log(s.pupil.id);
    await s.log(s.other.id);
    const get = async (q: string) => {
      const res = await call(t.app, s.dsl, 'GET', `/api/audit${q}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json<TrailPage>();
    };
    const created = await get('?action=concern.created');
    expect(created.entries).toHaveLength(2);
    const forPupil = await get(`?pupil=${s.pupil.id}&action=concern.created`);
    expect(forPupil.entries).toHaveLength(1);
    const byTeacher = await get(`?person=${s.teacherUser.id}&kind=change`);
    expect(byTeacher.entries.map((e) => e.action).sort()).toEqual([
      'alert.raised',
      'alert.raised',
      'concern.created',
      'concern.created',
    ]);
    const today = new Date().toISOString().slice(0, 10);
    expect((await get(`?from=${today}&to=${today}&action=concern.created`)).entries).toHaveLength(
      2,
    );
    expect((await get(`?to=2020-01-01&action=concern.created`)).entries).toHaveLength(0);
    expect(created.events.find((e) => e.action === 'concern.viewed')).toEqual({
      action: 'concern.viewed',
      label: 'Opened a concern',
      kind: 'view',
    });
    expect(created.people.map((p) => p.name)).toContain('Dana DSL');

    const backwards = await call(t.app, s.dsl, 'GET', '/api/audit?from=2026-03-02&to=2026-03-01');
    expect(backwards.statusCode).toBe(400);
    expect(backwards.body).toContain('The end date is before the start date.');
    const unknown = await call(t.app, s.dsl, 'GET', '/api/audit?action=concern.eaten');
    expect(unknown.statusCode).toBe(400);
    expect((await call(t.app, s.teacher, 'GET', '/api/audit')).statusCode).toBe(403);
    const viewed = (await auditRows(t, s.schoolId)).filter(
      (r) => r.action === 'audit.trail_viewed',
    );
    expect(viewed).toHaveLength(5); // each search read, none of the refused ones
    expect(viewed.at(-1)?.details).toEqual({ entries: 0, filters: ['action', 'to'] });
  });

  it('exports formula-safe CSV, audited', async () => {
    const s = await school();
    await s.log(s.pupil.id);
    const res = await call(t.app, s.dsl, 'GET', `/api/audit/export.csv?pupil=${s.pupil.id}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('Entry,When (UTC),Who,What,Event,Record type,Record,From');
    const logged = lines.find((l) => l.includes('concern.created'));
    // The member's name began with '=': written as text, never a formula.
    expect(logged).toContain(`"'=HYPERLINK(""x"")"`);
    const exported = (await auditRows(t, s.schoolId)).filter(
      (r) => r.action === 'audit.trail_exported',
    );
    expect(exported).toHaveLength(1);
    expect(exported[0]?.target_id).toBe(s.pupil.id);
    // The DPO holds `audit` but not `export`.
    expect((await call(t.app, s.dpo, 'GET', '/api/audit/export.csv')).statusCode).toBe(403);
  });

  it('checks the chain on demand and names the first altered entry', async () => {
    const s = await school();
    await s.log(s.pupil.id);
    const ok = await call(t.app, s.dsl, 'POST', '/api/audit/integrity');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json<TrailIntegrity>()).toMatchObject({ intact: true });
    const [target] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ seq: number }>(
        `SELECT seq FROM audit_events WHERE school_id = $1 AND action = 'concern.created'`,
        [s.schoolId],
      ),
    );
    await unsafeAsOwner(t.services.db, async (q) => {
      await q.query(`SELECT set_config('lantern.school_id', $1, true)`, [s.schoolId]);
      await q.query(
        `UPDATE audit_events SET actor_label = 'Someone else' WHERE school_id = $1 AND seq = $2`,
        [s.schoolId, target!.seq],
      );
    });
    const broken = (
      await call(t.app, s.dsl, 'POST', '/api/audit/integrity')
    ).json<TrailIntegrity>();
    expect(broken).toMatchObject({ intact: false, brokenAt: Number(target!.seq) });
    expect(broken.problem).toMatch(/altered/);
  });
});
