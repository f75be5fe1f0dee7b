// Actions: the DSL team adds them (`case.manage`); whoever may see actions (`actions.assigned`)
// lists them and completes those policy.ts allows.
import { requireAbility } from '../../core/access/step-up.ts';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { IdParams, responses } from '../../shared/schemas/common.ts';
import {
  ActionCompletion,
  ActionList,
  ActionListQuery,
  ActionView,
  NewAction,
} from '../../shared/schemas/actions.ts';
import { auditActionsShown, completeAction, createAction, listActions } from './service.ts';

export function registerActionRoutes(app: App, _services: Services): void {
  app.post(
    '/api/actions',
    {
      schema: {
        tags: ['actions'],
        summary: 'Add an action',
        body: NewAction,
        response: responses({ 201: ActionView }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireAbility(c.actor, 'case.manage');
      const view = await c.tx(async (t) => {
        const id = await createAction(t, req.body);
        const items = await listActions(t, { mine: false, limit: 1000, pupilId: req.body.pupilId });
        return items.find((a) => a.id === id)!;
      });
      return reply.status(201).send(view);
    },
  );

  app.get(
    '/api/actions',
    {
      schema: {
        tags: ['actions'],
        summary: 'Actions: mine (overdue first), or all the viewer may see',
        querystring: ActionListQuery,
        response: responses({ 200: ActionList }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireAbility(c.actor, 'actions.assigned');
      return {
        items: await c.tx(async (t) => {
          const items = await listActions(t, {
            mine: req.query.mine === true,
            limit: 200,
            ...(req.query.pupilId ? { pupilId: req.query.pupilId } : {}),
          });
          await auditActionsShown(t, items, req.query.pupilId);
          return items;
        }),
      };
    },
  );

  app.post(
    '/api/actions/:id/complete',
    {
      schema: {
        tags: ['actions'],
        summary: 'Complete an action with its outcome',
        params: IdParams,
        body: ActionCompletion,
        response: responses({ 200: ActionView }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireAbility(c.actor, 'actions.assigned');
      return c.tx((t) => completeAction(t, req.params.id, req.body.outcome));
    },
  );
}
