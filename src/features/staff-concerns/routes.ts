// Concerns about adults (issue 19): a separate area with its own tables and abilities. Raising
// (and one's own receipts) is open to every member; everything else asks `staff_concerns.read`
// or `.triage` first and then the matter's own rule (policy.ts), so a person named gets 404.
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import { ctx } from '../../core/context.ts';
import { ErrorBody, IdParams, responses } from '../../shared/schemas/common.ts';
import { Created } from '../../shared/schemas/administration.ts';
import {
  AuditList,
  CopyGiven,
  Matter,
  MatterList,
  NewLadoContact,
  NewStaffConcern,
  Receipt,
  ReceiptList,
  PatternReview,
  RecordOutcome,
  StaffChoices,
  StaffConcernSettings,
  StaffConcernSettingsPatch,
  Triage,
  LinkPupil,
  StaffMatterMarkers,
  ReferencePack,
  ReferencePackQuery,
  ReferencePackMembers,
} from '../../shared/schemas/staff-concerns.ts';
import { requireRaiser, requireReader, requireTriager } from './policy.ts';
import { myReceipts, raiseConcern, staffChoices } from './raise.ts';
import { listMatters, readMatter } from './matters.ts';
import { recordCopyGiven, recordLadoContact, recordOutcome, triage } from './handling.ts';
import { staffConcernAudit } from './audit-view.ts';
import { changeSettings, patternReview, readSettings } from './review.ts';
import { linkPupil, pupilMarkers } from './links.ts';
import { referencePack, referencePackMembers } from './reference.ts';
import type { Services } from '../../platform/services.ts';
import { registerStaffMatterRetentionRoutes } from './retention-routes.ts';

const tags = ['staff-concerns'];

export function registerStaffConcernRoutes(app: App, services: Services): void {
  app.get(
    '/api/staff-concerns/staff',
    {
      schema: {
        tags,
        summary: 'The staff a concern may name, and whom each concern would go to',
        response: responses({ 200: StaffChoices }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireRaiser(c.actor);
      return c.tx(staffChoices);
    },
  );

  app.post(
    '/api/staff-concerns',
    {
      schema: {
        tags,
        summary: 'Raise a concern about an adult; answers with the receipt',
        body: NewStaffConcern,
        response: responses({ 201: Receipt }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireRaiser(c.actor);
      return reply.status(201).send(await c.tx((t) => raiseConcern(t, services, req.body)));
    },
  );

  app.get(
    '/api/staff-concerns/receipts',
    {
      schema: {
        tags,
        summary: 'The receipts of the concerns about adults one raised',
        response: responses({ 200: ReceiptList }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireRaiser(c.actor);
      return { items: await c.tx(myReceipts) };
    },
  );

  app.get(
    '/api/staff-concerns',
    {
      schema: {
        tags,
        summary: "The case manager's concerns about adults, with the LADO clock",
        response: responses({ 200: MatterList }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireReader(c.actor);
      return c.tx(listMatters);
    },
  );

  app.get(
    '/api/staff-concerns/audit',
    {
      schema: {
        tags,
        summary: 'The audit trail of the matters in this area the viewer may read',
        response: responses({ 200: AuditList }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireReader(c.actor);
      return c.tx(staffConcernAudit);
    },
  );

  app.get(
    '/api/staff-concerns/settings',
    {
      schema: {
        tags,
        summary: "The school's LADO clock time and the patterns review's thresholds",
        response: responses({ 200: StaffConcernSettings }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTriager(c.actor);
      return c.tx(readSettings);
    },
  );

  app.patch(
    '/api/staff-concerns/settings',
    {
      schema: {
        tags,
        summary: "Change the LADO clock's time of day or the patterns review's thresholds",
        body: StaffConcernSettingsPatch,
        response: responses({ 200: StaffConcernSettings }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTriager(c.actor);
      return c.tx((t) => changeSettings(t, req.body));
    },
  );

  app.get(
    '/api/staff-concerns/patterns',
    {
      schema: {
        tags,
        summary: 'Low-level concerns per member of staff over 12 rolling months',
        response: responses({ 200: PatternReview }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireReader(c.actor);
      return c.tx(patternReview);
    },
  );

  app.get(
    '/api/staff-concerns/reference-pack/members',
    {
      schema: {
        tags,
        summary: 'Whom a reference pack may be about: every member but the reader, leavers too',
        response: responses({ 200: ReferencePackMembers }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTriager(c.actor);
      return c.tx(referencePackMembers);
    },
  );

  app.get(
    '/api/staff-concerns/reference-pack',
    {
      schema: {
        tags,
        summary: "A reference pack: the member's substantiated matters only (KCSIE)",
        querystring: ReferencePackQuery,
        response: responses({ 200: ReferencePack }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTriager(c.actor);
      return c.tx((t) => referencePack(t, req.query.userId));
    },
  );

  app.get(
    '/api/pupils/:id/staff-matters',
    {
      schema: {
        tags,
        summary: 'The matters linked to a pupil that the reader may read: ids only (the marker)',
        params: IdParams,
        response: responses({ 200: StaffMatterMarkers }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireReader(c.actor);
      return c.tx((t) => pupilMarkers(t, req.params.id));
    },
  );

  app.get(
    '/api/staff-concerns/:id',
    {
      schema: {
        tags,
        summary: 'One concern about an adult',
        params: IdParams,
        response: responses({ 200: Matter }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireReader(c.actor);
      return c.tx((t) => readMatter(t, req.params.id));
    },
  );

  app.post(
    '/api/staff-concerns/:id/triage',
    {
      schema: {
        tags,
        summary: 'Triage: low-level, possibly meets the harm threshold, or not a concern',
        params: IdParams,
        body: Triage,
        response: responses({
          200: Type.Object({ ladoDueAt: Type.Union([Type.String(), Type.Null()]) }),
          409: ErrorBody,
        }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTriager(c.actor);
      return c.tx((t) => triage(t, req.params.id, req.body));
    },
  );

  app.post(
    '/api/staff-concerns/:id/lado-contacts',
    {
      schema: {
        tags,
        summary: 'Record the LADO contact for a possible allegation',
        params: IdParams,
        body: NewLadoContact,
        response: responses({ 201: Created, 409: ErrorBody }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireTriager(c.actor);
      return reply
        .status(201)
        .send(await c.tx((t) => recordLadoContact(t, req.params.id, req.body)));
    },
  );

  app.post(
    '/api/staff-concerns/:id/outcome',
    {
      schema: {
        tags,
        summary: "Record KCSIE's outcome of an allegation",
        params: IdParams,
        body: RecordOutcome,
        response: responses({
          200: Type.Object({ outcome: Type.String(), removed: Type.Boolean() }),
          409: ErrorBody,
        }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTriager(c.actor);
      return c.tx((t) => recordOutcome(t, req.params.id, req.body));
    },
  );

  app.post(
    '/api/staff-concerns/:id/copy-given',
    {
      schema: {
        tags,
        summary: 'Record the date a copy was given to the member',
        params: IdParams,
        body: CopyGiven,
        response: responses({ 200: Type.Object({ recorded: Type.Literal(true) }), 409: ErrorBody }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTriager(c.actor);
      await c.tx((t) => recordCopyGiven(t, req.params.id, req.body));
      return { recorded: true as const };
    },
  );

  app.post(
    '/api/staff-concerns/:id/pupils',
    {
      schema: {
        tags,
        summary: 'Link a pupil to the matter (their chronology shows its readers a marker)',
        params: IdParams,
        body: LinkPupil,
        response: responses({ 200: Type.Object({ linked: Type.Boolean() }), 409: ErrorBody }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTriager(c.actor);
      return c.tx((t) => linkPupil(t, req.params.id, req.body));
    },
  );

  registerStaffMatterRetentionRoutes(app);
}
