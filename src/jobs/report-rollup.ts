// The reports' rollup fold (features/reports/rollup.ts), every few minutes for each school, as
// 'Lantern (scheduled)', under a lease so one process folds: the rows requests appended become one
// row per key, and keys a destroyed record leaves at nothing go.
import type { Services } from '../platform/services.ts';
import { foldRollup } from '../features/reports/rollup.ts';
import { forEachSchool } from './each-school.ts';
import { startLeasedInterval } from './leased-interval.ts';

export const runRollupFold = (services: Services, now: Date, only?: readonly string[]) =>
  forEachSchool(services, now, only, 'the reports rollup fold', (t) => foldRollup(t));

export const startRollupFold = (services: Services, opts: { everyMs?: number } = {}) =>
  startLeasedInterval(
    services,
    { name: 'report_rollup', what: 'The reports rollup fold', everyMs: opts.everyMs ?? 5 * 60_000 },
    () => runRollupFold(services, services.clock.now()),
  );
