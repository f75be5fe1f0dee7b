// Healthcare and action plans' expiry reminders to parents (issue 21), run from the minute job
// under its own lease: each school in its own short transaction as 'Lantern (scheduled)' at the
// job's `now` (the injected clock); each due date is recorded, so a repeated run does nothing; a
// school that fails is logged by id and tried again on the next run.
import type { Services } from '../platform/services.ts';
import { remindPlanExpiries } from '../features/medical/reminders.ts';
import { sendQueuedMailSoon } from '../features/alerts/email.ts';
import { forEachSchool } from './each-school.ts';

export async function runPlanReminders(
  services: Services,
  now: Date,
  only?: readonly string[],
): Promise<number> {
  const sent = await forEachSchool(services, now, only, 'plan reminders', (t) =>
    remindPlanExpiries(t, services),
  );
  if (sent > 0) sendQueuedMailSoon(services);
  return sent;
}
