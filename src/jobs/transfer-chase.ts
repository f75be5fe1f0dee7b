// Chasing child-protection file transfers (issue 18), run from the minute job under its own
// lease: each school in its own short transaction as 'Lantern (scheduled)'
// (features/transfers/chase.ts records the day it reminded, so a run repeated the same day does
// nothing); a school that fails is logged by id and tried again on the next run.
import type { Services } from '../platform/services.ts';
import { chaseTransfers } from '../features/transfers/chase.ts';
import { sendQueuedMailSoon } from '../features/alerts/email.ts';
import { forEachSchool } from './each-school.ts';

export async function runTransferChase(
  services: Services,
  now: Date,
  only?: readonly string[],
): Promise<number> {
  const reminded = await forEachSchool(
    services,
    now,
    only,
    'transfer chase',
    async (t) => (await chaseTransfers(t, services)).reminded,
  );
  if (reminded > 0) sendQueuedMailSoon(services);
  return reminded;
}
