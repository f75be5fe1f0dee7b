// The trust figures (issue 20; features/trust/figures.ts): every hour, each school that shares its
// figures with its trust recomputes its snapshot inside its own tenant, as 'Lantern (scheduled)',
// under a lease so one process does it. A failure is logged by school id and retried next hour.
import type { Services } from '../platform/services.ts';
import { runLeased } from '../platform/jobs/lease.ts';
import { refreshSnapshots } from '../features/trust/figures.ts';

export const TRUST_FIGURES_EVERY_MS = 60 * 60_000;

export function startTrustFigures(services: Services, opts: { everyMs?: number } = {}) {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = runLeased(
      services.db,
      {
        job: 'trust_figures',
        leaseMs: 30 * 60_000,
        everyMs: opts.everyMs ?? TRUST_FIGURES_EVERY_MS,
      },
      () => refreshSnapshots(services),
    )
      .then(() => undefined)
      .catch((err: unknown) =>
        services.log.error(`The trust figures failed (will retry): ${(err as Error).message}`),
      )
      .finally(() => {
        running = null;
      });
  };
  // Checked every five minutes; the lease's `everyMs` makes it run once an hour across processes.
  const every = setInterval(tick, 5 * 60_000);
  every.unref();
  return async () => {
    clearInterval(every);
    await running;
  };
}
