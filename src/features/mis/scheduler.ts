// The in-process scheduler for pull connectors. Schedules and last runs live in the database
// (mis_connectors), so a restart picks up where it left off; a due school is claimed with one
// conditional UPDATE of its lock column (locked_until), which works the same on both engines and
// across processes, so the same school never runs twice at once. Stoppable: stop() waits for the
// run in progress. Which schools are due is asked at platform level, of a SECURITY DEFINER
// function that answers with school ids only; everything else runs in one school, as the MIS sync.
import type { Services } from '../../platform/services.ts';
import { asSystem, NO_ORIGIN, visitor } from '../../core/context.ts';
import { nextRun } from './connector.ts';
import { pullAndSync } from './pull.ts';
import { pullXporterAndSync } from './xporter-pull.ts';
import { SyncRejected } from './sync.ts';
import { LEASE_MS, runLeased } from '../../platform/jobs/lease.ts';
import { misRuns } from '../../platform/metrics.ts';

const LOCK_MS = 60 * 60 * 1000;

export type Scheduler = { tick(): Promise<number>; stop(): Promise<void> };

/**
 * Claims and runs every due connector once; returns how many ran. `only` limits it to some
 * schools (tests sharing a database with other tests).
 */
export async function runDueConnectors(
  services: Services,
  only?: readonly string[],
): Promise<number> {
  const now = services.clock.now();
  const listed = await visitor(services, NO_ORIGIN).inPlatform((q) =>
    q.query<{ school_id: string }>('SELECT school_id FROM lantern_due_connectors($1)', [now]),
  );
  const due = only ? listed.filter((d) => only.includes(d.school_id)) : listed;
  // The tick's one time: the claim, the run it records and the audit entries all carry it.
  const atTick = { db: services.db, keys: services.keys, clock: { now: () => now } };
  let ran = 0;
  for (const { school_id: schoolId } of due) {
    const door = asSystem(atTick, schoolId, 'mis_sync');
    const claim = await door.tx(async (t) => {
      const [row] = await t.q<{
        format: 'wonde' | 'xporter';
        base_url: string;
        estab: string | null;
        relying_party: string | null;
        token: Buffer;
        schedule: string;
        run_hour: number;
      }>(
        `UPDATE mis_connectors SET locked_until = $2
         WHERE (locked_until IS NULL OR locked_until < $1) AND enabled
         RETURNING format, base_url, estab, relying_party, token, schedule, run_hour`,
        [now, new Date(now.getTime() + LOCK_MS)],
      );
      if (!row) return null;
      const sealer = await t.sealer();
      return { ...row, token: sealer.open('mis_connectors.token', schoolId, row.token) };
    });
    if (!claim) continue;
    let status = 'applied';
    try {
      const opts = { allowPrivate: services.config.env === 'development' };
      const result =
        claim.format === 'xporter'
          ? await pullXporterAndSync(
              door,
              {
                baseUrl: claim.base_url,
                estab: claim.estab ?? '',
                relyingParty: claim.relying_party ?? '',
                secret: claim.token,
              },
              opts,
            )
          : await pullAndSync(door, { baseUrl: claim.base_url, token: claim.token }, opts);
      status = result.status;
    } catch (err) {
      status = err instanceof SyncRejected ? 'rejected' : 'failed';
      if (!(err instanceof SyncRejected))
        services.log.error(
          `MIS pull for a school failed: ${err instanceof Error ? err.name : 'error'}`,
        );
    }
    misRuns.inc({ status });
    await door.tx((t) =>
      t.q(
        `UPDATE mis_connectors SET locked_until = NULL, last_run_at = $1, last_status = $2, next_run_at = $3`,
        [now, status, nextRun(claim.schedule, claim.run_hour, now)],
      ),
    );
    ran += 1;
  }
  return ran;
}

/**
 * The scheduler's run: by one process at a time across all sharing the database
 * (platform/jobs/lease.ts); each connector is also claimed on its own row, so a pull is never
 * repeated. Answers how many connectors this process ran (0 when another holds the job).
 */
export async function runMisPullJob(services: Services, only?: readonly string[]): Promise<number> {
  const run = await runLeased(services.db, { job: 'mis_pull', leaseMs: LEASE_MS, everyMs: 0 }, () =>
    runDueConnectors(services, only),
  );
  return run.ran ? run.result : 0;
}

export function startMisScheduler(services: Services, everyMs = 60_000): Scheduler {
  let running: Promise<number> | null = null;
  const tick = (): Promise<number> => {
    running ??= runMisPullJob(services)
      .catch(() => {
        services.log.error('MIS scheduler tick failed');
        return 0;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(() => void tick(), everyMs);
  timer.unref();
  return {
    tick,
    stop: async () => {
      clearInterval(timer);
      if (running) await running;
    },
  };
}
