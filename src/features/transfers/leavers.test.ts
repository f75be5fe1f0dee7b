// The MIS trigger (issue 18): a pupil the sync archives as a leaver who has any safeguarding
// record opens a transfer for the DSL team, destination unknown, dated the day they left; a leaver
// with no record opens none; running the same snapshot again opens nothing more.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullBatch, generateSchool, writeBatch } from '../mis/fixtures/generate.ts';
import { readMisFolder } from '../mis/formats/index.ts';
import { runSync } from '../mis/sync.ts';
import {
  call,
  categoryIds,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  type TestApp,
} from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { asSystem } from '../../core/context.ts';
import type { TransfersView } from '../../shared/schemas/transfers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' } });
  t.services.mailer = { send: () => Promise.resolve() };
});
afterAll(async () => t.close());

const owner = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  unsafeAsOwner(t.services.db, (q) => q.query<T>(sql, params));

async function sync(schoolId: string, batch: ReturnType<typeof fullBatch>) {
  const dir = await mkdtemp(join(tmpdir(), 'lantern-transfer-leavers-'));
  await writeBatch('wonde', dir, batch);
  return runSync(
    asSystem(t.services, schoolId, 'mis_sync'),
    () => readMisFolder('wonde', dir, { kind: 'full' }),
    {
      source: 'cli',
      format: 'wonde',
    },
  );
}

describe('a leaver through the MIS sync', () => {
  it('opens a transfer for a leaver with a safeguarding record, and only once', async () => {
    const schoolId = await makeSchool(t.services);
    const school = generateSchool({ pupils: 8, staff: 2, groups: 4, days: 1, seed: 18 });
    await sync(schoolId, fullBatch(school));
    await owner('INSERT INTO mis_settings (school_id, guard_percent) VALUES ($1, 100)', [schoolId]);
    const [withRecord, without] = school.pupils;
    const ids = await owner<{ id: string; mis_id: string }>(
      'SELECT id, mis_id FROM pupils WHERE school_id = $1 AND mis_id = ANY($2::text[])',
      [schoolId, [withRecord!.misId, without!.misId]],
    );
    const pupilId = ids.find((r) => r.mis_id === withRecord!.misId)!.id;
    const dsl = await signIn(t.app, await makeUser(t.services, schoolId, 'dsl'), {
      elevated: true,
    });
    const [category] = await categoryIds(t.services, schoolId);
    const logged = await call(t.app, dsl, 'POST', '/api/concerns', {
      pupils: [{ pupilId, role: 'subject' }],
      categoryIds: [category!.id],
      happenedAt: new Date(Date.now() - 60_000).toISOString(),
      body: 'A record before leaving.',
    });
    expect(logged.statusCode, logged.body).toBe(201);

    const leaving = { ...school, pupils: school.pupils.slice(2) };
    const run = await sync(schoolId, fullBatch(leaving));
    expect(run.archived).toBeGreaterThanOrEqual(2);
    const out = (await call(t.app, dsl, 'GET', '/api/transfers')).json<TransfersView>().out;
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      pupil: { id: pupilId },
      trigger: 'mis_leaver',
      destination: null,
      state: 'draft',
    });
    await sync(schoolId, fullBatch(leaving));
    expect(
      (await call(t.app, dsl, 'GET', '/api/transfers')).json<TransfersView>().out,
    ).toHaveLength(1);
  });
});
