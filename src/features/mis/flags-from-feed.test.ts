// Issue 13: every vulnerability flag the feeds document, with its dates, from each format's own
// fields (fixtures in fixtures/published/*-flags, shaped as Wonde, Xporter on Demand and a SIMS
// report publish them). Read, applied, sealed at rest, shown on the profile; the same feed twice
// changes nothing; a delta silent on a pupil's flags leaves them, one that says "no" ends them.
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMisFolder } from './formats/index.ts';
import { runSync, type SyncResult } from './sync.ts';
import type { Pupil, VulnerabilityFlag } from './snapshot.ts';
import { asSystem } from '../../core/context.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import type { Profile } from '../../shared/schemas/pupils.ts';
import { call, makeSchool, makeUser, signIn, testApp, type TestApp } from '../../test/harness.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t.close());

const published = (name: string) => join(import.meta.dirname, 'fixtures', 'published', name);
const q = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  unsafeAsOwner(t.services.db, (tx) => tx.query<T>(sql, params));

async function sync(
  schoolId: string,
  format: 'wonde' | 'xporter' | 'csv',
  dir: string,
  kind?: 'full' | 'delta',
): Promise<SyncResult> {
  const door = asSystem(t.services, schoolId, 'mis_sync');
  return runSync(door, () => readMisFolder(format, dir, { kind }), { source: 'cli', format });
}

const flag = (
  kind: VulnerabilityFlag['kind'],
  startDate: string | null,
  endDate: string | null,
) => ({
  kind,
  startDate,
  endDate,
});
const pupil = (ps: Pupil[], misId: string) => ps.find((p) => p.misId === misId)!;

async function profileFlags(schoolId: string, misId: string) {
  const dsl = await signIn(t.app, await makeUser(t.services, schoolId, 'dsl'), { elevated: true });
  const [row] = await q<{ id: string }>(
    'SELECT id FROM pupils WHERE school_id = $1 AND mis_id = $2',
    [schoolId, misId],
  );
  const res = await call(t.app, dsl, 'GET', `/api/pupils/${row!.id}`);
  expect(res.statusCode, res.body).toBe(200);
  return res
    .json<Profile>()
    .flags.map((f) => [f.flag, f.startsOn, f.endsOn, f.source])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
}

describe('Wonde flags', () => {
  it('reads date ranges, extended details and first language; SEN ranges by their status', async () => {
    const snap = await readMisFolder('wonde', published('wonde-flags'));
    const ava = pupil(snap.pupils, 'F2001');
    expect(ava.flags).toEqual([
      flag('child_protection_plan', '2024-01-10', null),
      flag('child_in_need', null, null),
      flag('looked_after', '2019-05-01', '2020-01-31'),
      flag('sen_support', '2023-09-01', null),
      flag('fsm', '2021-09-01', '2023-07-31'),
      flag('pupil_premium', null, null),
      // No EAL field: the first language (Polish, POL) says English is an additional language.
      flag('eal', null, null),
    ]);
    expect(ava.statedFlags).toHaveLength(10);
    // Every field says no: no flags, and every kind is stated (so an old flag would be ended).
    const ben = pupil(snap.pupils, 'F2002');
    expect(ben.flags).toEqual([]);
    expect(ben.statedFlags).toHaveLength(10);
    const cara = pupil(snap.pupils, 'F2003');
    expect(cara.flags).toEqual([
      flag('previously_looked_after', null, null),
      flag('ehcp', '2022-02-14', null),
      flag('young_carer', null, null),
    ]);
    // Cara's record says nothing of a child-protection plan, FSM or being in need.
    expect(cara.statedFlags).not.toContain('child_protection_plan');
    expect(cara.statedFlags).not.toContain('child_in_need');
    expect(cara.statedFlags).not.toContain('fsm');
  });

  it('are applied sealed, shown on the profile with their dates, and a re-import changes nothing', async () => {
    const id = await makeSchool(t.services);
    const first = await sync(id, 'wonde', published('wonde-flags'), 'full');
    expect(first.status).toBe('applied');
    expect(await profileFlags(id, 'F2001')).toEqual([
      ['cin', null, null, 'mis'],
      ['cp_plan', '2024-01-10', null, 'mis'],
      ['eal', null, null, 'mis'],
      ['fsm', '2021-09-01', '2023-07-31', 'mis'],
      ['lac', '2019-05-01', '2020-01-31', 'mis'],
      ['pupil_premium', null, null, 'mis'],
      ['sen_support', '2023-09-01', null, 'mis'],
    ]);
    // At rest the kind is an envelope under the school's key, never the word itself.
    const stored = await q<{ flag: string | null; kind_sealed: Buffer }>(
      'SELECT flag, kind_sealed FROM pupil_flags WHERE school_id = $1',
      [id],
    );
    expect(stored.length).toBe(10);
    for (const r of stored) {
      expect(r.flag).toBeNull();
      expect(r.kind_sealed[0]).toBe(0x01);
      expect(r.kind_sealed.toString('latin1')).not.toMatch(/cin|lac|cp_plan/);
    }
    const again = await sync(id, 'wonde', published('wonde-flags'), 'full');
    expect([again.added, again.changed, again.archived]).toEqual([0, 0, 0]);
    expect((await q('SELECT id FROM pupil_flags WHERE school_id = $1', [id])).length).toBe(10);
  });

  it('a delta silent on flags leaves them; one that says "no" ends only that kind', async () => {
    const id = await makeSchool(t.services);
    expect((await sync(id, 'wonde', published('wonde-flags'), 'full')).status).toBe('applied');
    const body = JSON.parse(
      await readFile(join(published('wonde-flags'), 'students.json'), 'utf8'),
    ) as { data: Record<string, unknown>[]; meta: { pagination: Record<string, unknown> } };
    const ava = body.data[0]!;
    // Fetched with updated_after and without the flag includes: a changed surname only.
    const bare = Object.fromEntries(
      Object.entries(ava).filter(([k]) => !k.endsWith('_date_ranges') && k !== 'extended_details'),
    );
    const dir = await mkdtemp(join(tmpdir(), 'lantern-flags-delta-'));
    const delta = (student: Record<string, unknown>) =>
      writeFile(
        join(dir, 'students.json'),
        JSON.stringify({
          data: [student],
          meta: {
            pagination: {
              ...body.meta.pagination,
              current_page: 1,
              next: null,
              previous: null,
            },
            // The pages were fetched with updated_after: the link says so.
            links: undefined,
          },
        }).replace(
          '"previous":null',
          '"previous":"https://api.wonde.com/v1.0/schools/A1/students?updated_after=2025-01-19%2002:00:00&page=1"',
        ),
      );
    await delta({ ...bare, surname: 'Okafor-Reid' });
    const silent = await sync(id, 'wonde', dir);
    expect(silent.status).toBe('applied');
    expect(silent.changed).toBe(1);
    expect((await profileFlags(id, 'F2001')).map((f) => f[0])).toEqual([
      'cin',
      'cp_plan',
      'eal',
      'fsm',
      'lac',
      'pupil_premium',
      'sen_support',
    ]);
    // The MIS ends child in need: extended details with that field alone.
    await delta({ ...bare, surname: 'Okafor-Reid', extended_details: { child_in_need: 'N' } });
    const ended = await sync(id, 'wonde', dir);
    expect(ended.status).toBe('applied');
    expect((await profileFlags(id, 'F2001')).map((f) => f[0])).toEqual([
      'cp_plan',
      'eal',
      'fsm',
      'lac',
      'pupil_premium',
      'sen_support',
    ]);
    const twice = await sync(id, 'wonde', dir);
    expect([twice.added, twice.changed, twice.archived]).toEqual([0, 0, 0]);
  });
});

describe('Xporter on Demand flags', () => {
  it('reads XoD spellings (FSMEligible, PupilPremiumIndicator, EALStatus, SENStatus) with dates', async () => {
    const snap = await readMisFolder('xporter', published('xporter-flags'));
    // A changeset started with "*" holds the whole selection: a full snapshot, marker kept.
    expect(snap.kind).toBe('full');
    expect(snap.nextCursor).toBe('db69412c98782c1dd76addcad9b45be0');
    expect(pupil(snap.pupils, 'X3001').flags).toEqual([
      flag('looked_after', '2024-06-03', null),
      flag('ehcp', null, null),
      flag('fsm', '2022-04-01', null),
      flag('pupil_premium', null, null),
      flag('young_carer', '2023-11-20', null),
    ]);
    expect(pupil(snap.pupils, 'X3002').flags).toEqual([
      flag('child_protection_plan', '2025-03-12', null),
      flag('child_in_need', '2025-02-01', null),
      flag('previously_looked_after', null, null),
      flag('eal', null, null),
    ]);
    const id = await makeSchool(t.services);
    expect((await sync(id, 'xporter', published('xporter-flags'))).status).toBe('applied');
    expect(await profileFlags(id, 'X3002')).toEqual([
      ['cin', '2025-02-01', null, 'mis'],
      ['cp_plan', '2025-03-12', null, 'mis'],
      ['eal', null, null, 'mis'],
      ['plac', null, null, 'mis'],
    ]);
    const again = await sync(id, 'xporter', published('xporter-flags'));
    expect([again.added, again.changed, again.archived]).toEqual([0, 0, 0]);
  });

  it('refuses an end date before its start date, naming the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lantern-xod-flags-bad-'));
    await cp(published('xporter-flags'), dir, { recursive: true });
    const file = join(dir, 'Students.json');
    const body = JSON.parse(await readFile(file, 'utf8')) as {
      Students: Record<string, unknown>[];
    };
    body.Students[0]!['InLeaCareEndDate'] = '2020-01-01';
    await writeFile(file, JSON.stringify(body));
    await expect(readMisFolder('xporter', dir)).rejects.toThrow(
      /Students\.json record 0 \(id X3001\): InLeaCareEndDate is before its InLeaCareStartDate/,
    );
  });
});

describe('SIMS report flags', () => {
  it('reads the headings a school names, with start and end dates; a blank cell is "no"', async () => {
    const snap = await readMisFolder('csv', published('sims-flags'));
    expect(pupil(snap.pupils, '4001').flags).toEqual([
      flag('child_in_need', '2025-10-15', null),
      flag('sen_support', null, null),
      flag('fsm', '2024-09-01', null),
      flag('pupil_premium', null, null),
    ]);
    expect(pupil(snap.pupils, '4001').statedFlags).toContain('looked_after');
    expect(pupil(snap.pupils, '4002').flags).toEqual([
      flag('child_protection_plan', '2025-05-05', null),
      flag('looked_after', '2021-01-01', '2022-12-31'),
      flag('previously_looked_after', null, null),
      flag('eal', null, null),
      flag('young_carer', null, null),
    ]);
    const id = await makeSchool(t.services);
    expect((await sync(id, 'csv', published('sims-flags'))).status).toBe('applied');
    expect(await profileFlags(id, '4002')).toEqual([
      ['cp_plan', '2025-05-05', null, 'mis'],
      ['eal', null, null, 'mis'],
      ['lac', '2021-01-01', '2022-12-31', 'mis'],
      ['plac', null, null, 'mis'],
      ['young_carer', null, null, 'mis'],
    ]);
    const again = await sync(id, 'csv', published('sims-flags'));
    expect([again.added, again.changed, again.archived]).toEqual([0, 0, 0]);
  });
});
