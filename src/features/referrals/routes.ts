import { Type } from 'typebox';
import { requireAbility } from '../../core/access/step-up.ts';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx, type RequestContext } from '../../core/context.ts';
import { ErrorBody, IdParams, Uuid, responses } from '../../shared/schemas/common.ts';
import {
  addFollowup,
  createReferral,
  getReferral,
  listAgencies,
  listReferrals,
  setReferralStatus,
} from './service.ts';
import { REFERRAL_ACTIONS, type ReferralAction } from './policy.ts';
import { registerAgencyAdminRoutes } from './agency-routes.ts';

const Nullable = (s: ReturnType<typeof Type.String>) => Type.Union([s, Type.Null()]);
export const ReferralView = Type.Object({
  id: Type.String(),
  pupil: Type.Object({ id: Type.String(), name: Type.String() }),
  agency: Type.String(),
  concernId: Nullable(Type.String()),
  caseId: Nullable(Type.String()),
  referredAt: Type.String(),
  dueAt: Nullable(Type.String()),
  contact: Nullable(Type.String()),
  reference: Nullable(Type.String()),
  details: Nullable(Type.String()),
  respondedAt: Nullable(Type.String()),
  closedAt: Nullable(Type.String()),
  status: Type.String(),
  overdue: Type.Boolean(),
  allowed: Type.Array(
    Type.Unsafe<ReferralAction>(Type.Union(REFERRAL_ACTIONS.map((a) => Type.Literal(a)))),
    {
      description: 'What the current user may do with this referral now (src/referrals/policy.ts).',
    },
  ),
});
const ReferralDetail = Type.Intersect([
  ReferralView,
  Type.Object({
    followups: Type.Array(
      Type.Object({
        id: Type.String(),
        kind: Type.String(),
        at: Type.String(),
        by: Type.String(),
        note: Type.String(),
      }),
    ),
  }),
]);

const NewReferral = Type.Object(
  {
    pupilId: Uuid,
    agencyId: Uuid,
    referredAt: Type.String({ format: 'date-time' }),
    contact: Type.Optional(Type.String({ maxLength: 500 })),
    reference: Type.Optional(Type.String({ maxLength: 200 })),
    details: Type.Optional(Type.String({ maxLength: 10_000 })),
    concernId: Type.Optional(Uuid),
    caseId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

function manager(services: Services, req: Parameters<typeof ctx>[0]): RequestContext {
  const c = ctx(req);
  requireAbility(c.actor, 'case.manage');
  return c;
}

export function registerReferralRoutes(app: App, services: Services): void {
  registerAgencyAdminRoutes(app, services);
  app.get(
    '/api/referral-agencies',
    {
      schema: {
        tags: ['referrals'],
        summary: "The school's agency types and expected response times",
        response: responses({
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.String(),
                name: Type.String(),
                expectedResponseHours: Type.Union([Type.Integer(), Type.Null()]),
              }),
            ),
          }),
        }),
      },
    },
    async (req) => ({ items: await manager(services, req).tx((t) => listAgencies(t)) }),
  );

  app.post(
    '/api/referrals',
    {
      schema: {
        tags: ['referrals'],
        summary: 'Record a referral',
        body: NewReferral,
        response: responses({ 201: ReferralDetail, 409: ErrorBody }),
      },
    },
    async (req, reply) => {
      const view = await manager(services, req).tx(async (t) =>
        getReferral(t, await createReferral(t, req.body)),
      );
      return reply.status(201).send(view);
    },
  );

  app.get(
    '/api/referrals',
    {
      schema: {
        tags: ['referrals'],
        summary: 'Referrals, optionally of one pupil or only overdue ones',
        querystring: Type.Object(
          { pupilId: Type.Optional(Uuid), overdue: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Object({ items: Type.Array(ReferralView) }) }),
      },
    },
    async (req) => ({
      items: await manager(services, req).tx((t) =>
        listReferrals(t, {
          limit: 200,
          overdueOnly: req.query.overdue === true,
          ...(req.query.pupilId ? { pupilId: req.query.pupilId } : {}),
        }),
      ),
    }),
  );

  app.get(
    '/api/referrals/:id',
    {
      schema: {
        tags: ['referrals'],
        params: IdParams,
        response: responses({ 200: ReferralDetail }),
      },
    },
    async (req) => manager(services, req).tx((t) => getReferral(t, req.params.id)),
  );

  app.post(
    '/api/referrals/:id/followups',
    {
      schema: {
        tags: ['referrals'],
        summary: 'Add a letter, call or other follow-up',
        params: IdParams,
        body: Type.Object(
          {
            kind: Type.Union(
              ['letter', 'call', 'email', 'meeting', 'response', 'other'].map((k) =>
                Type.Literal(k),
              ),
            ),
            at: Type.Optional(Type.String({ format: 'date-time' })),
            note: Type.String({ minLength: 1, maxLength: 10_000 }),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: ReferralDetail, 409: ErrorBody }),
      },
    },
    async (req) =>
      manager(services, req).tx(async (t) => {
        await addFollowup(t, req.params.id, req.body);
        return getReferral(t, req.params.id);
      }),
  );

  app.post(
    '/api/referrals/:id/status',
    {
      schema: {
        tags: ['referrals'],
        summary: 'Record the agency response, or close the referral',
        params: IdParams,
        body: Type.Object(
          {
            status: Type.Union([Type.Literal('responded'), Type.Literal('closed')]),
            at: Type.Optional(Type.String({ format: 'date-time' })),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: ReferralDetail, 409: ErrorBody }),
      },
    },
    async (req) =>
      manager(services, req).tx(async (t) => {
        await setReferralStatus(t, req.params.id, req.body.status, req.body.at);
        return getReferral(t, req.params.id);
      }),
  );
}
