// The daily audit anchors (issue 20; platform/audit/anchors.ts): when LANTERN_AUDIT_ANCHOR_DIR is
// set, every school's chain head is signed and appended there shortly after start and then once
// a day, under a lease so several processes write one set. Start-up refuses a folder it cannot
// write to (a ConfigError, so the operator reads one line, not a stack). A failed run is logged
// and retried the next hour.
import { ConfigError } from '../config.ts';
import type { Services } from '../platform/services.ts';
import { checkAnchorDir, loadOrCreateAnchorKey, writeAnchors } from '../platform/audit/anchors.ts';
import { LEASE_MS, runLeased } from '../platform/jobs/lease.ts';
import type { Anchor } from '../platform/audit/anchors.ts';
import { asSystem } from '../core/context.ts';
import { emailAnchorCode } from '../features/audit-trail/anchor-code.ts';
import { sendQueuedMailSoon } from '../features/alerts/email.ts';

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
      { job: 'audit_anchor', leaseMs: LEASE_MS, everyMs: DAY - 60_000 },
      async () => {
        const anchors = await writeAnchors(db, dir, key, clock.now());
        await emailAnchorCodes(services, anchors);
        return anchors;
      },
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

/**
 * After the anchors are written: each school that chose it has its code queued by email to the
 * register's holders, in its own transaction (audited there). One school's failure is logged by
 * its kind and does not stop the others; the anchors are already safe on disk.
 */
export async function emailAnchorCodes(services: Services, anchors: readonly Anchor[]) {
  let queued = 0;
  for (const a of anchors) {
    try {
      queued += await asSystem(services, a.schoolId, 'scheduled').tx((t) =>
        emailAnchorCode(t, services, a),
      );
    } catch (err) {
      services.log.error(
        `Emailing an audit anchor code failed (${err instanceof Error ? err.name : 'error'})`,
      );
    }
  }
  if (queued > 0) sendQueuedMailSoon(services);
  return queued;
}
