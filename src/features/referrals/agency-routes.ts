// Administering the school's referral agencies: list (archived ones too), add, rename, change
// the expected response time, archive and restore. Every route needs the `admin` capability and
// a second factor (step-up), like the rest of the administration; every change is audited.
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { ErrorBody, IdParams, responses } from '../../shared/schemas/common.ts';
import {
  AdminAgency,
  AdminAgencyList,
  AgencyChange,
  NewAgency,
} from '../../shared/schemas/referrals.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import { changeAgency, createAgency, getAgency, listAllAgencies } from './agencies.ts';

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
        response: responses({ 200: AdminAgencyList }),
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
        body: NewAgency,
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
        body: AgencyChange,
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
