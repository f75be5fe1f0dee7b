// The retention review queue (issue 15): the records whose date is near, and the decisions on
// them — approve destruction (two people: the DSL team, then the headteacher or the DPO), keep
// until a new date with a reason, or hold. Every route asks the `retention` ability first
// (policy.ts); refusals are audited on their own (refusals.ts).
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { IdParams, responses } from '../../shared/schemas/common.ts';
import { Created } from '../../shared/schemas/administration.ts';
import { HoldReview, KeepReview, ReviewList } from '../../shared/schemas/retention.ts';
import { requireRetention } from './policy.ts';
import { approveDestruction, holdReview, keepReview, listReviews } from './reviews.ts';
import { auditingRefusals } from './refusals.ts';

export function registerReviewRoutes(app: App, _services: Services): void {
  app.get(
    '/api/retention/reviews',
    {
      schema: {
        tags: ['retention'],
        summary: 'The review queue: records whose retention date is near, soonest first',
        response: responses({ 200: ReviewList }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireRetention(c.actor);
      return { items: await c.tx(listReviews) };
    },
  );

  app.post(
    '/api/retention/reviews/:id/approve',
    {
      schema: {
        tags: ['retention'],
        summary: "Approve a record's destruction (one of the two approvals it needs)",
        params: IdParams,
        response: responses({ 200: Type.Object({ complete: Type.Boolean() }) }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireRetention(c.actor);
      return auditingRefusals(c, 'review_approve', req.params.id, () =>
        c.tx((t) => approveDestruction(t, req.params.id)),
      );
    },
  );

  app.post(
    '/api/retention/reviews/:id/keep',
    {
      schema: {
        tags: ['retention'],
        summary: 'Keep a record until a new date, with a reason',
        params: IdParams,
        body: KeepReview,
        response: responses({ 200: Type.Object({ kept: Type.Literal(true) }) }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireRetention(c.actor);
      await auditingRefusals(c, 'review_keep', req.params.id, () =>
        c.tx((t) => keepReview(t, req.params.id, req.body)),
      );
      return { kept: true as const };
    },
  );

  app.post(
    '/api/retention/reviews/:id/hold',
    {
      schema: {
        tags: ['retention'],
        summary: 'Put a record in the queue under a legal hold',
        params: IdParams,
        body: HoldReview,
        response: responses({ 201: Created }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireRetention(c.actor);
      const hold = await auditingRefusals(c, 'review_hold', req.params.id, () =>
        c.tx((t) => holdReview(t, req.params.id, req.body)),
      );
      return reply.status(201).send(hold);
    },
  );
}
