// The failover test (issue 16, a standby that takes over), PostgreSQL only: a pg_auto_failover
// monitor and two nodes on loopback ports with synchronous replication, Lantern as a real process
// on the multi-host address, 20 clients logging concerns over HTTP; the primary's postmaster and
// its keeper are killed with SIGKILL, the standby is promoted, and Lantern carries on by itself.
// Every concern acknowledged (201) is on the new primary, the audit chains verify, the concerns
// still decrypt, and the outage (last 201 before the kill → first 201 after) is printed. The
// drill is scripts/ops/failover-drill.ts; it needs Debian's pg-auto-failover-cli and
// postgresql-15-auto-failover (installed by scripts/ensure-test-tools.ts and .ci/run).
import { existsSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { runFailover } from '../../../scripts/ops/failover-drill.ts';
import { FAST_TIMEOUTS, PG_AUTOCTL } from '../../../scripts/ops/auto-failover.ts';

const missing = [PG_AUTOCTL, '/usr/lib/postgresql/15/lib/pgautofailover.so'].filter(
  (f) => !existsSync(f),
);

describe.runIf(inject('engine') === 'postgres')('a standby that takes over (PostgreSQL)', () => {
  it.skipIf(missing.length > 0)(
    `loses no acknowledged concern when the primary dies, and serves again within 30 s${missing.length ? ` (skipped: ${missing.join(', ')} not installed)` : ''}`,
    async () => {
      const lines: string[] = [];
      // Shorter than the documented FAST_TIMEOUTS, for the test's time only: on loopback the
      // promotion order is the same (the monitor still waits longer than the partition timeout).
      // The waits add up to less than the test's limit: set-up (formation and Lantern's start)
      // 90 s, outage 30 s, then the checks.
      const r = await runFailover({
        clients: 20,
        beforeSeconds: 1,
        afterAcks: 20,
        withinSeconds: 30,
        setUpSeconds: 90,
        timeouts: {
          ...FAST_TIMEOUTS,
          nodeConsideredUnhealthyTimeoutMs: 2_000,
          primaryDemoteTimeoutMs: 2_000,
          networkPartitionTimeoutS: 1,
        },
        log: (l) => lines.push(l),
      });
      console.log(lines.map((l) => `failover: ${l}`).join('\n'));
      const context = lines.join('\n');
      // pg_auto_failover's synchronous replication with one standby: number_sync_standbys stays
      // 0, yet the standby is named synchronous and every commit waits for its flush.
      expect(r.synchronous.standbyNames, context).toMatch(/^ANY 1 \(pgautofailover_standby_\d+\)$/);
      expect(r.synchronous.commit).toBe('on');
      // Bad input: a standby's address is refused at start, naming what it is; listed before the
      // primary, it is passed over.
      expect(r.standbyRefusal).toMatch(
        /^ConfigError: Configuration error: DATABASE_URL names no writable primary \(127\.0\.0\.1:\d+ read-only\)/,
      );
      expect(r.chosenWithStandbyFirst).toBe(r.primaryPort);
      expect(r.acknowledgedBeforeKill, context).toBeGreaterThan(0);
      expect(r.acknowledged, context).toBeGreaterThan(r.acknowledgedBeforeKill);
      expect(r.missing, context).toEqual([]);
      expect(r.auditBreaks, context).toBe(0);
      expect(r.auditEntries).toBeGreaterThanOrEqual(r.acknowledged);
      expect(r.readBack.of).toBeGreaterThan(0);
      expect(r.readBack.ok, context).toBe(r.readBack.of);
      expect(r.servedBy, context).toBe(r.standbyPort);
      expect(r.outageSeconds, context).toBeLessThan(30);
      // During the outage every refusal is a 503 that says what happened, never a 500.
      expect(Object.keys(r.errorsDuringOutage), context).toEqual(['503']);
    },
    150_000,
  );
});
