// The dashboard: my alerts, my actions (overdue first), open cases, overdue referrals and recent
// records I may see. Each part comes from its own feature's list, with that feature's rules. With a
// password alone (issue 3) the actions are only counted — no pupil names, no text — and the UI
// offers the step-up; whether that is so is asked of src/access/step-up.ts (abilityTier).
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { responses } from '../../shared/schemas/common.ts';
import { can } from '../../core/access/actor.ts';
import { myAlerts } from '../alerts/service.ts';
import { AlertView } from '../alerts/routes.ts';
import { abilityTier } from '../../core/access/step-up.ts';
import { countMyOpenActions, listActions } from '../actions/service.ts';
import { ActionView } from '../actions/routes.ts';
import { listOpenCases } from '../cases/service.ts';
import { listReferrals } from '../referrals/service.ts';
import { ReferralView } from '../referrals/routes.ts';
import { listConcerns } from '../concerns/service.ts';
import { ConcernView } from '../../shared/schemas/concerns.ts';

const Ref = Type.Object({ id: Type.String(), name: Type.String() });
const Dashboard = Type.Object({
  alerts: Type.Array(AlertView),
  actions: Type.Array(ActionView),
  actionsWaiting: Type.Integer({
    description: 'My open actions; with a password alone only this is sent, `actions` is empty.',
  }),
  openCases: Type.Array(
    Type.Object({
      id: Type.String(),
      pupil: Ref,
      owner: Ref,
      reviewOn: Type.Union([Type.String(), Type.Null()]),
      reviewDue: Type.Boolean({ description: 'Its review date has come.' }),
      openedAt: Type.String(),
    }),
  ),
  overdueReferrals: Type.Array(ReferralView),
  recent: Type.Array(ConcernView),
});

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
