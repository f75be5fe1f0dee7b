// The pupil-pattern scan (issue 20; features/patterns/service.ts), every few minutes for each
// school, as 'Lantern (scheduled)', under a lease so one process scans. Its alerts are emailed like
// the rest ("something to look at", nothing more). A failure is logged and retried.
import type { Services } from '../platform/services.ts';
import { scanPatterns } from '../features/patterns/service.ts';
import { queueAlertEmails, sendQueuedMailSoon } from '../features/alerts/email.ts';
import { forEachSchool } from './each-school.ts';
import { startLeasedInterval } from './leased-interval.ts';

export async function runPatternScan(services: Services, now: Date, only?: readonly string[]) {
  const raised = await forEachSchool(services, now, only, 'the pupil-pattern scan', async (t) => {
    const scan = await scanPatterns(t);
    await queueAlertEmails(t, services, scan.alerted);
    return scan.raised;
  });
  if (raised > 0) sendQueuedMailSoon(services);
  return raised;
}

export const startPatternScan = (services: Services, opts: { everyMs?: number } = {}) =>
  startLeasedInterval(
    services,
    { name: 'pupil_patterns', what: 'The pupil-pattern scan', everyMs: opts.everyMs ?? 5 * 60_000 },
    () => runPatternScan(services, services.clock.now()),
  );
