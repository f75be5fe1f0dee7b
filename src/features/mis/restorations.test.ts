// Issue 13: contacts, staff and groups come back the way pupils do. A Wonde delta's `deletions`
// row with `restored_at` un-archives a contact, member of staff or group (once: the same delta
// again changes nothing), and a later full feed that names an archived one again restores it.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullBatch, generateSchool, writeBatch } from './fixtures/generate.ts';
import { readMisFolder } from './formats/index.ts';
import { runSync, type SyncResult } from './sync.ts';
import { asSystem } from '../../core/context.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { makeSchool, testApp, type TestApp } from '../../test/harness.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t.close());

const q = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  unsafeAsOwner(t.services.db, (tx) => tx.query<T>(sql, params));

async function sync(schoolId: string, dir: string, kind: 'full' | 'delta'): Promise<SyncResult> {
  const door = asSystem(t.services, schoolId, 'mis_sync');
  const r = await runSync(door, () => readMisFolder('wonde', dir, { kind }), {
    source: 'cli',
    format: 'wonde',
  });
  expect(r.status, r.error ?? '').toBe('applied');
  return r;
}

const date = (d: string) => ({
  date: `${d} 00:00:00.000000`,
  timezone_type: 3,
  timezone: 'Europe/London',
});

/** A Wonde delta holding only a `deletions` page, as the endpoint returns it. */
async function deletionsOnly(rows: Record<string, unknown>[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lantern-restore-'));
  await writeFile(
    join(dir, 'deletions.json'),
    JSON.stringify({
      data: rows,
      meta: { pagination: { next: null, previous: null, more: false, current_page: 1 } },
    }),
  );
  return dir;
}

const state = async (schoolId: string, contact: string, staff: string, group: string) => {
  const [c] = await q<{ gone: boolean }>(
    'SELECT archived_at IS NOT NULL AS gone FROM contacts WHERE school_id = $1 AND mis_id = $2',
    [schoolId, contact],
  );
  const [s] = await q<{ gone: boolean }>(
    'SELECT left_at IS NOT NULL AS gone FROM mis_staff WHERE school_id = $1 AND mis_id = $2',
    [schoolId, staff],
  );
  const [g] = await q<{ gone: boolean }>(
    'SELECT archived_at IS NOT NULL AS gone FROM mis_groups WHERE school_id = $1 AND mis_id = $2',
    [schoolId, group],
  );
  return [c!.gone, s!.gone, g!.gone];
};

describe('restorations beyond pupils', () => {
  it('restored_at brings back a contact, a member of staff and a group, once', async () => {
    const id = await makeSchool(t.services);
    const school = generateSchool({ pupils: 20, staff: 4, groups: 12, days: 1, seed: 31 });
    const full = await mkdtemp(join(tmpdir(), 'lantern-restore-full-'));
    await writeBatch('wonde', full, fullBatch(school));
    await sync(id, full, 'full');
    const contact = school.contacts[0]!.misId;
    const staff = school.staff[0]!.misId;
    const group = school.groups.find((g) => g.kind === 'teaching')!.misId;

    const removed = await sync(
      id,
      await deletionsOnly([
        { type: 'contact', id: contact, mis_id: 'c1', deleted_at: date('2025-01-18') },
        { type: 'employee', id: staff, mis_id: 'e1', deleted_at: date('2025-01-18') },
        { type: 'class', id: group, mis_id: 'g1', deleted_at: date('2025-01-18') },
      ]),
      'delta',
    );
    expect(removed.archived).toBe(3);
    expect(await state(id, contact, staff, group)).toEqual([true, true, true]);

    const back = await deletionsOnly(
      [
        ['contact', contact],
        ['employee', staff],
        ['class', group],
      ].map(([type, misId]) => ({
        type,
        id: misId,
        mis_id: 'x',
        deleted_at: date('2025-01-18'),
        restored_at: date('2025-01-19'),
      })),
    );
    const restored = await sync(id, back, 'delta');
    expect(restored.details.contacts).toMatchObject({ restored: 1, archived: 0 });
    expect(restored.details.staff).toMatchObject({ restored: 1, archived: 0 });
    expect(restored.details.groups).toMatchObject({ restored: 1, archived: 0 });
    expect(await state(id, contact, staff, group)).toEqual([false, false, false]);
    const again = await sync(id, back, 'delta');
    expect([again.added, again.changed, again.archived]).toEqual([0, 0, 0]);
  });

  it('a later full feed that names archived ones again restores them, and their links', async () => {
    const id = await makeSchool(t.services);
    const school = generateSchool({ pupils: 20, staff: 4, groups: 12, days: 1, seed: 32 });
    const full = await mkdtemp(join(tmpdir(), 'lantern-restore-full-'));
    await writeBatch('wonde', full, fullBatch(school));
    await sync(id, full, 'full');
    const contact = school.contacts[0]!;
    const staff = school.staff[0]!.misId;
    const group = school.groups.find((g) => g.kind === 'teaching')!.misId;
    await sync(
      id,
      await deletionsOnly([
        { type: 'contact', id: contact.misId, mis_id: 'c1', deleted_at: date('2025-01-18') },
        { type: 'employee', id: staff, mis_id: 'e1', deleted_at: date('2025-01-18') },
        { type: 'group', id: group, mis_id: 'g1', deleted_at: date('2025-01-18') },
      ]),
      'delta',
    );
    expect(await state(id, contact.misId, staff, group)).toEqual([true, true, true]);
    const r = await sync(id, full, 'full');
    expect(r.details.contacts).toMatchObject({ restored: 1 });
    expect(r.details.staff).toMatchObject({ restored: 1 });
    expect(r.details.groups).toMatchObject({ restored: 1 });
    expect(await state(id, contact.misId, staff, group)).toEqual([false, false, false]);
    const [links] = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM pupil_contacts l JOIN contacts c ON c.id = l.contact_id
       WHERE c.school_id = $1 AND c.mis_id = $2`,
      [id, contact.misId],
    );
    expect(links!.n).toBe(contact.pupils.length);
    const again = await sync(id, full, 'full');
    expect([again.added, again.changed, again.archived]).toEqual([0, 0, 0]);
  });
});
