// The restore drill in a short form (issue 16): a throwaway PostgreSQL cluster archiving into an
// encrypted pgBackRest repository, Lantern writing concerns over HTTP, a full and an incremental
// backup, a point in time, the cluster destroyed, a restore to the point, and the drill's checks.
// PostgreSQL-specific, so it runs on the server-postgres project only; it needs Debian's
// pgbackrest and postgresql-15 (installed by scripts/ensure-test-tools.ts and .ci/run).
import { existsSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { runDrill } from '../../../scripts/ops/restore-drill.ts';

const missing = ['/usr/bin/pgbackrest', '/usr/lib/postgresql/15/bin/initdb'].filter(
  (f) => !existsSync(f),
);
const onPostgres = inject('engine') === 'postgres';

describe.skipIf(!onPostgres)('the restore drill (PostgreSQL)', () => {
  it.skipIf(missing.length > 0)(
    `restores to a point in time with every acknowledged concern, nothing after it, an intact audit chain and readable records${missing.length ? ` (skipped: ${missing.join(', ')} not installed)` : ''}`,
    async () => {
      const lines: string[] = [];
      const result = await runDrill({
        pupils: 20,
        seconds: 4,
        clients: 3,
        archiveTimeout: 5,
        port: 54331,
        log: (l) => lines.push(l),
      });
      for (const c of result.checks)
        expect(c.ok, `${c.name}: ${c.detail}\n${lines.join('\n')}`).toBe(true);
      expect(result.beforePoint).toBeGreaterThan(0);
      expect(result.afterPoint).toBeGreaterThan(0);
      expect(result.backups.map((b) => b.type)).toEqual(['full', 'incr']);
      // The issue's goal: under a minute of acknowledged writes lost with WAL archiving.
      expect(result.rpo.seconds).toBeLessThan(60);
      expect(result.rto.seconds).toBeGreaterThan(0);
    },
    180_000,
  );
});
