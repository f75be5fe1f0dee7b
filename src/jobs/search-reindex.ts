// The search index brought up to its current version (features/search/reindex.ts) in the
// background, every minute under a lease so one process does it: each school a batch at a time
// in its own transaction, for up to `budgetMs` a run, until no school has records waiting. Once
// no record anywhere is waiting (one look through the partial indexes) a run opens no school.
// A record whose text will not open is logged by kind and id (never text) for the operator.
import type { Services } from '../platform/services.ts';
import { SYSTEM_REASONS, unsafeAsOperator } from '../core/context.ts';
import { ANY_AWAITING_SQL, mayHaveMore, reindexBatch } from '../features/search/reindex.ts';
import { forEachSchool } from './each-school.ts';
import { startLeasedInterval } from './leased-interval.ts';

export async function runSearchReindex(
  services: Services,
  now: Date,
  opts: { only?: readonly string[]; budgetMs?: number } = {},
): Promise<number> {
  const [waiting] = await unsafeAsOperator(services, SYSTEM_REASONS.scheduled, (t) =>
    t.q<{ any: boolean }>(ANY_AWAITING_SQL),
  );
  if (!waiting?.any) return 0;
  const started = performance.now();
  const budget = opts.budgetMs ?? 20_000;
  let done = 0;
  let only = opts.only;
  do {
    // Next round: only the schools whose last batch was full.
    const more: string[] = [];
    done += await forEachSchool(services, now, only, 'the search re-index', async (t) => {
      const r = await reindexBatch(t);
      for (const u of r.unreadable)
        services.log.warn(
          `search re-index: ${u.kind} ${u.id} of school ${t.schoolId} could not be opened with the school's keys; it is left with no search tokens`,
        );
      if (mayHaveMore(r)) more.push(t.schoolId);
      return r.concerns + r.actions + r.conversations;
    });
    if (more.length === 0) break;
    only = more;
  } while (performance.now() - started < budget);
  return done;
}

export const startSearchReindex = (services: Services, opts: { everyMs?: number } = {}) =>
  startLeasedInterval(
    services,
    { name: 'search_reindex', what: 'The search re-index', everyMs: opts.everyMs ?? 60_000 },
    () => runSearchReindex(services, services.clock.now()),
  );
