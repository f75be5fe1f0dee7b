// The access-approval routes (issue 11, finding 3): the list of requests for the DSL team, the
// headteacher and administrators; approve and decline for the DSL team and the headteacher;
// withdraw for administrators. All need a second factor (asked for only of those who could act
// once elevated). Who approves is decided in core/access/approvers.ts; what, in approvals.ts.
import type { App } from '../../core/feature.ts';
import { ctx } from '../../core/context.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import { ErrorBody, IdParams, responses } from '../../shared/schemas/common.ts';
import { AccessRequestList, AccessRequestView } from '../../shared/schemas/administration.ts';
import {
  approveAccessRequest,
  declineAccessRequest,
  listAccessRequests,
  withdrawAccessRequest,
} from './approvals.ts';

export function registerApprovalRoutes(app: App): void {
  const tags = ['access approvals'];

  app.get(
    '/api/access-requests',
    {
      schema: {
        tags,
        summary: 'Changes to record access: waiting for approval first, then the last 50 decided',
        response: responses({ 200: AccessRequestList }),
      },
    },
    async (req) => ({ items: await ctx(req).tx(listAccessRequests) }),
  );

  const decision = (
    verb: 'approve' | 'decline',
    summary: string,
    fn: typeof approveAccessRequest,
  ) =>
    app.post(
      `/api/access-requests/:id/${verb}`,
      {
        schema: {
          tags,
          summary,
          params: IdParams,
          response: responses({ 200: AccessRequestView, 409: ErrorBody }),
        },
      },
      async (req) => ctx(req).tx((t) => fn(t, req.params.id)),
    );
  decision(
    'approve',
    'Approve a change to record access (DSL team or headteacher; applied at once)',
    approveAccessRequest,
  );
  decision('decline', 'Decline a change to record access', declineAccessRequest);

  app.post(
    '/api/access-requests/:id/withdraw',
    {
      schema: {
        tags,
        summary: 'Withdraw a change to record access that is waiting for approval (administrators)',
        params: IdParams,
        response: responses({ 200: AccessRequestView, 409: ErrorBody }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireAbility(c.actor, 'admin');
      return c.tx((t) => withdrawAccessRequest(t, req.params.id));
    },
  );
}
