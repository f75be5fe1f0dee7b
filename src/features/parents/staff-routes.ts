// "Parents and forms" for staff (issue 21): the eligible contacts of a year group or pupil with
// their invitations, inviting, resending and revoking. Every route asks the `parents` ability
// first (policy.ts). Thin: parse, authorise, call invitations.ts, present.
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { DomainError } from '../../core/errors.ts';
import { IdParams, responses, ErrorBody } from '../../shared/schemas/common.ts';
import {
  InvitationList,
  InvitationQuery,
  InviteBody,
  InviteResult,
  ParentFactorReset,
  ParentFactorResetDone,
} from '../../shared/schemas/parents.ts';
import { requireParents } from './policy.ts';
import { invite, listInvitations, resend, revoke } from './invitations.ts';
import { resetParentSecondFactor } from './factor-reset.ts';
import { wakeWorker } from '../../platform/queue/worker.ts';

const tags = ['parents'];
const Revoked = Type.Object({ sessionsEnded: Type.Integer() });

/** A send that refused every contact it was asked about is answered as a refusal (audited). */
function refusedOutright(r: InviteResult): InviteResult {
  if (r.invited === 0 && r.alreadyAccepted === 0 && r.refused.length > 0) {
    throw new DomainError('conflict', `invitation_${r.refused[0]!.reason}`, r.refused[0]!.message);
  }
  return r;
}

export function registerParentStaffRoutes(app: App, services: Services): void {
  app.get(
    '/api/parents/invitations',
    {
      schema: {
        tags,
        summary: 'A year group’s (or a pupil’s) contacts who may be invited, and their status',
        querystring: InvitationQuery,
        response: responses({ 200: InvitationList }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireParents(c.actor);
      return c.tx((t) =>
        listInvitations(
          t,
          req.query.pupilId
            ? { pupilIds: [req.query.pupilId] }
            : { yearGroup: req.query.yearGroup },
        ),
      );
    },
  );

  app.post(
    '/api/parents/invitations',
    {
      schema: {
        tags,
        summary: 'Invite the parents of the chosen pupils, or of a whole intake',
        body: InviteBody,
        response: responses({ 200: InviteResult, 409: ErrorBody }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireParents(c.actor);
      const r = await c.tx((t) => invite(t, services, req.body));
      wakeWorker(services);
      return refusedOutright(r);
    },
  );

  app.post(
    '/api/parents/invitations/:id/resend',
    {
      schema: {
        tags,
        summary: 'Send an invitation again (a new link)',
        params: IdParams,
        response: responses({ 200: InviteResult, 409: ErrorBody }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireParents(c.actor);
      const r = await c.tx((t) => resend(t, services, req.params.id));
      wakeWorker(services);
      return refusedOutright(r);
    },
  );

  app.post(
    '/api/parents/invitations/:id/revoke',
    {
      schema: {
        tags,
        summary: 'Revoke an invitation, or an accepted parent’s access to this child',
        params: IdParams,
        response: responses({ 200: Revoked, 409: ErrorBody }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireParents(c.actor);
      return c.tx((t) => revoke(t, req.params.id));
    },
  );

  app.post(
    '/api/parents/invitations/:id/reset-second-factor',
    {
      schema: {
        tags,
        summary:
          "Reset an accepted parent's second factor (ends their sessions; the reason is kept for staff)",
        params: IdParams,
        body: ParentFactorReset,
        response: responses({ 200: ParentFactorResetDone, 409: ErrorBody }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireParents(c.actor);
      const r = await c.tx((t) =>
        resetParentSecondFactor(t, services, req.params.id, req.body.reason),
      );
      wakeWorker(services);
      return r;
    },
  );
}
