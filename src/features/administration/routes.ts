// The administration API: staff accounts, groups, memberships, category permissions and the
// school's policies. Every route needs the `admin` capability and a second factor (step-up).
// Changes that would add someone to the DSL team or give view of restricted records answer with
// what is awaiting approval (approval-routes.ts decides on them); the approvers alerted are emailed
// after the change commits.
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import { OwnAccessRefused } from './own-access.ts';
import type { Services } from '../../platform/services.ts';
import { ctx, type Tx } from '../../core/context.ts';
import { queueAlertEmails, sendQueuedMailSoon } from '../alerts/email.ts';
import { ErrorBody, IdParams, responses } from '../../shared/schemas/common.ts';
import {
  AccessChangeResult,
  CategoryAccessBody,
  CategoryAccessGridBody,
  CategoryAccessParams,
  Created,
  GroupBody,
  GroupList,
  Invited,
  Memberships,
  NewStaff,
  POLICY_NOTES,
  PolicyPatch,
  PolicyView,
  SecondFactorReset,
  UserList,
  YearGroupList,
} from '../../shared/schemas/administration.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import { queueLink, requireMailer } from '../identity/invitations.ts';
import {
  disableUser,
  inviteWithLink,
  linkForUser,
  listUsers,
  reactivateUser,
  resetSecondFactor,
  setMemberships,
  unlockUser,
} from './users.ts';
import {
  createGroup,
  listGroups,
  listYearGroups,
  setCategoryAccess,
  setCategoryAccessGrid,
  updateGroup,
} from './groups.ts';
import { readPolicies, updatePolicies } from './policies.ts';
import { sendSecurityNotice } from '../identity/security-notice.ts';

const none = responses({ 204: Type.Null() });

export function registerAdminRoutes(app: App, services: Services): void {
  const admin = (req: Parameters<typeof ctx>[0]) => {
    const c = ctx(req);
    requireAbility(c.actor, 'admin');
    return c;
  };
  const tags = ['admin'];
  /** Runs an access change; the approvers it alerted are emailed once it has committed. */
  const withAlerts = async (
    req: Parameters<typeof ctx>[0] & { params: unknown; url: string },
    fn: (t: Tx, alerted: string[]) => Promise<AccessChangeResult['awaitingApproval']>,
  ): Promise<AccessChangeResult> => {
    const c = admin(req);
    const awaitingApproval = await c
      .tx(async (t) => {
        const alerted: string[] = [];
        const awaiting = await fn(t, alerted);
        await queueAlertEmails(t, services, alerted);
        return awaiting;
      })
      .catch(async (err: unknown) => {
        // An administrator trying to change their own access is refused and rolled back; the
        // attempt itself is recorded in a transaction of its own, so the unusual-access scan
        // (issue 20) can tell the DSL team and the headteacher.
        // The refusal names the group or member whose access it was (a grid save names the
        // group of the refused cell, which no route parameter carries).
        if (err instanceof OwnAccessRefused) {
          await c.tx((t) =>
            t.audit({
              action: 'access.own_change_refused',
              targetType: err.target.type,
              targetId: err.target.id,
            }),
          );
        }
        throw err;
      });
    sendQueuedMailSoon(services);
    return { awaitingApproval };
  };

  app.get(
    '/api/admin/users',
    {
      schema: { tags, response: responses({ 200: UserList }) },
    },
    async (req) => ({
      items: await admin(req).tx(listUsers),
    }),
  );

  app.post(
    '/api/admin/users',
    {
      schema: {
        tags,
        summary: 'Invite a member of staff (emails a single-use link to set a password)',
        body: NewStaff,
        response: responses({ 201: Invited, 409: ErrorBody }),
      },
    },
    async (req, reply) => {
      const c = admin(req);
      const mailer = requireMailer(services);
      const { id, awaitingApproval } = await c.tx(async (t) => {
        const alerted: string[] = [];
        const invited = await inviteWithLink(services, t, req.body, alerted);
        await queueLink(mailer, t, invited.email, invited.link);
        await queueAlertEmails(t, services, alerted);
        return invited;
      });
      sendQueuedMailSoon(services);
      return reply.status(201).send({ id, awaitingApproval });
    },
  );

  app.post(
    '/api/admin/users/:id/invitation',
    {
      schema: {
        tags,
        summary: 'Send a new invitation or reset link',
        params: IdParams,
        response: none,
      },
    },
    async (req, reply) => {
      const c = admin(req);
      const mailer = requireMailer(services);
      await c.tx(async (t) => {
        const { email, link } = await linkForUser(services, t, req.params.id);
        await queueLink(mailer, t, email, link);
      });
      sendQueuedMailSoon(services);
      return reply.status(204).send(null);
    },
  );

  const action = (
    path: string,
    summary: string,
    fn: (t: Parameters<typeof disableUser>[0], id: string) => Promise<void>,
  ) =>
    app.post(
      path,
      { schema: { tags, summary, params: IdParams, response: none } },
      async (req, reply) => {
        await admin(req).tx((t) => fn(t, req.params.id));
        return reply.status(204).send(null);
      },
    );
  action(
    '/api/admin/users/:id/disable',
    'Disable an account (its sessions end; its name stays on its records)',
    disableUser,
  );
  action(
    '/api/admin/users/:id/reactivate',
    'Reactivate a disabled or dormant account',
    reactivateUser,
  );
  action('/api/admin/users/:id/unlock', 'Clear a temporary sign-in lock', unlockUser);

  app.post(
    '/api/admin/users/:id/reset-second-factor',
    {
      schema: {
        tags,
        summary: "Remove another user's second factors (the reason is audited)",
        params: IdParams,
        body: SecondFactorReset,
        response: none,
      },
    },
    async (req, reply) => {
      const email = await admin(req).tx((t) =>
        resetSecondFactor(t, req.params.id, req.body.reason),
      );
      await sendSecurityNotice(services, email, 'second_factor');
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/api/admin/users/:id/groups',
    {
      schema: {
        tags,
        summary:
          "Set a member's groups (joining the DSL team or a group that sees restricted records waits for approval)",
        params: IdParams,
        body: Memberships,
        response: responses({ 200: AccessChangeResult }),
      },
    },
    async (req) =>
      withAlerts(req, (t, alerted) => setMemberships(t, req.params.id, req.body.groupIds, alerted)),
  );

  app.get(
    '/api/admin/groups',
    {
      schema: { tags, response: responses({ 200: GroupList }) },
    },
    async (req) => ({
      items: await admin(req).tx(listGroups),
    }),
  );

  app.get(
    '/api/admin/year-groups',
    {
      schema: {
        tags,
        summary: "The school's year groups (from its pupils), to choose a group's scope from",
        response: responses({ 200: YearGroupList }),
      },
    },
    async (req) => ({
      items: await admin(req).tx(listYearGroups),
    }),
  );

  app.post(
    '/api/admin/groups',
    {
      schema: {
        tags,
        body: GroupBody,
        response: responses({ 201: Created, 409: ErrorBody }),
      },
    },
    async (req, reply) => {
      const id = await admin(req).tx((t) => createGroup(t, req.body));
      return reply.status(201).send({ id });
    },
  );

  app.put(
    '/api/admin/groups/:id',
    {
      schema: {
        tags,
        summary: "Change a group's settings (granting restricted access waits for approval)",
        params: IdParams,
        body: GroupBody,
        response: responses({ 200: AccessChangeResult, 409: ErrorBody }),
      },
    },
    async (req) =>
      withAlerts(req, (t, alerted) => updateGroup(t, req.params.id, req.body, alerted)),
  );

  app.put(
    '/api/admin/groups/:id/categories/:categoryId',
    {
      schema: {
        tags,
        summary:
          "Set a group's access to one category (inherit = use the group's defaults; view of a restricted category waits for approval)",
        params: CategoryAccessParams,
        body: CategoryAccessBody,
        response: responses({ 200: AccessChangeResult }),
      },
    },
    async (req) =>
      withAlerts(req, (t, alerted) =>
        setCategoryAccess(t, req.params.id, req.params.categoryId, req.body.access, alerted),
      ),
  );

  app.put(
    '/api/admin/category-access',
    {
      schema: {
        tags,
        summary:
          "Set many groups' access to many categories at once (the groups × categories grid): every change is applied, or none",
        body: CategoryAccessGridBody,
        response: responses({ 200: AccessChangeResult }),
      },
    },
    async (req) =>
      withAlerts(req, (t, alerted) => setCategoryAccessGrid(t, req.body.changes, alerted)),
  );

  app.get(
    '/api/admin/policies',
    { schema: { tags, response: responses({ 200: PolicyView }) } },
    async (req) => ({
      policies: await admin(req).tx(readPolicies),
      notes: POLICY_NOTES,
    }),
  );

  app.patch(
    '/api/admin/policies',
    {
      schema: {
        tags,
        body: PolicyPatch,
        response: responses({ 200: PolicyView }),
      },
    },
    async (req) => ({
      policies: await admin(req).tx((t) => updatePolicies(t, req.body)),
      notes: POLICY_NOTES,
    }),
  );
}
