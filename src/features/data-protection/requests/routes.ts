// The register of rights requests (issue 17). Every route asks the `data_protection` ability
// first (policy.ts), except the DSL team's review of a restricted requester's request, which asks
// DSL-team membership in the domain. Reads and changes are audited with the work; refusals on
// their own (../refusals.ts).
import { Type } from 'typebox';
import type { App } from '../../../core/feature.ts';
import { ctx } from '../../../core/context.ts';
import { requireElevated } from '../../../core/access/step-up.ts';
import { IdParams, responses } from '../../../shared/schemas/common.ts';
import { Created } from '../../../shared/schemas/administration.ts';
import {
  ChildVoice,
  CloseRequest,
  ExtendRequest,
  NewRequest,
  RequestDates,
  RequestDetail,
  RequestList,
  RequestListQuery,
} from '../../../shared/schemas/data-protection.ts';
import { registerActions, requireDataProtection } from '../policy.ts';
import { auditingRefusals } from '../refusals.ts';
import { getRequest, listRequests } from './queries.ts';
import {
  changeDates,
  closeRequest,
  dslReview,
  extendRequest,
  recordChildVoice,
  recordRequest,
} from './changes.ts';

const tags = ['data-protection'];
const Done = Type.Object({ done: Type.Literal(true) });

export function registerRequestRoutes(app: App): void {
  app.get(
    '/api/data-protection/requests',
    {
      schema: {
        tags,
        summary: 'The register of rights requests: open ones (or, with closed=true, closed ones)',
        querystring: RequestListQuery,
        response: responses({ 200: RequestList }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      const items = await c.tx((t) => listRequests(t, req.query.closed === true));
      return { items, allowed: registerActions(c.actor) };
    },
  );

  app.post(
    '/api/data-protection/requests',
    {
      schema: {
        tags,
        summary: 'Record a rights request (in whatever form it arrived)',
        body: NewRequest,
        response: responses({ 201: Created }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      const created = await auditingRefusals(c, 'request_record', undefined, () =>
        c.tx((t) => recordRequest(t, req.body)),
      );
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/api/data-protection/requests/:id',
    {
      schema: {
        tags,
        summary: 'One rights request, its clock and what may be done now',
        params: IdParams,
        response: responses({ 200: RequestDetail }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      return c.tx((t) => getRequest(t, req.params.id));
    },
  );

  app.patch(
    '/api/data-protection/requests/:id',
    {
      schema: {
        tags,
        summary: 'Record when identity was verified, or clarification asked for and received',
        params: IdParams,
        body: RequestDates,
        response: responses({ 200: Done }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      await auditingRefusals(c, 'request_dates', req.params.id, () =>
        c.tx((t) => changeDates(t, req.params.id, req.body)),
      );
      return { done: true as const };
    },
  );

  app.post(
    '/api/data-protection/requests/:id/extension',
    {
      schema: {
        tags,
        summary: 'Extend by one or two months, inside the first month, with the notice sent',
        params: IdParams,
        body: ExtendRequest,
        response: responses({ 200: Type.Object({ dueOn: Type.String() }) }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      const dueOn = await auditingRefusals(c, 'request_extend', req.params.id, () =>
        c.tx((t) => extendRequest(t, req.params.id, req.body)),
      );
      return { dueOn };
    },
  );

  app.post(
    '/api/data-protection/requests/:id/child-voice',
    {
      schema: {
        tags,
        summary: "Record the assessment of the child's competence and the child's views",
        params: IdParams,
        body: ChildVoice,
        response: responses({ 200: Done }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      await auditingRefusals(c, 'request_child_voice', req.params.id, () =>
        c.tx((t) => recordChildVoice(t, req.params.id, req.body)),
      );
      return { done: true as const };
    },
  );

  app.post(
    '/api/data-protection/requests/:id/dsl-review',
    {
      schema: {
        tags,
        summary: "The DSL team's review of a request from a restricted contact, before release",
        params: IdParams,
        response: responses({ 200: Done }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireElevated(c.actor);
      await auditingRefusals(c, 'request_dsl_review', req.params.id, () =>
        c.tx((t) => dslReview(t, req.params.id)),
      );
      return { done: true as const };
    },
  );

  app.post(
    '/api/data-protection/requests/:id/close',
    {
      schema: {
        tags,
        summary: 'Close a request with its outcome (released, completed, refused or withdrawn)',
        params: IdParams,
        body: CloseRequest,
        response: responses({ 200: Done }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      await auditingRefusals(c, 'request_close', req.params.id, () =>
        c.tx((t) => closeRequest(t, req.params.id, req.body)),
      );
      return { done: true as const };
    },
  );
}
