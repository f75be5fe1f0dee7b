// Concerns about adults' scheduled work (issue 19), run from the minute job, each under a lease of
// its own, in each school (forEachSchool): the LADO clocks' alerts — a matter whose LADO contact
// is not recorded alerts its case manager once when the deadline nears (the school's warning, 6
// hours by default) and once when it has passed (features/staff-concerns/alerts.ts) — and the
// nightly retention sweep, which marks the matters whose retention date has passed for the area's
// own review, once a day per school (features/staff-concerns/retention-sweep.ts).
import type { Services } from '../platform/services.ts';
import { sendQueuedMailSoon } from '../features/alerts/email.ts';
import { alertLadoClocks } from '../features/staff-concerns/alerts.ts';
import { sweepStaffMatters } from '../features/staff-concerns/retention-sweep.ts';
import { forEachSchool } from './each-school.ts';

export async function runLadoAlerts(
  services: Services,
  now: Date,
  only?: readonly string[],
): Promise<number> {
  const alerted = await forEachSchool(
    services,
    now,
    only,
    'LADO clock alerts',
    async (t) => (await alertLadoClocks(t, services)).length,
  );
  sendQueuedMailSoon(services);
  return alerted;
}

/** Marks the matters due for their retention decision; answers how many were marked. */
export function runStaffMatterSweep(
  services: Services,
  now: Date,
  only?: readonly string[],
): Promise<number> {
  return forEachSchool(
    services,
    now,
    only,
    'the staff-matters retention sweep',
    async (t) => (await sweepStaffMatters(t)).length,
  );
}
