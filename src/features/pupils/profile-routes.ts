// The pupil profile, and the school's own corrections that a sync never overwrites: fields
// marked as locally corrected, and contact restrictions such as a court order. Reading needs the
// chronology-level ability and the pupil within the viewer's scope; changing needs case
// management or administration. Every read and change is audited.
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx, type RequestContext, type Tx } from '../../core/context.ts';
import { IdParams, responses, Uuid } from '../../shared/schemas/common.ts';
import { badRequest, forbidden, notFound } from '../../core/errors.ts';
import { can } from '../../core/access/actor.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import { pupilInScope } from '../../core/access/permissions.ts';
import { pupilGroupRefs } from '../../core/access/load.ts';
import { loadProfile, Profile, Restriction } from './profile.ts';
import { PUPIL_FIELDS } from '../mis/sync/pupils.ts';

type PupilRow = Record<string, unknown> & {
  id: string;
  sibling_mis_ids: string[];
  archived_at: Date | null;
  year_group: string | null;
  form: string | null;
  group_refs: string[];
};

async function visiblePupil(t: Tx, id: string): Promise<PupilRow> {
  const [p] = await t.q<PupilRow>(
    'SELECT *, lantern_pupil_group_refs(id, form) AS group_refs FROM pupils WHERE id = $1',
    [id],
  );
  if (!p) throw notFound('That pupil');
  if (
    !pupilInScope(t.actor.permissions, {
      yearGroup: p.year_group,
      groupIds: pupilGroupRefs({ form: p.form, groupRefs: p.group_refs }),
    })
  ) {
    throw forbidden('This pupil is outside the groups your permissions cover.');
  }
  return p;
}

function manager(services: Services, req: Parameters<typeof ctx>[0]): RequestContext {
  const c = ctx(req);
  if (can(c.actor, 'case.manage') || can(c.actor, 'admin')) return c;
  requireAbility(c.actor, 'case.manage');
  return c;
}

const FieldBody = Type.Object(
  { field: Type.Union(PUPIL_FIELDS.map((f) => Type.Literal(f))) },
  { additionalProperties: false },
);
const FLAGS = [
  'cp_plan',
  'cin',
  'lac',
  'sen_support',
  'ehcp',
  'fsm',
  'pupil_premium',
  'eal',
  'young_carer',
] as const;
const FlagBody = Type.Object(
  {
    flag: Type.Union(FLAGS.map((f) => Type.Literal(f))),
    startsOn: Type.Optional(Type.String({ format: 'date' })),
    endsOn: Type.Optional(Type.String({ format: 'date' })),
  },
  { additionalProperties: false },
);

const RestrictionBody = Type.Object(
  {
    contactId: Uuid,
    kind: Type.Union([
      Type.Literal('no_contact'),
      Type.Literal('no_collection'),
      Type.Literal('no_contact_or_collection'),
    ]),
    courtOrder: Type.Boolean(),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    startsOn: Type.Optional(Type.String({ format: 'date' })),
    endsOn: Type.Optional(Type.String({ format: 'date' })),
  },
  { additionalProperties: false },
);

export function registerProfileRoutes(app: App, services: Services): void {
  const tags = ['pupils'];
  app.get(
    '/api/pupils/:id',
    {
      schema: {
        tags,
        summary: "A pupil's profile (audited)",
        params: IdParams,
        response: responses({ 200: Profile }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireAbility(c.actor, 'pupil.chronology');
      return c.tx(async (t) => {
        const p = await visiblePupil(t, req.params.id);
        await t.audit({ action: 'pupil.profile_viewed', targetType: 'pupil', targetId: p.id });
        return loadProfile(t, p);
      });
    },
  );

  app.post(
    '/api/pupils/:id/overrides',
    {
      schema: {
        tags,
        summary: 'Mark a field as locally corrected (the sync leaves it alone)',
        params: IdParams,
        body: FieldBody,
        response: responses({ 204: Type.Null() }),
      },
    },
    async (req, reply) => {
      await manager(services, req).tx(async (t) => {
        const p = await visiblePupil(t, req.params.id);
        await t.q(
          `INSERT INTO mis_overrides (school_id, pupil_id, field, created_by) VALUES ($1, $2, $3, $4)
           ON CONFLICT (pupil_id, field) WHERE removed_at IS NULL DO NOTHING`,
          [t.actor.schoolId, p.id, req.body.field, t.actor.userId],
        );
        await t.audit({
          action: 'mis.override_set',
          targetType: 'pupil',
          targetId: p.id,
          details: { field: req.body.field },
        });
      });
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/pupils/:id/overrides/remove',
    {
      schema: {
        tags,
        summary: 'Let the MIS own a field again',
        params: IdParams,
        body: FieldBody,
        response: responses({ 204: Type.Null() }),
      },
    },
    async (req, reply) => {
      await manager(services, req).tx(async (t) => {
        const p = await visiblePupil(t, req.params.id);
        await t.q(
          'UPDATE mis_overrides SET removed_at = $3 WHERE pupil_id = $1 AND field = $2 AND removed_at IS NULL',
          [p.id, req.body.field, t.now],
        );
        await t.audit({
          action: 'mis.override_removed',
          targetType: 'pupil',
          targetId: p.id,
          details: { field: req.body.field },
        });
      });
      return reply.status(204).send(null);
    },
  );

  // Vulnerability flags set in Lantern (the MIS sync replaces only its own, source 'mis').
  app.post(
    '/api/pupils/:id/flags',
    {
      schema: {
        tags,
        summary: 'Set a vulnerability flag in Lantern (e.g. young carer), with its dates',
        params: IdParams,
        body: FlagBody,
        response: responses({ 201: Type.Object({ id: Type.String() }) }),
      },
    },
    async (req, reply) => {
      const id = await manager(services, req).tx(async (t) => {
        const p = await visiblePupil(t, req.params.id);
        const { startsOn, endsOn } = req.body;
        if (startsOn && endsOn && endsOn < startsOn)
          throw badRequest('The end date is before the start date.', 'bad_dates');
        const [row] = await t.q<{ id: string }>(
          `INSERT INTO pupil_flags (school_id, pupil_id, flag, source, starts_on, ends_on)
           VALUES ($1, $2, $3, 'lantern', $4, $5) RETURNING id`,
          [t.actor.schoolId, p.id, req.body.flag, startsOn ?? null, endsOn ?? null],
        );
        await t.audit({
          action: 'pupil.flag_set',
          targetType: 'pupil',
          targetId: p.id,
          details: { flagId: row!.id, flag: req.body.flag },
        });
        return row!.id;
      });
      return reply.status(201).send({ id });
    },
  );

  app.post(
    '/api/pupils/:id/flags/:flagId/end',
    {
      schema: {
        tags,
        summary: 'End a flag set in Lantern (MIS flags end in the MIS)',
        params: Type.Object({ id: Uuid, flagId: Uuid }),
        body: Type.Object(
          { endsOn: Type.String({ format: 'date' }) },
          { additionalProperties: false },
        ),
        response: responses({ 204: Type.Null() }),
      },
    },
    async (req, reply) => {
      await manager(services, req).tx(async (t) => {
        const p = await visiblePupil(t, req.params.id);
        const [flag] = await t.q<{ source: string; starts_on: string | null }>(
          'SELECT source, starts_on FROM pupil_flags WHERE id = $1 AND pupil_id = $2',
          [req.params.flagId, p.id],
        );
        if (!flag) throw notFound('That flag');
        if (flag.source !== 'lantern')
          throw badRequest('This flag comes from the MIS: end it there.', 'mis_flag');
        if (flag.starts_on && req.body.endsOn < flag.starts_on)
          throw badRequest('The end date is before the start date.', 'bad_dates');
        await t.q('UPDATE pupil_flags SET ends_on = $2 WHERE id = $1', [
          req.params.flagId,
          req.body.endsOn,
        ]);
        await t.audit({
          action: 'pupil.flag_ended',
          targetType: 'pupil',
          targetId: p.id,
          details: { flagId: req.params.flagId },
        });
      });
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/pupils/:id/restrictions',
    {
      schema: {
        tags,
        summary: 'Restrict a contact (e.g. a court order on contact or collection)',
        params: IdParams,
        body: RestrictionBody,
        response: responses({ 201: Restriction }),
      },
    },
    async (req, reply) => {
      const out = await manager(services, req).tx(async (t) => {
        const p = await visiblePupil(t, req.params.id);
        const [contact] = await t.q('SELECT id FROM contacts WHERE id = $1', [req.body.contactId]);
        if (!contact) throw badRequest('That contact is not known at this school.');
        const id = crypto.randomUUID();
        const note = req.body.note
          ? (await t.sealer()).seal('contact_restrictions.note', id, req.body.note)
          : null;
        await t.q(
          `INSERT INTO contact_restrictions (id, school_id, pupil_id, contact_id, kind, court_order, note, starts_on, ends_on, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          [
            id,
            t.actor.schoolId,
            p.id,
            req.body.contactId,
            req.body.kind,
            req.body.courtOrder,
            note,
            req.body.startsOn ?? null,
            req.body.endsOn ?? null,
            t.actor.userId,
          ],
        );
        await t.audit({
          action: 'mis.restriction_set',
          targetType: 'pupil',
          targetId: p.id,
          details: { restrictionId: id, kind: req.body.kind, courtOrder: req.body.courtOrder },
        });
        return {
          id,
          contactId: req.body.contactId,
          kind: req.body.kind,
          courtOrder: req.body.courtOrder,
          note: req.body.note ?? null,
          startsOn: req.body.startsOn ?? null,
          endsOn: req.body.endsOn ?? null,
        };
      });
      return reply.status(201).send(out);
    },
  );

  app.post(
    '/api/pupils/:id/restrictions/:restrictionId/remove',
    {
      schema: {
        tags,
        summary: 'Lift a contact restriction',
        params: Type.Object({ id: Uuid, restrictionId: Uuid }),
        response: responses({ 204: Type.Null() }),
      },
    },
    async (req, reply) => {
      await manager(services, req).tx(async (t) => {
        const p = await visiblePupil(t, req.params.id);
        const rows = await t.q(
          'UPDATE contact_restrictions SET removed_at = $3 WHERE id = $1 AND pupil_id = $2 AND removed_at IS NULL RETURNING id',
          [req.params.restrictionId, p.id, t.now],
        );
        if (rows.length === 0) throw notFound('That restriction');
        await t.audit({
          action: 'mis.restriction_removed',
          targetType: 'pupil',
          targetId: p.id,
          details: { restrictionId: req.params.restrictionId },
        });
      });
      return reply.status(204).send(null);
    },
  );
}
