// The in-process scheduler for pull connectors. Schedules and last runs live in the database
// (mis_connectors), so a restart picks up where it left off; a due school is claimed with one
// conditional UPDATE of its lock column (locked_until), which works the same on both engines and
// across processes, so the same school never runs twice at once. Stoppable: stop() waits for the
// run in progress.
import type { Services } from '../../platform/services.ts';
import { inPlatform, inSchool } from '../../platform/db/tenancy.ts';
import { nextRun } from './connector.ts';
import { pullAndSync } from './pull.ts';
import { SyncRejected } from './sync.ts';

const LOCK_MS = 60 * 60 * 1000;

export type Scheduler = { tick(): Promise<number>; stop(): Promise<void> };

/** Claims and runs every due connector once; returns how many ran. */
export async function runDueConnectors(services: Services): Promise<number> {
  const now = services.clock.now();
  const due = await inPlatform(services.db, (q) =>
    q.query<{ school_id: string }>('SELECT school_id FROM lantern_due_connectors($1)', [now]),
  );
  let ran = 0;
  for (const { school_id: schoolId } of due) {
    const claim = await inSchool(services.db, schoolId, async (q) => {
      const [row] = await q.query<{
        base_url: string;
        token: Buffer;
        schedule: string;
        run_hour: number;
      }>(
        `UPDATE mis_connectors SET locked_until = $2
         WHERE (locked_until IS NULL OR locked_until < $1) AND enabled
         RETURNING base_url, token, schedule, run_hour`,
        [now, new Date(now.getTime() + LOCK_MS)],
      );
      if (!row) return null;
      const sealer = await services.keys.forSchool(q, schoolId);
      return { ...row, token: sealer.open('mis_connectors.token', schoolId, row.token) };
    });
    if (!claim) continue;
    let status = 'applied';
    try {
      await pullAndSync(
        services.db,
        schoolId,
        { baseUrl: claim.base_url, token: claim.token },
        now,
      );
    } catch (err) {
      status = err instanceof SyncRejected ? 'rejected' : 'failed';
      if (!(err instanceof SyncRejected))
        services.log.error(
          `MIS pull for a school failed: ${err instanceof Error ? err.name : 'error'}`,
        );
    }
    await inSchool(services.db, schoolId, (q) =>
      q.query(
        `UPDATE mis_connectors SET locked_until = NULL, last_run_at = $1, last_status = $2, next_run_at = $3`,
        [now, status, nextRun(claim.schedule, claim.run_hour, now)],
      ),
    );
    ran += 1;
  }
  return ran;
}

export function startMisScheduler(services: Services, everyMs = 60_000): Scheduler {
  let running: Promise<number> | null = null;
  const tick = (): Promise<number> => {
    running ??= runDueConnectors(services)
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
