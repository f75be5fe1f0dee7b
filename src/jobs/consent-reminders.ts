// Consent reminders (issue 21), run from the minute job under its own lease: each school in its
// own short transaction as 'Lantern (scheduled)' (features/consents/reminders.ts records each
// reminder, so a repeated run sends nothing twice); a school that fails is logged by id and tried
// again on the next run.
import type { Services } from '../platform/services.ts';
import { remindConsents } from '../features/consents/reminders.ts';
import { sendQueuedMailSoon } from '../features/alerts/email.ts';
import { forEachSchool } from './each-school.ts';

export async function runConsentReminders(
  services: Services,
  now: Date,
  only?: readonly string[],
): Promise<number> {
  const sent = await forEachSchool(services, now, only, 'consent reminders', (t) =>
    remindConsents(t, services),
  );
  if (sent > 0) sendQueuedMailSoon(services);
  return sent;
}
