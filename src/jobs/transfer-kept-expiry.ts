// The kept copies of transferred files whose keep-until date has passed (issue 18), once every 24 hours
// from the minute job under its own lease: each school in its own short transaction as
// 'Lantern (scheduled)' (features/transfers/keep.ts's expireKeptCopies, idempotent: removed under
// a `destroy` rule, kept and marked due for review under `review`, each audited; a copy under a
// legal hold stays); a school that fails is logged by id and tried again on the next run.
import type { Services } from '../platform/services.ts';
import { expireKeptCopies } from '../features/transfers/keep.ts';
import { forEachSchool } from './each-school.ts';

export async function runKeptCopyExpiry(
  services: Services,
  now: Date,
  only?: readonly string[],
): Promise<number> {
  return forEachSchool(services, now, only, 'kept copy expiry', expireKeptCopies);
}
