// The LADO clocks' alerts (issue 19), run from the minute job under a lease of their own: in each
// school (forEachSchool), a matter whose LADO contact is not recorded alerts its case manager once
// when the deadline nears and once when it has passed (features/staff-concerns/alerts.ts).
import type { Services } from '../platform/services.ts';
import { sendQueuedMailSoon } from '../features/alerts/email.ts';
import { alertLadoClocks } from '../features/staff-concerns/alerts.ts';
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
