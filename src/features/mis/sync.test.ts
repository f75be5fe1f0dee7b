// The sync engine end to end on a real database: each format, each delta case, idempotency,
// overrides and restrictions, and bad batches that change nothing.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullBatch, generateSchool, makeDelta, writeBatch } from './fixtures/generate.ts';
import type { Batch } from './fixtures/generate.ts';
import { readMisFolder } from './formats/index.ts';
import type { MisFormat } from './snapshot.ts';
import { runSync, SyncRejected } from './sync.ts';
import { makeSchool, makeUser, testServices } from '../../test/harness.ts';
import type { Services } from '../../platform/services.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { asSystem } from '../../core/context.ts';

let s: Services;
beforeAll(async () => {
  s = await testServices();
});
afterAll(async () => s.db.close());

const school = generateSchool({ pupils: 60, staff: 8, groups: 60, days: 3, seed: 7 });

async function folder(format: MisFormat, batch: Batch): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `lantern-sync-${format}-`));
  await writeBatch(format, dir, batch);
  return dir;
}

async function importFolder(
  schoolId: string,
  format: MisFormat,
  dir: string,
  kind: 'full' | 'delta' = 'full',
) {
  return runSync(asSystem(s, schoolId, 'mis_sync'), () => readMisFolder(format, dir, { kind }), {
    source: 'cli',
    format,
  });
}

const q = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  unsafeAsOwner(s.db, (tx) => tx.query<T>(sql, params));

/** The guard (held.ts) would hold a run archiving a sixth of a small school; these tests want it. */
const allowArchiving = (schoolId: string) =>
  q('INSERT INTO mis_settings (school_id, guard_percent) VALUES ($1, 100)', [schoolId]);

describe.each(['wonde', 'xporter', 'csv'] as const)('%s end to end', (format) => {
  it('imports a full school, then the same snapshot changes nothing', async () => {
    const id = await makeSchool(s);
    const dir = await folder(format, fullBatch(school));
    const first = await importFolder(id, format, dir);
    expect(first.status).toBe('applied');
    expect(first.details.pupils).toMatchObject({ added: 60, changed: 0, archived: 0 });
    const [counts] = await q<{ pupils: number; marks: number; links: number }>(
      `SELECT (SELECT count(*)::int FROM pupils WHERE school_id = $1) AS pupils,
              (SELECT count(*)::int FROM attendance_marks WHERE school_id = $1) AS marks,
              (SELECT count(*)::int FROM pupil_contacts WHERE school_id = $1) AS links`,
      [id],
    );
    expect(counts!.pupils).toBe(60);
    if (format !== 'csv') expect(counts!.marks).toBe(60 * 3 * 2);
    expect(counts!.links).toBeGreaterThan(0);
    const again = await importFolder(id, format, dir);
    expect([again.added, again.changed, again.archived, again.marks]).toEqual([0, 0, 0, 0]);
  });
});

describe('deltas', () => {
  it('new, changed, left, returned, moved form and contact changed', async () => {
    const id = await makeSchool(s);
    // The former pupils were once on roll: import them first, then the school without them.
    const withFormer = { ...school, pupils: [...school.pupils, ...school.formerPupils] };
    await importFolder(id, 'wonde', await folder('wonde', fullBatch(withFormer)));
    await allowArchiving(id);
    const base = await importFolder(id, 'wonde', await folder('wonde', fullBatch(school)));
    expect(base.details.pupils).toMatchObject({ archived: school.formerPupils.length });

    const delta = makeDelta(school, 50, 3);
    const run = await importFolder(id, 'wonde', await folder('wonde', delta.batch), 'delta');
    const pupils = run.details.pupils as Record<string, number>;
    expect(pupils.added).toBe(delta.summary.added.length);
    expect(pupils.restored).toBe(delta.summary.returned.length);
    expect(pupils.archived).toBe(delta.summary.left.length);
    const events = await q<{ kind: string; n: number }>(
      `SELECT kind, count(*)::int AS n FROM pupil_events WHERE run_id = $1 GROUP BY kind`,
      [run.runId],
    );
    const byKind = Object.fromEntries(events.map((e) => [e.kind, e.n]));
    expect(byKind.joined).toBe(delta.summary.added.length);
    expect(byKind.left).toBe(delta.summary.left.length);
    expect(byKind.returned).toBe(delta.summary.returned.length);
    expect(byKind.changed_form).toBe(delta.summary.movedForm.length);
    const [changed] = await q<{ last_name: string }>(
      'SELECT last_name FROM pupils WHERE school_id = $1 AND mis_id = $2',
      [id, delta.summary.changed[0]],
    );
    expect(changed!.last_name).toContain("-O'Connor");
    // A contact's phones are stored sealed: they open with the school's key.
    const [contact] = await q<{ id: string; phones: Buffer }>(
      'SELECT id, phones FROM contacts WHERE school_id = $1 AND mis_id = $2',
      [id, delta.summary.contactsChanged[0]],
    );
    const sealer = await unsafeAsOwner(s.db, (tx) => s.keys.forSchool(tx, id));
    const phones = sealer.openJson<{ number: string }[]>(
      'contacts.phones',
      contact!.id,
      contact!.phones,
    );
    expect(phones[0]!.number).toMatch(/^07700 1/);
    const [left] = await q<{ archived_at: Date | null }>(
      'SELECT archived_at FROM pupils WHERE school_id = $1 AND mis_id = $2',
      [id, delta.summary.left[0]],
    );
    expect(left!.archived_at).not.toBeNull();
    // The same delta again changes nothing.
    const again = await importFolder(id, 'wonde', await folder('wonde', delta.batch), 'delta');
    expect([again.added, again.changed, again.archived]).toEqual([0, 0, 0]);
  });

  it('disables the account of a member of staff who leaves, keeping the name', async () => {
    const id = await makeSchool(s);
    const user = await makeUser(s, id, 'teacher', 'Ms Leaver');
    const staff = school.staff.map((m, i) => (i === 0 ? { ...m, email: user.email } : m));
    await importFolder(id, 'wonde', await folder('wonde', { ...fullBatch(school), staff }));
    const [linked] = await q<{ mis_id: string | null }>('SELECT mis_id FROM users WHERE id = $1', [
      user.id,
    ]);
    expect(linked!.mis_id).toBe(staff[0]!.misId);
    const run = await importFolder(
      id,
      'wonde',
      await folder('wonde', {
        ...fullBatch(school),
        staff: staff.slice(1),
        memberships: school.memberships.filter((m) => m.memberMisId !== staff[0]!.misId),
      }),
    );
    expect(run.details.staff).toMatchObject({ archived: 1 });
    const [u] = await q<{ disabled_at: Date | null; name: string }>(
      'SELECT disabled_at, name FROM users WHERE id = $1',
      [user.id],
    );
    expect(u!.disabled_at).not.toBeNull();
    expect(u!.name).toBe('Ms Leaver');
  });
});

describe('overrides', () => {
  it('keeps a locally corrected field and reports the conflict', async () => {
    const id = await makeSchool(s);
    await importFolder(id, 'wonde', await folder('wonde', fullBatch(school)));
    const target = school.pupils[3]!;
    const [p] = await q<{ id: string }>(
      'SELECT id FROM pupils WHERE school_id = $1 AND mis_id = $2',
      [id, target.misId],
    );
    await q(`UPDATE pupils SET last_name = 'Corrected' WHERE id = $1`, [p!.id]);
    await q(`INSERT INTO mis_overrides (school_id, pupil_id, field) VALUES ($1, $2, 'last_name')`, [
      id,
      p!.id,
    ]);
    const changedBatch = fullBatch({
      ...school,
      pupils: school.pupils.map((x, i) =>
        i === 3 ? { ...x, surname: 'FromMis', gifted: !x.gifted } : x,
      ),
    });
    const run = await importFolder(id, 'wonde', await folder('wonde', changedBatch));
    expect(run.conflicts).toEqual([
      { kind: 'locally_corrected', pupilId: p!.id, field: 'last_name' },
    ]);
    const [after] = await q<{ last_name: string }>('SELECT last_name FROM pupils WHERE id = $1', [
      p!.id,
    ]);
    expect(after!.last_name).toBe('Corrected');
    const again = await importFolder(id, 'wonde', await folder('wonde', changedBatch));
    expect(again.changed).toBe(0);
    expect(again.conflicts).toHaveLength(1);
  });
});

describe('sealed fields', () => {
  it('keeps a locally corrected sealed field (religion), opens it to compare, and a re-run changes nothing', async () => {
    const id = await makeSchool(s);
    await importFolder(id, 'wonde', await folder('wonde', fullBatch(school)));
    const target = school.pupils[5]!;
    const [p] = await q<{ id: string }>(
      'SELECT id FROM pupils WHERE school_id = $1 AND mis_id = $2',
      [id, target.misId],
    );
    const sealer = await unsafeAsOwner(s.db, (tx) => s.keys.forSchool(tx, id));
    await q('UPDATE pupils SET religion = $2 WHERE id = $1', [
      p!.id,
      sealer.seal('pupils.religion', p!.id, 'Corrected in Lantern'),
    ]);
    await q(`INSERT INTO mis_overrides (school_id, pupil_id, field) VALUES ($1, $2, 'religion')`, [
      id,
      p!.id,
    ]);
    const changedBatch = fullBatch({
      ...school,
      pupils: school.pupils.map((x, i) =>
        i === 5 ? { ...x, religion: { code: 'X', description: 'From the MIS' } } : x,
      ),
    });
    const run = await importFolder(id, 'wonde', await folder('wonde', changedBatch));
    expect(run.conflicts).toEqual([
      { kind: 'locally_corrected', pupilId: p!.id, field: 'religion' },
    ]);
    const [after] = await q<{ religion: Buffer }>('SELECT religion FROM pupils WHERE id = $1', [
      p!.id,
    ]);
    expect(sealer.open('pupils.religion', p!.id, after!.religion)).toBe('Corrected in Lantern');
    const again = await importFolder(id, 'wonde', await folder('wonde', changedBatch));
    expect([again.added, again.changed, again.archived]).toEqual([0, 0, 0]);
  });
});

describe('bad batches change nothing', () => {
  it('truncated JSON is rejected naming the file, and nothing is applied', async () => {
    const id = await makeSchool(s);
    const dir = await folder('wonde', fullBatch(school));
    await writeFile(join(dir, 'attendance.json'), '{"data":[{"id":"A1","student":"P1"');
    await expect(importFolder(id, 'wonde', dir)).rejects.toThrow(SyncRejected);
    const [n] = await q<{ n: number }>(
      'SELECT count(*)::int AS n FROM pupils WHERE school_id = $1',
      [id],
    );
    expect(n!.n).toBe(0);
    const runs = await q<{ status: string; error: string }>(
      'SELECT status, error FROM mis_sync_runs WHERE school_id = $1',
      [id],
    );
    expect(runs).toHaveLength(1);
    expect(runs[0]!.status).toBe('rejected');
    expect(runs[0]!.error).toContain('attendance.json');
  });

  it('keeps names exactly as given', async () => {
    const id = await makeSchool(s);
    const odd = [
      "O'Brien-Żółć",
      '<script>alert(1)</script>',
      "Robert'); DROP TABLE pupils;--",
      'Zoë',
    ];
    const pupils = school.pupils.map((p, i) => (i < odd.length ? { ...p, surname: odd[i]! } : p));
    await importFolder(id, 'xporter', await folder('xporter', fullBatch({ ...school, pupils })));
    const rows = await q<{ last_name: string }>(
      'SELECT last_name FROM pupils WHERE school_id = $1 AND mis_id = ANY($2::text[]) ORDER BY mis_id',
      [id, pupils.slice(0, odd.length).map((p) => p.misId)],
    );
    expect(rows.map((r) => r.last_name).sort()).toEqual([...odd].sort());
  });
});
