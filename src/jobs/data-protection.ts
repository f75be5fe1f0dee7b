// The DPO's periodic work (issue 17), run from the minute job under leases of its own: every run,
// rights requests falling due within the week or overdue are alerted once to the register's
// holders; once a day, each school's audit chain is verified and a school whose chain is broken
// gets a draft breach for its DPO (features/data-protection/signals.ts). Each school in its own
// short transaction as 'Lantern (scheduled)'; a school that fails is logged (its id, never the
// error's message) and tried again next run.
import type { Services } from '../platform/services.ts';
import { asSystem, SYSTEM_REASONS, unsafeAsOperator } from '../core/context.ts';
import { verifyAudit } from '../platform/audit/verify.ts';
import { queueAlertEmails, sendQueuedMailSoon } from '../features/alerts/email.ts';
import { alertDueRequests, draftBreach } from '../features/data-protection/signals.ts';

async function schoolIds(services: Services, only?: readonly string[]): Promise<string[]> {
  if (only) return [...only];
  const rows = await unsafeAsOperator(services, SYSTEM_REASONS.scheduled, (t) =>
    t.q<{ id: string }>('SELECT id FROM schools ORDER BY id'),
  );
  return rows.map((r) => r.id);
}

const at = (services: Services, now: Date) => ({
  db: services.db,
  keys: services.keys,
  clock: { now: () => now },
});

/** Alerts due and overdue requests in each school; returns how many people were alerted. */
export async function runRequestAlerts(
  services: Services,
  now: Date,
  only?: readonly string[],
): Promise<number> {
  let alerted = 0;
  for (const id of await schoolIds(services, only)) {
    try {
      alerted += await asSystem(at(services, now), id, 'scheduled').tx(async (t) => {
        const to = await alertDueRequests(t);
        await queueAlertEmails(t, services, to);
        return to.length;
      });
    } catch {
      services.log.error(`data-protection alerts failed for school ${id}; will retry`);
    }
  }
  sendQueuedMailSoon(services);
  return alerted;
}

/** Verifies each school's audit chain; a broken one gets a draft breach. Returns the drafts. */
export async function runAuditCheck(
  services: Services,
  now: Date,
  only?: readonly string[],
  by: 'scheduled' | 'operator' = 'scheduled',
): Promise<string[]> {
  const drafts: string[] = [];
  for (const id of await schoolIds(services, only)) {
    // One school's failure (its database row, its mail) must not stop the others' checks.
    try {
      const { breaks } = await verifyAudit(services.db, id);
      const first = breaks.reduce<number | null>(
        (m, b) => (m === null || b.seq < m ? b.seq : m),
        null,
      );
      if (first === null) continue;
      const made = await asSystem(at(services, now), id, by).tx(async (t) => {
        const d = await draftBreach(t, 'audit_verify', `seq-${first}`);
        await queueAlertEmails(t, services, d.alerted);
        return d.id;
      });
      if (made) drafts.push(made);
    } catch {
      services.log.error(`data-protection audit check failed for school ${id}; will retry`);
    }
  }
  sendQueuedMailSoon(services);
  return drafts;
}
