// Parents' invitations (issue 21), run from the minute job under its own lease: reminders 5 days
// after an invitation, then weekly, at most 4 (features/parents/invitations.ts chaseInvitations,
// which also ends the access of a contact the DSL has restricted since). Each school in its own
// short transaction as 'Lantern (scheduled)', at the job's `now` (the injected clock in tests);
// a school that fails is logged by id and tried again on the next run.
import type { Services } from '../platform/services.ts';
import { chaseInvitations } from '../features/parents/invitations.ts';
import { wakeWorker } from '../platform/queue/worker.ts';
import { forEachSchool } from './each-school.ts';

export async function runParentReminders(
  services: Services,
  now: Date,
  only?: readonly string[],
): Promise<number> {
  const reminded = await forEachSchool(
    services,
    now,
    only,
    'parent reminders',
    async (t) => (await chaseInvitations(t, services)).reminded,
  );
  if (reminded > 0) wakeWorker(services);
  return reminded;
}
