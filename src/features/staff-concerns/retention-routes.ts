// Finishing issue 19: the area's retention review (the matters due for their decision, kept or
// destroyed by two case managers), the date the person left, and the pupil picker's look-up for
// linking a pupil. Every route asks `staff_concerns.triage` first and then the matter's own rule
// (policy.ts), so the person named gets 404 and the school-wide retention queue knows nothing.
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import { ctx } from '../../core/context.ts';
import { ErrorBody, IdParams, responses } from '../../shared/schemas/common.ts';
import { PupilList, PupilSearchNoQuery } from '../../shared/schemas/pupils.ts';
import {
  ApprovedDestruction,
  KeepMatter,
  LinkPupilSearch,
  RecordLeaving,
  StaffRetentionReview,
} from '../../shared/schemas/staff-concerns.ts';
import { requireTriager } from './policy.ts';
import { recordLeaving } from './handling.ts';
import { pupilsToLink } from './links.ts';
import {
  approveStaffDestruction,
  keepStaffMatter,
  listStaffRetention,
} from './retention-review.ts';

const tags = ['staff-concerns'];

export function registerStaffMatterRetentionRoutes(app: App): void {
  app.get(
    '/api/staff-concerns/retention',
    {
      schema: {
        tags,
        summary:
          'The matters due for their retention decision, and what is left of those destroyed',
        response: responses({ 200: StaffRetentionReview }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTriager(c.actor);
      return c.tx(listStaffRetention);
    },
  );

  app.post(
    '/api/staff-concerns/retention/:id/keep',
    {
      schema: {
        tags,
        summary: 'Keep a matter past its retention date, until a new date, for a reason',
        params: IdParams,
        body: KeepMatter,
        response: responses({ 200: Type.Object({ kept: Type.Literal(true) }), 409: ErrorBody }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTriager(c.actor);
      await c.tx((t) => keepStaffMatter(t, req.params.id, req.body));
      return { kept: true as const };
    },
  );

  app.post(
    '/api/staff-concerns/retention/:id/approve',
    {
      schema: {
        tags,
        summary: "Approve a matter's destruction; the second case manager's approval destroys it",
        params: IdParams,
        response: responses({ 200: ApprovedDestruction, 409: ErrorBody }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTriager(c.actor);
      return c.tx((t) => approveStaffDestruction(t, req.params.id));
    },
  );

  app.post(
    '/api/staff-concerns/:id/left-on',
    {
      schema: {
        tags,
        summary:
          'Record when the person the matter is about left (the low-level rule counts from it)',
        params: IdParams,
        body: RecordLeaving,
        response: responses({ 200: Type.Object({ recorded: Type.Literal(true) }), 409: ErrorBody }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTriager(c.actor);
      await c.tx((t) => recordLeaving(t, req.params.id, req.body));
      return { recorded: true as const };
    },
  );

  app.post(
    '/api/staff-concerns/:id/pupil-search',
    {
      schema: {
        tags,
        summary: 'Find pupils to link to the matter by part of a name, sent in the body',
        params: IdParams,
        querystring: PupilSearchNoQuery,
        body: LinkPupilSearch,
        response: responses({ 200: PupilList, 409: ErrorBody }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTriager(c.actor);
      return { items: await c.tx((t) => pupilsToLink(t, req.params.id, req.body.q)) };
    },
  );
}
