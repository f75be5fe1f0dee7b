// Healthcare and action plans' expiry reminders to parents (issue 21), run from the minute job
// under its own lease: each school in its own short transaction as 'Lantern (scheduled)' at the
// job's `now` (the injected clock); each due date is recorded, so a repeated run does nothing; a
// school that fails is logged by id and tried again on the next run.
import type { Services } from '../platform/services.ts';
import { asSystem, SYSTEM_REASONS, unsafeAsOperator } from '../core/context.ts';
import { remindPlanExpiries } from '../features/medical/reminders.ts';
import { sendQueuedMailSoon } from '../features/alerts/email.ts';

export async function runPlanReminders(
  services: Services,
  now: Date,
  only?: readonly string[],
): Promise<number> {
  const ids =
    only ??
    (
      await unsafeAsOperator(services, SYSTEM_REASONS.scheduled, (t) =>
        t.q<{ id: string }>('SELECT id FROM schools ORDER BY id'),
      )
    ).map((r) => r.id);
  const at = { db: services.db, keys: services.keys, clock: { now: () => now } };
  let sent = 0;
  for (const id of ids) {
    try {
      sent += await asSystem(at, id, 'scheduled').tx((t) => remindPlanExpiries(t, services));
    } catch {
      services.log.error(`plan reminders failed for school ${id}; will retry on the next run`);
    }
  }
  if (sent > 0) sendQueuedMailSoon(services);
  return sent;
}
