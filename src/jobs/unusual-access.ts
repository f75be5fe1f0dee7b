// The unusual-access scan (issue 20; features/audit-trail/unusual-access.ts), every few minutes
// for each school, as 'Lantern (scheduled)', under a lease so one process scans. Its alerts are
// emailed like the rest ("something to look at", nothing more). A failure is logged and retried.
import type { Services } from '../platform/services.ts';
import { asSystem, SYSTEM_REASONS, unsafeAsOperator } from '../core/context.ts';
import { runLeased } from '../platform/jobs/lease.ts';
import { scanUnusualAccess } from '../features/audit-trail/unusual-access.ts';
import { queueAlertEmails, sendQueuedMailSoon } from '../features/alerts/email.ts';

export async function runUnusualAccessScan(
  services: Services,
  now: Date,
  only?: readonly string[],
) {
  const ids =
    only ??
    (
      await unsafeAsOperator(services, SYSTEM_REASONS.scheduled, (t) =>
        t.q<{ id: string }>('SELECT id FROM schools ORDER BY id'),
      )
    ).map((r) => r.id);
  let raised = 0;
  for (const id of ids) {
    const at = { db: services.db, keys: services.keys, clock: { now: () => now } };
    const result = await asSystem(at, id, 'scheduled').tx(async (t) => {
      const scan = await scanUnusualAccess(t);
      await queueAlertEmails(t, services, scan.alerted);
      return scan;
    });
    raised += result.raised.length;
  }
  if (raised > 0) sendQueuedMailSoon(services);
  return raised;
}

export function startUnusualAccessScan(services: Services, opts: { everyMs?: number } = {}) {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = runLeased(
      services.db,
      { job: 'unusual_access', leaseMs: 10 * 60_000, everyMs: 0 },
      () => runUnusualAccessScan(services, services.clock.now()),
    )
      .then(() => undefined)
      .catch((err: unknown) =>
        services.log.error(
          `The unusual-access scan failed (will retry): ${(err as Error).message}`,
        ),
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
