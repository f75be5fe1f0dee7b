// Concerns: log one (and email those alerted, after the transaction), list and read them as the
// viewer may see them, correct one with a reason, and read its earlier versions. Who may see
// and correct which is policy.ts.
import { requireAbility } from '../../core/access/step-up.ts';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { IdParams, responses } from '../../shared/schemas/common.ts';
import { queueAlertEmails, sendQueuedMailSoon } from '../alerts/email.ts';
import {
  ConcernEdit,
  ConcernList,
  ConcernTriage,
  ConcernListQuery,
  ConcernVersionList,
  ConcernView,
  NewConcern,
} from '../../shared/schemas/concerns.ts';
import { createConcern, getConcern, listConcerns } from './service.ts';
import { editConcern, listVersions } from './edit.ts';
import { triageConcern } from './triage.ts';

export function registerConcernRoutes(app: App, services: Services): void {
  app.post(
    '/api/concerns',
    {
      schema: {
        tags: ['concerns'],
        summary: 'Log a concern',
        body: NewConcern,
        response: responses({ 201: ConcernView }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireAbility(c.actor, 'concern.create');
      const view = await c.tx(async (t) => {
        const created = await createConcern(t, req.body);
        await queueAlertEmails(t, services, created.alerted);
        return getConcern(t, created.id);
      });
      sendQueuedMailSoon(services);
      return reply.status(201).send(view);
    },
  );

  app.get(
    '/api/concerns',
    {
      schema: {
        tags: ['concerns'],
        summary: 'Concerns the signed-in user may see, newest first',
        querystring: ConcernListQuery,
        response: responses({ 200: ConcernList }),
      },
    },
    async (req) => {
      const items = await ctx(req).tx((t) =>
        listConcerns(t, { mine: req.query.mine === true, limit: req.query.limit ?? 50 }),
      );
      return { items };
    },
  );

  app.get(
    '/api/concerns/:id',
    { schema: { tags: ['concerns'], params: IdParams, response: responses({ 200: ConcernView }) } },
    async (req) => ctx(req).tx((t) => getConcern(t, req.params.id)),
  );

  app.patch(
    '/api/concerns/:id',
    {
      schema: {
        tags: ['concerns'],
        summary: 'Correct a concern (author only, with a reason); the previous version is kept',
        params: IdParams,
        body: ConcernEdit,
        response: responses({ 200: ConcernView }),
      },
    },
    async (req) =>
      ctx(req).tx(async (t) => {
        await editConcern(t, req.params.id, req.body);
        return getConcern(t, req.params.id);
      }),
  );

  app.get(
    '/api/concerns/:id/versions',
    {
      schema: {
        tags: ['concerns'],
        summary: 'Earlier versions of a concern: who replaced each, when and why',
        params: IdParams,
        response: responses({ 200: ConcernVersionList }),
      },
    },
    async (req) => ({
      items: await ctx(req).tx((t) => listVersions(t, req.params.id)),
    }),
  );

  app.post(
    '/api/concerns/:id/triage',
    {
      schema: {
        tags: ['concerns'],
        summary: 'Triage a concern (DSL team): a risk level and a reason, or no further action',
        params: IdParams,
        body: ConcernTriage,
        response: responses({ 200: ConcernView }),
      },
    },
    async (req) => {
      const c = ctx(req);
      // The DSL team's work: with a password alone they are asked for their second factor.
      requireAbility(c.actor, 'case.manage');
      return c.tx(async (t) => {
        await triageConcern(t, req.params.id, req.body);
        return getConcern(t, req.params.id);
      });
    },
  );
}
