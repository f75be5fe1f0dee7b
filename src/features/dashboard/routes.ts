// The dashboard: my alerts, my actions (overdue first), open cases, overdue referrals and recent
// records I may see. Each part comes from its own feature's list, with that feature's rules. With a
// password alone (issue 3) the actions are only counted — no pupil names, no text — and the UI
// offers the step-up; whether that is so is asked of src/core/access/step-up.ts (abilityTier).
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { responses } from '../../shared/schemas/common.ts';
import { Dashboard } from '../../shared/schemas/dashboard.ts';
import { can } from '../../core/access/actor.ts';
import { abilityTier } from '../../core/access/step-up.ts';
import { myAlerts } from '../alerts/service.ts';
import { countMyOpenActions, listActions } from '../actions/service.ts';
import { listOpenCases } from '../cases/service.ts';
import { listReferrals } from '../referrals/service.ts';
import { listConcerns } from '../concerns/service.ts';

export function registerDashboardRoutes(app: App, _services: Services): void {
  app.get(
    '/api/dashboard',
    {
      schema: {
        tags: ['dashboard'],
        summary: 'My dashboard',
        response: responses({ 200: Dashboard }),
      },
    },
    async (req) =>
      ctx(req).tx(async (t) => {
        const manager = can(t.actor, 'case.manage');
        const actionsTier = abilityTier(t.actor, 'actions.assigned');
        const actions =
          actionsTier === 'now'
            ? (await listActions(t, { mine: true, limit: 100 })).filter(
                (a) => a.state !== 'completed',
              )
            : [];
        const cases = manager ? await listOpenCases(t, 50) : [];
        return {
          alerts: await myAlerts(t, false, 50),
          actions,
          // Counted, not the list's length: the list stops at 100.
          actionsWaiting: actionsTier === 'never' ? 0 : await countMyOpenActions(t),
          openCases: cases.map((c) => ({
            id: c.id,
            pupil: { id: c.pupil_id, name: c.pupil_name },
            owner: { id: c.owner_id, name: c.owner_name },
            reviewOn: c.review_on,
            reviewDue: c.review_due,
            openedAt: c.opened_at.toISOString(),
          })),
          overdueReferrals: manager ? await listReferrals(t, { overdueOnly: true, limit: 50 }) : [],
          recent: await listConcerns(t, { mine: false, limit: 10 }),
        };
      }),
  );
}
