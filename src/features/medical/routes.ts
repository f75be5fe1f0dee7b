// Staff routes of medical and care profiles (issue 21). Every route asks `parents` (policy.ts:
// the school's `parents` capability, elevated) first; the domain then works on the pupil of this
// school (404 for another school's, by row-level security). Parents reach the same domain
// functions through the parent door (parent-routes.ts), never these routes.
import { searchPupils } from '../pupils/service.ts';
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import { ctx } from '../../core/context.ts';
import { ErrorBody, IdParams, responses } from '../../shared/schemas/common.ts';
import { FileBody } from '../../shared/schemas/vault.ts';
import {
  Changed,
  MedicalProfile,
  NewPlan,
  PLAN_MAX_BYTES,
  PlanReviewList,
  ProposeEntry,
  PupilChoices,
  PupilQuery,
} from '../../shared/medical.ts';
import { safeDownloadHeaders } from '../vault/file-check.ts';
import { requireMedicalStaff, staffSide } from './policy.ts';
import { answerEntry, proposeEntry, readProfile } from './profile.ts';
import { addPlan, answerPlan, downloadPlan } from './plans.ts';
import { listReviews, recordReview } from './reviews.ts';

const tags = ['medical'];

export function registerMedicalRoutes(app: App): void {
  app.get(
    '/api/medical/pupils',
    {
      schema: {
        tags,
        summary: 'Pupils whose name starts with the words typed, to open their medical profile',
        querystring: PupilQuery,
        response: responses({ 200: PupilChoices }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireMedicalStaff(c.actor);
      // The one pupil look-up (words typed, escaped, at most 20; audited as pupil.searched).
      const found = await c.tx((t) => searchPupils(t, req.query.q, false));
      return { items: found.map((p) => ({ id: p.id, name: p.name, yearGroup: p.yearGroup })) };
    },
  );

  app.get(
    '/api/pupils/:id/medical',
    {
      schema: {
        tags,
        summary: "A pupil's medical and care profile: what is confirmed and what is waiting",
        params: IdParams,
        response: responses({ 200: MedicalProfile }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireMedicalStaff(c.actor);
      return c.tx((t) => readProfile(t, staffSide(t.actor), req.params.id));
    },
  );

  app.post(
    '/api/pupils/:id/medical/entries',
    {
      schema: {
        tags,
        summary: 'Propose a new item, a change or a removal (it waits for a parent to confirm)',
        params: IdParams,
        body: ProposeEntry,
        response: responses({ 201: Changed }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireMedicalStaff(c.actor);
      const done = await c.tx((t) => proposeEntry(t, staffSide(t.actor), req.params.id, req.body));
      return reply.status(201).send(done);
    },
  );

  for (const [path, answer] of [
    ['acknowledge', 'agree'],
    ['decline', 'decline'],
  ] as const) {
    app.post(
      `/api/medical/entries/:id/${path}`,
      {
        schema: {
          tags,
          summary:
            answer === 'agree'
              ? "Acknowledge a parent's change (it becomes current)"
              : "Decline a parent's change (it is kept, marked declined)",
          params: IdParams,
          response: responses({ 200: Changed, 409: ErrorBody }),
        },
      },
      async (req) => {
        const c = ctx(req);
        requireMedicalStaff(c.actor);
        const { id, state } = await c.tx((t) =>
          answerEntry(t, staffSide(t.actor), req.params.id, answer),
        );
        return { id, state };
      },
    );
    app.post(
      `/api/medical/plans/:id/${path}`,
      {
        schema: {
          tags,
          summary:
            answer === 'agree'
              ? 'Acknowledge a plan a parent sent (it becomes current)'
              : 'Decline a plan a parent sent',
          params: IdParams,
          response: responses({ 200: Changed, 409: ErrorBody }),
        },
      },
      async (req) => {
        const c = ctx(req);
        requireMedicalStaff(c.actor);
        const { id, state } = await c.tx((t) =>
          answerPlan(t, staffSide(t.actor), req.params.id, answer),
        );
        return { id, state };
      },
    );
  }

  app.post(
    '/api/pupils/:id/medical/plans',
    {
      bodyLimit: Math.ceil(PLAN_MAX_BYTES * 1.4) + 4096,
      schema: {
        tags,
        summary: 'Add a healthcare or action plan (the document in base64) with its expiry date',
        params: IdParams,
        body: NewPlan,
        response: responses({ 201: Changed }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireMedicalStaff(c.actor);
      const done = await c.tx((t) => addPlan(t, staffSide(t.actor), req.params.id, req.body));
      return reply.status(201).send(done);
    },
  );

  app.get(
    '/api/medical/plans/:id/file',
    {
      schema: {
        tags,
        summary: "Download a plan's document (always as a file, never shown inline)",
        params: IdParams,
        produces: ['application/octet-stream'],
        response: responses({ 200: FileBody }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireMedicalStaff(c.actor);
      const file = await c.tx((t) => downloadPlan(t, staffSide(t.actor), req.params.id));
      return reply.headers(safeDownloadHeaders(file.name, file.mime)).send(file.bytes);
    },
  );

  app.get(
    '/api/medical/reviews',
    {
      schema: {
        tags,
        summary: 'Plans due for their annual review, and those reviewed in the last year',
        response: responses({ 200: PlanReviewList }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireMedicalStaff(c.actor);
      return c.tx(listReviews);
    },
  );

  app.post(
    '/api/medical/reviews/:id/done',
    {
      schema: {
        tags,
        summary: "Record a plan's annual review; the next is due a year on",
        params: IdParams,
        response: responses({ 200: Type.Object({ nextDueOn: Type.String() }), 409: ErrorBody }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireMedicalStaff(c.actor);
      return c.tx((t) => recordReview(t, req.params.id));
    },
  );
}
