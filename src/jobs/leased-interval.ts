// A periodic job under a lease (platform/jobs/lease.ts): every `everyMs` a tick claims the job and
// runs it unless a run of this process is still going; a failure is logged by the job's name and
// the error's message alone, and tried again on the next tick. Returns the stop function, which
// waits for a run in progress so its lease is released before the database closes.
import type { Services } from '../platform/services.ts';
import { LEASE_MS, runLeased, type JobName } from '../platform/jobs/lease.ts';

export function startLeasedInterval(
  services: Services,
  job: { name: JobName; what: string; everyMs: number; leaseMs?: number },
  run: () => Promise<unknown>,
): () => Promise<void> {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = runLeased(
      services.db,
      { job: job.name, leaseMs: job.leaseMs ?? LEASE_MS, everyMs: 0 },
      run,
    )
      .then(() => undefined)
      .catch((err: unknown) =>
        services.log.error(`${job.what} failed (will retry): ${(err as Error).message}`),
      )
      .finally(() => {
        running = null;
      });
  };
  const every = setInterval(tick, job.everyMs);
  every.unref();
  return async () => {
    clearInterval(every);
    await running;
  };
}
