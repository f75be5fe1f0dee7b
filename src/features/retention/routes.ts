// Retention (issue 15): the school's retention schedule and legal holds. Every route asks the
// `retention` ability first (policy.ts: the DPO, the DSL team and the headteacher, elevated); none
// returns record content. Changes are audited with the change; refusals on their own (refusals.ts).
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { IdParams, responses } from '../../shared/schemas/common.ts';
import { Created } from '../../shared/schemas/administration.ts';
import {
  HoldList,
  HoldListQuery,
  LiftHold,
  NewHold,
  RetentionKindParams,
  RetentionRule,
  RetentionRulePatch,
  RetentionSchedule,
} from '../../shared/schemas/retention.ts';
import { holdListActions, requireRetention, scheduleActions } from './policy.ts';
import { changeRule, listSchedule } from './schedule-service.ts';
import { liftHold, listHolds, placeHold } from './holds.ts';
import { auditingRefusals } from './refusals.ts';
import { Type } from 'typebox';

export function registerRetentionRoutes(app: App, _services: Services): void {
  app.get(
    '/api/retention/schedule',
    {
      schema: {
        tags: ['retention'],
        summary: "The school's retention schedule: each kind of record's rule, trigger and action",
        response: responses({ 200: RetentionSchedule }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireRetention(c.actor);
      return { rules: await c.tx(listSchedule), allowed: scheduleActions(c.actor) };
    },
  );

  app.patch(
    '/api/retention/schedule/:kind',
    {
      schema: {
        tags: ['retention'],
        summary: "Change one rule of the school's retention schedule",
        params: RetentionKindParams,
        body: RetentionRulePatch,
        response: responses({ 200: RetentionRule }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireRetention(c.actor);
      return auditingRefusals(c, 'rule_change', req.params.kind, () =>
        c.tx((t) => changeRule(t, req.params.kind, req.body)),
      );
    },
  );

  app.get(
    '/api/retention/holds',
    {
      schema: {
        tags: ['retention'],
        summary: 'Legal holds in force (or, with lifted=true, those lifted)',
        querystring: HoldListQuery,
        response: responses({ 200: HoldList }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireRetention(c.actor);
      const items = await c.tx((t) => listHolds(t, req.query.lifted === true));
      return { items, allowed: holdListActions(c.actor) };
    },
  );

  app.post(
    '/api/retention/holds',
    {
      schema: {
        tags: ['retention'],
        summary: 'Place a legal hold on a pupil, a category, a date range or one record',
        body: NewHold,
        response: responses({ 201: Created }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireRetention(c.actor);
      const created = await auditingRefusals(c, 'hold_place', undefined, () =>
        c.tx((t) => placeHold(t, req.body)),
      );
      return reply.status(201).send(created);
    },
  );

  app.post(
    '/api/retention/holds/:id/lift',
    {
      schema: {
        tags: ['retention'],
        summary: 'Lift a legal hold, with a reason',
        params: IdParams,
        body: LiftHold,
        response: responses({ 200: Type.Object({ lifted: Type.Literal(true) }) }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireRetention(c.actor);
      await auditingRefusals(c, 'hold_lift', req.params.id, () =>
        c.tx((t) => liftHold(t, req.params.id, req.body)),
      );
      return { lifted: true as const };
    },
  );
}
