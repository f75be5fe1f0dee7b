// The pupil profile, and the school's own corrections that a sync never overwrites (corrections.ts).
// Reading needs the chronology-level ability and the pupil within the viewer's scope; changing
// needs case management or administration. Every read and change is audited.
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx, type RequestContext } from '../../core/context.ts';
import { IdParams, responses } from '../../shared/schemas/common.ts';
import {
  FieldBody,
  FlagBody,
  FlagEnd,
  FlagParams,
  FlagSet,
  Profile,
  Restriction,
  RestrictionBody,
  RestrictionParams,
} from '../../shared/schemas/pupils.ts';
import { can } from '../../core/access/actor.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import { loadProfile } from './profile.ts';
import { visiblePupil } from './service.ts';
import {
  endFlag,
  liftRestriction,
  markCorrected,
  restrictContact,
  setFlag,
  unmarkCorrected,
} from './corrections.ts';

function manager(req: Parameters<typeof ctx>[0]): RequestContext {
  const c = ctx(req);
  if (can(c.actor, 'case.manage') || can(c.actor, 'admin')) return c;
  requireAbility(c.actor, 'case.manage');
  return c;
}

const done = responses({ 204: Type.Null() });

export function registerProfileRoutes(app: App, _services: Services): void {
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
        response: done,
      },
    },
    async (req, reply) => {
      await manager(req).tx(async (t) =>
        markCorrected(t, (await visiblePupil(t, req.params.id)).id, req.body.field),
      );
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
        response: done,
      },
    },
    async (req, reply) => {
      await manager(req).tx(async (t) =>
        unmarkCorrected(t, (await visiblePupil(t, req.params.id)).id, req.body.field),
      );
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/pupils/:id/flags',
    {
      schema: {
        tags,
        summary: 'Set a vulnerability flag in Lantern (e.g. young carer), with its dates',
        params: IdParams,
        body: FlagBody,
        response: responses({ 201: FlagSet }),
      },
    },
    async (req, reply) => {
      const id = await manager(req).tx(async (t) =>
        setFlag(t, (await visiblePupil(t, req.params.id)).id, req.body),
      );
      return reply.status(201).send({ id });
    },
  );

  app.post(
    '/api/pupils/:id/flags/:flagId/end',
    {
      schema: {
        tags,
        summary: 'End a flag set in Lantern (MIS flags end in the MIS)',
        params: FlagParams,
        body: FlagEnd,
        response: done,
      },
    },
    async (req, reply) => {
      await manager(req).tx(async (t) =>
        endFlag(t, (await visiblePupil(t, req.params.id)).id, req.params.flagId, req.body.endsOn),
      );
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
      const out = await manager(req).tx(async (t) =>
        restrictContact(t, (await visiblePupil(t, req.params.id)).id, req.body),
      );
      return reply.status(201).send(out);
    },
  );

  app.post(
    '/api/pupils/:id/restrictions/:restrictionId/remove',
    {
      schema: {
        tags,
        summary: 'Lift a contact restriction',
        params: RestrictionParams,
        response: done,
      },
    },
    async (req, reply) => {
      await manager(req).tx(async (t) =>
        liftRestriction(t, (await visiblePupil(t, req.params.id)).id, req.params.restrictionId),
      );
      return reply.status(204).send(null);
    },
  );
}
