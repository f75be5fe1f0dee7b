// Consent reminders (issue 21), run from the minute job under its own lease: each school in its
// own short transaction as 'Lantern (scheduled)' (features/consents/reminders.ts records each
// reminder, so a repeated run sends nothing twice); a school that fails is logged by id and tried
// again on the next run.
import type { Services } from '../platform/services.ts';
import { asSystem, SYSTEM_REASONS, unsafeAsOperator } from '../core/context.ts';
import { remindConsents } from '../features/consents/reminders.ts';
import { sendQueuedMailSoon } from '../features/alerts/email.ts';

export async function runConsentReminders(
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
      sent += await asSystem(at, id, 'scheduled').tx((t) => remindConsents(t, services));
    } catch {
      services.log.error(`consent reminders failed for school ${id}; will retry on the next run`);
    }
  }
  if (sent > 0) sendQueuedMailSoon(services);
  return sent;
}
