// The daily audit anchors (issue 20; platform/audit/anchors.ts): when LANTERN_AUDIT_ANCHOR_DIR is
// set, every school's chain head is signed and appended there shortly after start and then once
// a day, under a lease so several processes write one set. Start-up refuses a folder it cannot
// write to (a ConfigError, so the operator reads one line, not a stack). A failed run is logged
// and retried the next hour.
import { ConfigError } from '../config.ts';
import type { Services } from '../platform/services.ts';
import { checkAnchorDir, loadOrCreateAnchorKey, writeAnchors } from '../platform/audit/anchors.ts';
import { runLeased } from '../platform/jobs/lease.ts';

const DAY = 24 * 3_600_000;

export async function startAuditAnchors(
  services: Services,
  opts: { firstMs?: number; everyMs?: number } = {},
): Promise<() => Promise<void>> {
  const { config, db, log, clock } = services;
  const dir = config.audit.anchorDir;
  if (!dir) return async () => undefined;
  try {
    await checkAnchorDir(dir);
  } catch (err) {
    throw new ConfigError('LANTERN_AUDIT_ANCHOR_DIR', (err as Error).message);
  }
  const key = loadOrCreateAnchorKey(config.audit.anchorKeyFile);
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = runLeased(
      db,
      { job: 'audit_anchor', leaseMs: 10 * 60_000, everyMs: DAY - 60_000 },
      () => writeAnchors(db, dir, key, clock.now()),
    )
      .then((r) => {
        if (r.ran) log.info(`Audit anchors written for ${r.result.length} chains in ${dir}`);
      })
      .catch((err: unknown) =>
        log.error(`Writing the audit anchors failed (will retry): ${(err as Error).message}`),
      )
      .finally(() => {
        running = null;
      });
  };
  const first = setTimeout(tick, opts.firstMs ?? 60_000);
  const every = setInterval(tick, opts.everyMs ?? 3_600_000);
  first.unref();
  every.unref();
  return async () => {
    clearTimeout(first);
    clearInterval(every);
    await running;
  };
}
