// Issue 13 on a real database: feeds as the integrators send them. A changeset never archives
// anyone it does not name; a changeset given as a full import is refused with nothing applied;
// Wonde's restored_at restores once; a re-import changes nothing; the guard holds a full run that
// would empty the school until an administrator applies or discards it (audited); the pull sends
// its stored cursor and falls back to a weekly full run.
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullBatch, generateSchool, writeBatch } from './fixtures/generate.ts';
import { readMisFolder } from './formats/index.ts';
import { runSync, SyncRejected, type SyncResult } from './sync.ts';
import { pullAndSync } from './pull.ts';
import { asSystem } from '../../core/context.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import {
  call,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  type Session,
  type TestApp,
} from '../../test/harness.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ config: { env: 'development' } });
});
afterAll(async () => t.close());

const published = (name: string) => join(import.meta.dirname, 'fixtures', 'published', name);
const q = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  unsafeAsOwner(t.services.db, (tx) => tx.query<T>(sql, params));
const door = (schoolId: string) => asSystem(t.services, schoolId, 'mis_sync');

async function cli(
  schoolId: string,
  format: 'wonde' | 'xporter' | 'csv',
  dir: string,
  kind?: 'full' | 'delta',
): Promise<SyncResult> {
  return runSync(door(schoolId), () => readMisFolder(format, dir, { kind }), {
    source: 'cli',
    format,
  });
}

const onRoll = async (schoolId: string) =>
  (
    await q<{ n: number }>(
      'SELECT count(*)::int AS n FROM pupils WHERE school_id = $1 AND archived_at IS NULL',
      [schoolId],
    )
  )[0]!.n;

const counts = (r: SyncResult) => [r.added, r.changed, r.archived];

/** A pupil's flag kinds as stored: sealed (migration 0022), so opened with the school's key. */
async function flagKinds(schoolId: string, misId: string): Promise<string[]> {
  const rows = await q<{ id: string; kind_sealed: Buffer }>(
    `SELECT f.id, f.kind_sealed FROM pupil_flags f JOIN pupils p ON p.id = f.pupil_id
     WHERE p.school_id = $1 AND p.mis_id = $2`,
    [schoolId, misId],
  );
  const sealer = await unsafeAsOwner(t.services.db, (tx) =>
    t.services.keys.forSchool(tx, schoolId),
  );
  return rows.map((r) => sealer.open('pupil_flags.kind', r.id, r.kind_sealed));
}

/** A 30-pupil school (as in the issue), imported from Xporter files written by the generator. */
async function xporterSchool(): Promise<{ id: string; school: ReturnType<typeof generateSchool> }> {
  const id = await makeSchool(t.services);
  const school = generateSchool({ pupils: 30, staff: 4, groups: 12, days: 1, seed: 13 });
  const dir = await mkdtemp(join(tmpdir(), 'lantern-xod-'));
  await writeBatch('xporter', dir, fullBatch(school));
  const first = await cli(id, 'xporter', dir);
  expect(first.status).toBe('applied');
  return { id, school };
}

/** A changeset as XoD sends it: two changed pupils, one deleted, `__changedRows__` set. */
async function changeset(school: ReturnType<typeof generateSchool>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lantern-xod-cs-'));
  const [a, b, gone] = school.pupils;
  const row = (p: typeof a, surname: string) => ({
    Id: p!.misId,
    UPN: p!.upn,
    Forename: p!.forename,
    Surname: surname,
    DOB: p!.dateOfBirth,
    InLeaCare: 1,
  });
  await writeFile(
    join(dir, 'Students.json'),
    JSON.stringify([
      { Students: [row(a, 'Changed-One')], __changedRows__: 'cs-1', NextChangedRows: null },
      {
        Students: [row(b, 'Changed-Two')],
        __changedRows__: 'cs-1',
        Students_deleted: [gone!.misId],
        NextChangedRows: 'cs-2',
      },
    ]),
  );
  return dir;
}

describe('deltas are deltas', () => {
  it('an Xporter changeset archives only the pupil it deletes; twice changes nothing', async () => {
    const { id, school } = await xporterSchool();
    const dir = await changeset(school);
    const run = await cli(id, 'xporter', dir);
    expect(run.status).toBe('applied');
    expect(run.details.pupils).toMatchObject({ changed: 2, archived: 1, added: 0 });
    expect((run.details.contacts as { archived: number }).archived).toBe(0);
    expect((run.details.staff as { archived: number }).archived).toBe(0);
    expect((run.details.groups as { archived: number }).archived).toBe(0);
    expect(await onRoll(id)).toBe(29);
    const [kind] = await q<{ kind: string }>('SELECT kind FROM mis_sync_runs WHERE id = $1', [
      run.runId,
    ]);
    expect(kind!.kind).toBe('delta');
    // The flag from the feed, and the next-changes marker kept for the next request.
    expect(await flagKinds(id, school.pupils[0]!.misId)).toContain('lac');
    const [cursor] = await q<{ cursor: string }>(
      'SELECT cursor FROM mis_settings WHERE school_id = $1',
      [id],
    );
    expect(cursor!.cursor).toBe('cs-2');
    expect(counts(await cli(id, 'xporter', dir))).toEqual([0, 0, 0]);
  });

  it('a changeset given as a full import is refused, and nothing is applied', async () => {
    const { id, school } = await xporterSchool();
    const before = await q(
      'SELECT id, last_name, archived_at FROM pupils WHERE school_id = $1 ORDER BY id',
      [id],
    );
    const err = await cli(id, 'xporter', await changeset(school), 'full').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SyncRejected);
    expect((err as SyncRejected).message).toMatch(/is a changeset .* cannot be imported as a full/);
    const after = await q(
      'SELECT id, last_name, archived_at FROM pupils WHERE school_id = $1 ORDER BY id',
      [id],
    );
    expect(after).toEqual(before);
  });

  it('Wonde: restored_at restores once, leavers archive with their date, re-import no-op', async () => {
    const id = await makeSchool(t.services);
    expect(counts(await cli(id, 'wonde', published('wonde-full')))).toEqual([5 + 2 + 2, 0, 0]);
    // A pupil deleted earlier (archived), whom Wonde's deletions list then shows restored.
    await q(`UPDATE pupils SET archived_at = now() WHERE school_id = $1 AND mis_id = 'A1002'`, [
      id,
    ]);
    // Two leavers of a five-pupil school is past the default 10 % guard, which deltas meet too.
    await q(`INSERT INTO mis_settings (school_id, guard_percent) VALUES ($1, 50)`, [id]);
    const delta = await cli(id, 'wonde', published('wonde-delta'));
    expect(delta.details.pupils).toMatchObject({ changed: 1, archived: 2, restored: 1 });
    const rows = await q<{ mis_id: string; archived: boolean }>(
      `SELECT mis_id, archived_at IS NOT NULL AS archived FROM pupils WHERE school_id = $1
       ORDER BY mis_id`,
      [id],
    );
    expect(rows.map((r) => [r.mis_id, r.archived])).toEqual([
      ['A1000', false],
      ['A1001', true],
      ['A1002', false],
      ['A1003', false],
      ['A1004', true],
    ]);
    const [left] = await q<{ happened_at: Date }>(
      `SELECT e.happened_at FROM pupil_events e JOIN pupils p ON p.id = e.pupil_id
       WHERE p.school_id = $1 AND p.mis_id = 'A1004' AND e.kind = 'left'`,
      [id],
    );
    expect(left!.happened_at.toISOString().slice(0, 10)).toBe('2025-01-17');
    const again = await cli(id, 'wonde', published('wonde-delta'));
    expect(counts(again)).toEqual([0, 0, 0]);
  });

  it('a SIMS report: a passed Leaving Date archives; the same file again changes nothing', async () => {
    const id = await makeSchool(t.services);
    const dir = await mkdtemp(join(tmpdir(), 'lantern-sims-'));
    const text = await readFile(join(published('sims'), 'pupils.txt'), 'utf8');
    await writeFile(join(dir, 'pupils.csv'), `\uFEFF${text}`);
    const first = await cli(id, 'csv', dir);
    expect(first.details.pupils).toMatchObject({ added: 3, archived: 0 });
    const [year] = await q<{ year_group: string; form: string }>(
      `SELECT year_group, form FROM pupils WHERE school_id = $1 AND mis_id = '2041'`,
      [id],
    );
    expect(year).toEqual({ year_group: 'Year 7', form: '7RB' });
    expect(counts(await cli(id, 'csv', dir))).toEqual([0, 0, 0]);
  });
});

describe('bad input: a row naming what the feed never defines', () => {
  it('a membership of an undefined group, or a contact of an undefined pupil: refused, nothing applied', async () => {
    const id = await makeSchool(t.services);
    const dir = await mkdtemp(join(tmpdir(), 'lantern-xod-ref-'));
    await cp(published('xporter-full'), dir, { recursive: true });
    const students = JSON.parse(await readFile(join(dir, 'Students.json'), 'utf8')) as {
      Students: { GroupIds: string }[];
    };
    students.Students[0]!.GroupIds = 'G1,G-NOPE';
    await writeFile(join(dir, 'Students.json'), JSON.stringify(students));
    const err = await cli(id, 'xporter', dir).catch((e: unknown) => e);
    expect((err as SyncRejected).message).toBe(
      'Groups.json: group "G-NOPE" (named by pupil S0) is not defined anywhere in the feed, nor held by Lantern from an earlier run',
    );
    students.Students[0]!.GroupIds = 'G1';
    await writeFile(join(dir, 'Students.json'), JSON.stringify(students));
    await writeFile(
      join(dir, 'StudentContacts.json'),
      JSON.stringify({
        StudentContacts: [
          { Id: 'L1', ContactId: 'K1', StudentId: 'S-NOPE', Forename: 'Pat', Surname: 'Lee' },
        ],
      }),
    );
    const err2 = await cli(id, 'xporter', dir).catch((e: unknown) => e);
    expect((err2 as SyncRejected).message).toMatch(
      /^StudentContacts\.json \(id K1\): pupil "S-NOPE" is not a pupil defined anywhere/,
    );
    expect(await onRoll(id)).toBe(0);
  });
});

describe('the guard against a feed that would empty the school', () => {
  async function adminOf(schoolId: string): Promise<Session> {
    return signIn(t.app, await makeUser(t.services, schoolId, 'school_admin'), { elevated: true });
  }

  it('holds a truncated full export; an administrator sees the names, then applies it', async () => {
    const id = await makeSchool(t.services);
    const admin = await adminOf(id);
    const school = generateSchool({ pupils: 30, staff: 4, groups: 12, days: 1, seed: 17 });
    const dir = await mkdtemp(join(tmpdir(), 'lantern-guard-'));
    await writeBatch('wonde', dir, fullBatch(school));
    await cli(id, 'wonde', dir);
    // The integrator's export stops after 20 pupils: 10 of 30 would be archived (over 10 %).
    const cut = await mkdtemp(join(tmpdir(), 'lantern-guard-cut-'));
    await writeBatch('wonde', cut, fullBatch({ ...school, pupils: school.pupils.slice(0, 20) }));
    const held = await cli(id, 'wonde', cut);
    expect(held.status).toBe('held');
    expect(held.error).toMatch(/would archive 10 of the 30 pupils on roll/);
    expect(await onRoll(id)).toBe(30);

    const list = await call(t.app, admin, 'GET', '/api/admin/mis/held');
    expect(list.statusCode, list.body).toBe(200);
    const [run] = list.json<{ items: { id: string; pupils: { name: string }[] }[] }>().items;
    expect(run!.id).toBe(held.runId);
    const expected = school.pupils
      .slice(20)
      .map((p) => `${p.forename} ${p.surname}`)
      .sort();
    expect(run!.pupils.map((p) => p.name).sort()).toEqual(expected);
    const alerts = await q<{ kind: string }>(
      `SELECT kind FROM alerts WHERE school_id = $1 AND target_id = $2`,
      [id, held.runId],
    );
    expect(alerts.map((a) => a.kind)).toContain('mis_run_held');

    const applied = await call(t.app, admin, 'POST', `/api/admin/mis/held/${held.runId}`, {
      decision: 'apply',
    });
    expect(applied.statusCode, applied.body).toBe(200);
    expect(
      applied.json<{ summary: { archived: number } }>().summary.archived,
    ).toBeGreaterThanOrEqual(10);
    expect(await onRoll(id)).toBe(20);
    const again = await call(t.app, admin, 'POST', `/api/admin/mis/held/${held.runId}`, {
      decision: 'apply',
    });
    expect(again.statusCode).toBe(409);
    const audit = await q<{ action: string }>(
      `SELECT action FROM audit_events WHERE school_id = $1 AND action LIKE 'mis.held%'`,
      [id],
    );
    expect(audit.map((a) => a.action)).toContain('mis.held_applied');
  });

  it('a feed with no staff is held; discarding it changes nothing; the share is school-set', async () => {
    const id = await makeSchool(t.services);
    const admin = await adminOf(id);
    const school = generateSchool({ pupils: 20, staff: 3, groups: 12, days: 1, seed: 19 });
    const dir = await mkdtemp(join(tmpdir(), 'lantern-guard-'));
    await writeBatch('wonde', dir, fullBatch(school));
    await cli(id, 'wonde', dir);
    const noStaff = await mkdtemp(join(tmpdir(), 'lantern-guard-staff-'));
    await cp(dir, noStaff, { recursive: true });
    await writeFile(join(noStaff, 'employees.json'), JSON.stringify({ data: [] }));
    const held = await cli(id, 'wonde', noStaff);
    expect(held.status).toBe('held');
    expect(held.error).toMatch(/all 3 members of staff/);
    const discarded = await call(t.app, admin, 'POST', `/api/admin/mis/held/${held.runId}`, {
      decision: 'discard',
    });
    expect(discarded.statusCode, discarded.body).toBe(200);
    const [staff] = await q<{ n: number }>(
      'SELECT count(*)::int AS n FROM mis_staff WHERE school_id = $1 AND left_at IS NULL',
      [id],
    );
    expect(staff!.n).toBe(3);

    // Two leavers of 20 is 10 %: not over the default. With the share set to 5 %, held.
    const fewer = await mkdtemp(join(tmpdir(), 'lantern-guard-two-'));
    await writeBatch('wonde', fewer, fullBatch({ ...school, pupils: school.pupils.slice(2) }));
    const settings = await call(t.app, admin, 'PUT', '/api/admin/mis/settings', {
      guardPercent: 5,
      fullDay: 3,
      csvSynonyms: { pupils: { 'Pupil Ref': 'mis id' }, contacts: {} },
    });
    expect(settings.statusCode, settings.body).toBe(200);
    expect(settings.json<{ csvSynonyms: { pupils: object } }>().csvSynonyms.pupils).toEqual({
      'pupil ref': 'mis id',
    });
    expect((await cli(id, 'wonde', fewer)).status).toBe('held');
    await call(t.app, admin, 'PUT', '/api/admin/mis/settings', {
      guardPercent: 10,
      fullDay: 3,
      csvSynonyms: { pupils: {}, contacts: {} },
    });
    expect((await cli(id, 'wonde', fewer)).status).toBe('applied');
  });
});

describe('the scheduled pull keeps a cursor', () => {
  let server: Server;
  let base = '';
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: [], meta: { pagination: { next: null } } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/v1.0/schools/S1`;
  });
  afterAll(async () => new Promise<void>((r) => server.close(() => r())));

  it('first a full pull, then a delta with updated_after, and a full again on the full day', async () => {
    const id = await makeSchool(t.services);
    const conn = { baseUrl: base, token: 'tok' };
    const first = await pullAndSync(door(id), conn, { allowPrivate: true });
    expect(first.status).toBe('applied');
    expect(seen.every((u) => !u.includes('updated_after'))).toBe(true);
    const [c] = await q<{ cursor: string }>(
      'SELECT cursor FROM mis_settings WHERE school_id = $1',
      [id],
    );
    expect(c!.cursor).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    // Not the full day: a delta from the cursor.
    const today = new Date().getUTCDay();
    await q('UPDATE mis_settings SET full_day = $2 WHERE school_id = $1', [id, (today + 1) % 7]);
    seen.length = 0;
    const second = await pullAndSync(door(id), conn, { allowPrivate: true });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((u) => u.includes(`updated_after=${encodeURIComponent(c!.cursor)}`))).toBe(
      true,
    );
    const kinds = await q<{ kind: string }>(
      `SELECT kind FROM mis_sync_runs WHERE school_id = $1 ORDER BY started_at`,
      [id],
    );
    expect(kinds.map((k) => k.kind)).toEqual(['full', 'delta']);
    expect(second.status).toBe('applied');
    // A week on from the last full run, the pull is full again whatever the day.
    await q(
      `UPDATE mis_sync_runs SET started_at = started_at - interval '8 days'
             WHERE school_id = $1 AND kind = 'full'`,
      [id],
    );
    seen.length = 0;
    await pullAndSync(door(id), conn, { allowPrivate: true });
    expect(seen.every((u) => !u.includes('updated_after'))).toBe(true);
    const admin = await signIn(t.app, await makeUser(t.services, id, 'school_admin'), {
      elevated: true,
    });
    const view = await call(t.app, admin, 'GET', '/api/admin/mis/settings');
    expect(view.json<{ lastDeltaRunAt: string | null }>().lastDeltaRunAt).not.toBeNull();
    expect(view.json<{ hasCursor: boolean }>().hasCursor).toBe(true);
  });
});
