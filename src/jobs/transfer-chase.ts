// Chasing child-protection file transfers (issue 18), run from the minute job under its own
// lease: each school in its own short transaction as 'Lantern (scheduled)'
// (features/transfers/chase.ts records the day it reminded, so a run repeated the same day does
// nothing); a school that fails is logged by id and tried again on the next run.
import type { Services } from '../platform/services.ts';
import { asSystem, SYSTEM_REASONS, unsafeAsOperator } from '../core/context.ts';
import { chaseTransfers } from '../features/transfers/chase.ts';
import { sendQueuedMailSoon } from '../features/alerts/email.ts';

export async function runTransferChase(
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
      reminded += (await asSystem(at, id, 'scheduled').tx((t) => chaseTransfers(t, services)))
        .reminded;
    } catch {
      services.log.error(`transfer chase failed for school ${id}; will retry on the next run`);
    }
  }
  if (reminded > 0) sendQueuedMailSoon(services);
  return reminded;
}
