// The nightly retention sweep (issue 15), run from the minute job: each school is swept once a day
// (features/retention/sweep.ts keeps the day it last ran), each in its own short transaction as
// 'Lantern (scheduled)', so one school's sweep never holds another's work, and one school that
// cannot be swept (its key wrapped by a master key this process lacks, say) is logged and skipped
// without stopping the others; it is tried again on the next run.
import type { Services } from '../platform/services.ts';
import { asSystem, SYSTEM_REASONS, unsafeAsOperator } from '../core/context.ts';
import { sweepSchool } from '../features/retention/sweep.ts';

export async function runRetentionSweep(
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
  let queued = 0;
  for (const id of ids) {
    try {
      queued += (await asSystem(at, id, 'scheduled').tx(sweepSchool)).length;
    } catch {
      // Never the error's message: it may quote a value. The school id says where to look.
      services.log.error(`retention sweep failed for school ${id}; will retry on the next run`);
    }
  }
  return queued;
}
