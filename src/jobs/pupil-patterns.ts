// The pupil-pattern scan (issue 20; features/patterns/service.ts), every few minutes for each
// school, as 'Lantern (scheduled)', under a lease so one process scans. Its alerts are emailed like
// the rest ("something to look at", nothing more). A failure is logged and retried.
import type { Services } from '../platform/services.ts';
import { runLeased } from '../platform/jobs/lease.ts';
import { scanPatterns } from '../features/patterns/service.ts';
import { queueAlertEmails, sendQueuedMailSoon } from '../features/alerts/email.ts';
import { forEachSchool } from './each-school.ts';

export async function runPatternScan(services: Services, now: Date, only?: readonly string[]) {
  const raised = await forEachSchool(services, now, only, 'the pupil-pattern scan', async (t) => {
    const scan = await scanPatterns(t);
    await queueAlertEmails(t, services, scan.alerted);
    return scan.raised;
  });
  if (raised > 0) sendQueuedMailSoon(services);
  return raised;
}

export function startPatternScan(services: Services, opts: { everyMs?: number } = {}) {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = runLeased(
      services.db,
      { job: 'pupil_patterns', leaseMs: 10 * 60_000, everyMs: 0 },
      () => runPatternScan(services, services.clock.now()),
    )
      .then(() => undefined)
      .catch((err: unknown) =>
        services.log.error(`The pupil-pattern scan failed (will retry): ${(err as Error).message}`),
      )
      .finally(() => {
        running = null;
      });
  };
  const every = setInterval(tick, opts.everyMs ?? 5 * 60_000);
  every.unref();
  return async () => {
    clearInterval(every);
    await running;
  };
}
