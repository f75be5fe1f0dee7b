// Referrals to outside agencies, for the DSL team (`case.manage`, caseManager): the agencies on
// offer, recording a referral, follow-ups, the agency's response and closing. What may be done to
// a referral now is policy.ts, applied in service.ts. Administering the agencies is
// agency-routes.ts.
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ErrorBody, IdParams, responses } from '../../shared/schemas/common.ts';
import {
  AgencyList,
  NewFollowup,
  NewReferral,
  ReferralDetail,
  ReferralList,
  ReferralListQuery,
  ReferralStatusChange,
} from '../../shared/schemas/referrals.ts';
import { caseManager } from '../cases/policy.ts';
import {
  addFollowup,
  auditReferralsShown,
  createReferral,
  getReferral,
  listAgencies,
  listReferrals,
  setReferralStatus,
} from './service.ts';
import { registerAgencyAdminRoutes } from './agency-routes.ts';

export function registerReferralRoutes(app: App, services: Services): void {
  registerAgencyAdminRoutes(app, services);
  app.get(
    '/api/referral-agencies',
    {
      schema: {
        tags: ['referrals'],
        summary: "The school's agency types and expected response times",
        response: responses({ 200: AgencyList }),
      },
    },
    async (req) => ({ items: await caseManager(req).tx((t) => listAgencies(t)) }),
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
      const view = await caseManager(req).tx(async (t) =>
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
        querystring: ReferralListQuery,
        response: responses({ 200: ReferralList }),
      },
    },
    async (req) => ({
      items: await caseManager(req).tx(async (t) => {
        const items = await listReferrals(t, {
          limit: 200,
          overdueOnly: req.query.overdue === true,
          ...(req.query.pupilId ? { pupilId: req.query.pupilId } : {}),
        });
        await auditReferralsShown(t, items, req.query.pupilId);
        return items;
      }),
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
    async (req) => caseManager(req).tx((t) => getReferral(t, req.params.id)),
  );

  app.post(
    '/api/referrals/:id/followups',
    {
      schema: {
        tags: ['referrals'],
        summary: 'Add a letter, call or other follow-up',
        params: IdParams,
        body: NewFollowup,
        response: responses({ 200: ReferralDetail, 409: ErrorBody }),
      },
    },
    async (req) =>
      caseManager(req).tx(async (t) => {
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
        body: ReferralStatusChange,
        response: responses({ 200: ReferralDetail, 409: ErrorBody }),
      },
    },
    async (req) =>
      caseManager(req).tx(async (t) => {
        await setReferralStatus(t, req.params.id, req.body.status, req.body.at);
        return getReferral(t, req.params.id);
      }),
  );
}
