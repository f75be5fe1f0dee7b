// The per-school loop the scheduled jobs share: each school (or only those named, as tests do) in
// its own short transaction as 'Lantern (scheduled)' at the job's `now` (the injected clock in
// tests), so one school's work never holds another's; a school that fails is logged by id (never
// the error's text, which may carry values) and tried again on the next run. Returns the sum of
// what each school's work counted.
import type { Services } from '../platform/services.ts';
import { asSystem, SYSTEM_REASONS, unsafeAsOperator, type SchoolTx } from '../core/context.ts';

export async function forEachSchool(
  services: Services,
  now: Date,
  only: readonly string[] | undefined,
  what: string,
  work: (t: SchoolTx) => Promise<number>,
): Promise<number> {
  const ids =
    only ??
    (
      await unsafeAsOperator(services, SYSTEM_REASONS.scheduled, (t) =>
        t.q<{ id: string }>('SELECT id FROM schools ORDER BY id'),
      )
    ).map((r) => r.id);
  const at = { db: services.db, keys: services.keys, clock: { now: () => now } };
  let total = 0;
  for (const id of ids) {
    try {
      total += await asSystem(at, id, 'scheduled').tx(work);
    } catch {
      services.log.error(`${what} failed for school ${id}; will retry on the next run`);
    }
  }
  return total;
}
