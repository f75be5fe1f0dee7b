// The embedded engine's planner statistics are refreshed by Lantern itself (no autovacuum there).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePupil, makeSchool, testServices } from '../test/harness.ts';
import type { Services } from '../platform/services.ts';
import { unsafeAsOwner } from '../platform/db/tenancy.ts';
import { startEmbeddedMaintenance } from './maintenance.ts';

let s: Services;
beforeAll(async () => {
  s = await testServices();
});
afterAll(async () => s.db.close());

const analysedAt = async () =>
  (
    await unsafeAsOwner(s.db, (q) =>
      q.query<{ at: Date | null }>(
        `SELECT greatest(last_analyze, last_autoanalyze) AS at FROM pg_stat_user_tables
         WHERE relname = 'pupils'`,
      ),
    )
  )[0]?.at ?? null;

describe('embedded maintenance', () => {
  it('analyses the tables soon after start on the embedded engine', async () => {
    // A PostgreSQL server's autovacuum does this there (and may at any moment: not observable).
    if (s.db.engine !== 'embedded') return;
    const schoolId = await makeSchool(s);
    for (let i = 0; i < 5; i++) await makePupil(s, schoolId);
    const before = await analysedAt();
    const stop = startEmbeddedMaintenance(s, { firstMs: 5, everyMs: 60_000 });
    try {
      await expect.poll(analysedAt, { timeout: 10_000 }).not.toEqual(before);
    } finally {
      await stop();
    }
  });
});
