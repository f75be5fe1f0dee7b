// Issue 13, bad input: a Wonde feed (built on the published fixture) whose rows name a group,
// contact or pupil it never defines is refused with the id named, and nothing is applied — not
// the pupils before the bad row, not the marks before the bad mark. (The Xporter cases are in
// feeds-as-sent.test.ts.)
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMisFolder } from './formats/index.ts';
import { runSync, SyncRejected } from './sync.ts';
import { asSystem } from '../../core/context.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { makeSchool, testApp, type TestApp } from '../../test/harness.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t.close());

const published = join(import.meta.dirname, 'fixtures', 'published', 'wonde-full');
const page = (data: unknown[]) => ({
  data,
  meta: { pagination: { next: null, previous: null, more: false, current_page: 1 } },
});

/** The published full feed plus one extra file; the import's error, and what it left behind. */
async function refused(file: string, body: unknown): Promise<{ message: string; held: number }> {
  const schoolId = await makeSchool(t.services);
  const dir = await mkdtemp(join(tmpdir(), 'lantern-undefined-'));
  await cp(published, dir, { recursive: true });
  await writeFile(join(dir, file), JSON.stringify(body));
  const door = asSystem(t.services, schoolId, 'mis_sync');
  const err = await runSync(door, () => readMisFolder('wonde', dir, { kind: 'full' }), {
    source: 'cli',
    format: 'wonde',
  }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SyncRejected);
  const rows = await unsafeAsOwner(t.services.db, (tx) =>
    tx.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM pupils WHERE school_id = $1)
            + (SELECT count(*) FROM contacts WHERE school_id = $1)
            + (SELECT count(*) FROM mis_groups WHERE school_id = $1)
            + (SELECT count(*) FROM attendance_marks WHERE school_id = $1) AS n`,
      [schoolId],
    ),
  );
  return { message: (err as Error).message, held: Number(rows[0]!.n) };
}

describe('a Wonde feed naming what it never defines', () => {
  it('a group whose students list names an undefined pupil', async () => {
    const r = await refused(
      'groups.json',
      page([{ id: 'G9', name: '8Z', type: 'REGISTRATION', students: { data: [{ id: 'A9999' }] } }]),
    );
    expect(r.message).toMatch(/"A9999" \(named by group G9\) is not defined anywhere in the feed/);
    expect(r.held).toBe(0);
  });

  it('a contact linked to an undefined pupil', async () => {
    const r = await refused(
      'contacts.json',
      page([
        {
          id: 'K9',
          forename: 'Pat',
          surname: 'Lee',
          students: { data: [{ id: 'A9999', relationship: { data: { relationship: 'Mother' } } }] },
        },
      ]),
    );
    expect(r.message).toMatch(/^contacts\.json \(id K9\): pupil "A9999" is not a pupil defined/);
    expect(r.held).toBe(0);
  });

  it('an attendance mark for an undefined pupil, after good ones', async () => {
    const r = await refused('attendance.json', [
      page([
        { student: 'A1000', date: '2025-01-06', session: 'AM', attendance_code: '/' },
        { student: 'A9999', date: '2025-01-06', session: 'AM', attendance_code: '/' },
      ]),
    ]);
    expect(r.message).toMatch(
      /^attendance\.json: pupil "A9999" \(named by the mark for 2025-01-06 AM\) is not a pupil defined anywhere/,
    );
    expect(r.held).toBe(0);
  });
});
