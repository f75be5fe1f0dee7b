import { Type } from 'typebox';
import { requireAbility } from '../../core/access/step-up.ts';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { IdParams, Uuid, responses } from '../../shared/schemas/common.ts';
import { ACTION_TYPES, completeAction, createAction, listActions } from './service.ts';
import { ACTION_ABILITIES } from './policy.ts';

const Ref = Type.Object({ id: Type.String(), name: Type.String() });
export const ActionView = Type.Object({
  id: Type.String(),
  pupil: Ref,
  concernId: Type.Union([Type.String(), Type.Null()]),
  caseId: Type.Union([Type.String(), Type.Null()]),
  type: Type.String(),
  text: Type.String(),
  assignee: Ref,
  createdAt: Type.String(),
  dueAt: Type.Union([Type.String(), Type.Null()]),
  remindAt: Type.Union([Type.String(), Type.Null()]),
  completedAt: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.Union([Type.String(), Type.Null()]),
  state: Type.String(),
  overdue: Type.Boolean(),
  /** What the viewer may do with it now (src/actions/policy.ts); the UI shows only these. */
  allowed: Type.Array(Type.Enum(ACTION_ABILITIES)),
});

const NewAction = Type.Object(
  {
    pupilId: Uuid,
    concernId: Type.Optional(Uuid),
    caseId: Type.Optional(Uuid),
    type: Type.Union(ACTION_TYPES.map((a) => Type.Literal(a))),
    text: Type.String({ minLength: 1, maxLength: 5000 }),
    assigneeId: Uuid,
    dueAt: Type.Optional(Type.String({ format: 'date-time' })),
    remindAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

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
        querystring: Type.Object(
          { mine: Type.Optional(Type.Boolean()), pupilId: Type.Optional(Uuid) },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Object({ items: Type.Array(ActionView) }) }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireAbility(c.actor, 'actions.assigned');
      return {
        items: await c.tx((t) =>
          listActions(t, {
            mine: req.query.mine === true,
            limit: 200,
            ...(req.query.pupilId ? { pupilId: req.query.pupilId } : {}),
          }),
        ),
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
        body: Type.Object(
          { outcome: Type.String({ minLength: 1, maxLength: 5000 }) },
          { additionalProperties: false },
        ),
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
