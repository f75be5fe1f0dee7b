// Administering the school's referral agencies: list (archived ones too), add, rename, change
// the expected response time, archive and restore. Every route needs the `admin` capability and
// a second factor (step-up), like the rest of the administration; every change is audited.
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { ErrorBody, IdParams, responses } from '../../shared/schemas/common.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import { changeAgency, createAgency, getAgency, listAllAgencies } from './agencies.ts';

// One schema type list rather than a union: the validator coerces types, and across a union it
// would read null as 0 or 0 as null. Range and wholeness are checked in src/referrals/agencies.ts.
const Hours = Type.Unsafe<number | null>({
  type: ['integer', 'null'],
  description: 'Hours within which the agency is expected to respond; null for no expectation.',
});
const AdminAgency = Type.Object({
  id: Type.String(),
  name: Type.String(),
  expectedResponseHours: Type.Union([Type.Integer(), Type.Null()]),
  archived: Type.Boolean(),
  referrals: Type.Integer({ description: 'Referrals made to this agency, kept whatever changes.' }),
});
const Name = Type.String({ maxLength: 200 });

export function registerAgencyAdminRoutes(app: App, _services: Services): void {
  const admin = (req: Parameters<typeof ctx>[0]) => {
    const c = ctx(req);
    requireAbility(c.actor, 'admin');
    return c;
  };
  const tags = ['admin', 'referrals'];

  app.get(
    '/api/admin/referral-agencies',
    {
      schema: {
        tags,
        summary: "The school's referral agencies, archived ones last",
        response: responses({ 200: Type.Object({ items: Type.Array(AdminAgency) }) }),
      },
    },
    async (req) => ({ items: await admin(req).tx((t) => listAllAgencies(t)) }),
  );

  app.post(
    '/api/admin/referral-agencies',
    {
      schema: {
        tags,
        summary: 'Add an agency the school refers to',
        body: Type.Object(
          { name: Name, expectedResponseHours: Hours },
          { additionalProperties: false },
        ),
        response: responses({ 201: AdminAgency, 409: ErrorBody }),
      },
    },
    async (req, reply) => {
      const view = await admin(req).tx(async (t) => getAgency(t, await createAgency(t, req.body)));
      return reply.status(201).send(view);
    },
  );

  app.patch(
    '/api/admin/referral-agencies/:id',
    {
      schema: {
        tags,
        summary:
          'Rename an agency, change its expected response time, or archive or restore it ' +
          '(referrals already made keep the time they were given)',
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Name),
            expectedResponseHours: Type.Optional(Hours),
            archived: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: AdminAgency, 409: ErrorBody }),
      },
    },
    async (req) =>
      admin(req).tx(async (t) => {
        await changeAgency(t, req.params.id, req.body);
        return getAgency(t, req.params.id);
      }),
  );
}
