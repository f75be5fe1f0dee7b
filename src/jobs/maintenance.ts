// Planner statistics for the embedded engine. PostgreSQL servers keep them fresh with
// autovacuum; PGlite has no background workers, so without this the planner works from no
// statistics at all and picks plans that are thousands of times slower once a school has
// records (measured with `npm run bench -- search`, 50,000 concerns on the embedded engine: p50
// 1.4–2.0 s without statistics, 15–19 ms with them).
// Runs ANALYZE shortly after start and then hourly; a failure is logged and retried next time.
// ANALYZE concerns no school and only the tables' owner may run it, hence the owner's door; it
// reads and changes no school's rows and audits nothing.
import type { Services } from '../platform/services.ts';
import { SYSTEM_REASONS, unsafeAsOperator } from '../core/context.ts';
import { LEASE_MS, runLeased } from '../platform/jobs/lease.ts';

export async function refreshStatistics(services: Services): Promise<void> {
  await unsafeAsOperator(services, SYSTEM_REASONS.scheduled, (t) => t.q('ANALYZE'));
}

export function startEmbeddedMaintenance(
  services: Services,
  opts: { firstMs?: number; everyMs?: number } = {},
): () => Promise<void> {
  if (services.db.engine !== 'embedded') return async () => undefined;
  let running: Promise<void> | null = null;
  const run = () => {
    if (running) return;
    running = runLeased(services.db, { job: 'statistics', leaseMs: LEASE_MS, everyMs: 0 }, () =>
      refreshStatistics(services),
    )
      .then(() => undefined)
      .catch(() => services.log.warn('refreshing planner statistics failed; will retry'))
      .finally(() => {
        running = null;
      });
  };
  const first = setTimeout(run, opts.firstMs ?? 30_000);
  const every = setInterval(run, opts.everyMs ?? 3_600_000);
  first.unref();
  every.unref();
  // Stopping waits for a run in progress, so its lease is released before the database closes.
  return async () => {
    clearTimeout(first);
    clearInterval(every);
    await running;
  };
}
