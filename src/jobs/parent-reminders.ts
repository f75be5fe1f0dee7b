// Parents' invitations (issue 21), run from the minute job under its own lease: reminders 5 days
// after an invitation, then weekly, at most 4 (features/parents/invitations.ts chaseInvitations,
// which also ends the access of a contact the DSL has restricted since). Each school in its own
// short transaction as 'Lantern (scheduled)', at the job's `now` (the injected clock in tests);
// a school that fails is logged by id and tried again on the next run.
import type { Services } from '../platform/services.ts';
import { asSystem, SYSTEM_REASONS, unsafeAsOperator } from '../core/context.ts';
import { chaseInvitations } from '../features/parents/invitations.ts';
import { wakeWorker } from '../platform/queue/worker.ts';

export async function runParentReminders(
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
  let reminded = 0;
  for (const id of ids) {
    try {
      reminded += (await asSystem(at, id, 'scheduled').tx((t) => chaseInvitations(t, services)))
        .reminded;
    } catch {
      services.log.error(`parent reminders failed for school ${id}; will retry on the next run`);
    }
  }
  if (reminded > 0) wakeWorker(services);
  return reminded;
}
