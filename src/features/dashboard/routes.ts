// The dashboard: my alerts, my actions (overdue first), open cases, overdue referrals and recent
// records I may see. Each part comes from its own feature's list, with that feature's rules. With a
// password alone (issue 3) the actions are only counted — no pupil names, no text — and the UI
// offers the step-up; whether that is so is asked of src/core/access/step-up.ts (abilityTier).
// It shows sealed text and pupils' names, so each view is audited (issue 11) as ONE entry naming
// by id everything shown, in the same transaction: the recent concerns' own list entry is folded
// into it (batchedConcernList) rather than written beside it.
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx, type Tx } from '../../core/context.ts';
import { responses } from '../../shared/schemas/common.ts';
import { Dashboard } from '../../shared/schemas/dashboard.ts';
import { can } from '../../core/access/actor.ts';
import { abilityTier } from '../../core/access/step-up.ts';
import { myAlerts } from '../alerts/service.ts';
import { withWhatTheyAreAbout } from '../alerts/about.ts';
import { countMyOpenActions, listActions } from '../actions/service.ts';
import { listOpenCases } from '../cases/service.ts';
import { listReferrals } from '../referrals/service.ts';
import { listConcerns } from '../concerns/service.ts';

/**
 * The transaction handed to a feature's list whose own 'concern.listed' entry the dashboard's
 * entry replaces: that one event is held back (its ids kept), every other event passes through.
 */
function batchedConcernList(t: Tx): { tx: Tx; concerns: string[] } {
  const concerns: string[] = [];
  const tx: Tx = {
    ...t,
    audit: async (event) => {
      if (event.action === 'concern.listed') concerns.push(...event.details.concerns);
      else await t.audit(event);
    },
  };
  return { tx, concerns };
}

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
                (a) => a.state !== 'completed' && a.state !== 'cancelled',
              )
            : [];
        const cases = manager ? await listOpenCases(t, 50) : [];
        const overdueReferrals = manager
          ? await listReferrals(t, { overdueOnly: true, limit: 50 })
          : [];
        const batch = batchedConcernList(t);
        // Whom each alert is about is a read of those concerns: folded into this one entry.
        const alerts = await withWhatTheyAreAbout(batch.tx, await myAlerts(t, false, 50));
        const recent = await listConcerns(batch.tx, { mine: false, limit: 10 });
        await t.audit({
          action: 'dashboard.viewed',
          details: {
            alerts: alerts.map((a) => a.id),
            actions: actions.map((a) => a.id),
            cases: cases.map((c) => c.id),
            referrals: overdueReferrals.map((r) => r.id),
            concerns: [...new Set(batch.concerns)],
          },
        });
        return {
          alerts,
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
          overdueReferrals,
          recent,
        };
      }),
  );
}
