// The administration API: staff accounts, groups, memberships, category permissions and the
// school's policies. Every route needs the `admin` capability and a second factor (step-up).
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { IdParams, responses, Uuid } from '../../shared/schemas/common.ts';
import { notFound } from '../../core/errors.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import { CAPABILITIES, CATEGORY_ACCESS } from '../../core/access/permissions.ts';
import { ROLES } from '../../core/access/actor.ts';
import { PASSWORD_EXPIRY_NOTE, SECOND_FACTOR_AT_SIGN_IN } from '../../core/settings.ts';
import { linkFor, requireMailer, sendLink } from '../identity/invitations.ts';
import {
  disableUser,
  inviteUser,
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
  updateGroup,
} from './groups.ts';
import { readPolicies, RECORD_POLICY_NOTES, updatePolicies } from './policies.ts';
import { ESCALATION_MINUTES_BOUNDS } from '../../core/record-settings.ts';

const lit = <T extends string>(xs: readonly T[]) =>
  Type.Unsafe<T>(Type.Union(xs.map((x) => Type.Literal(x))));
const Access = lit(CATEGORY_ACCESS);
const UserItem = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: Type.String(),
  status: lit(['invited', 'active', 'disabled', 'dormant', 'locked'] as const),
  lockedUntil: Type.Union([Type.String(), Type.Null()]),
  lastSignInAt: Type.Union([Type.String(), Type.Null()]),
  secondFactor: Type.Object({ totp: Type.Boolean(), securityKeys: Type.Integer() }),
  groupIds: Type.Array(Type.String()),
});
const GroupBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    nonRestrictedDefault: Access,
    restrictedDefault: Access,
    scope: Type.Object(
      {
        kind: lit(['school', 'year_groups', 'own_groups'] as const),
        yearGroups: Type.Optional(
          Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 20 }),
        ),
      },
      { additionalProperties: false },
    ),
    capabilities: Type.Array(lit(CAPABILITIES), { maxItems: 5 }),
  },
  { additionalProperties: false },
);
const GroupItem = Type.Object({
  id: Type.String(),
  key: Type.String(),
  name: Type.String(),
  description: Type.String(),
  nonRestrictedDefault: Type.String(),
  restrictedDefault: Type.String(),
  scope: Type.Object({ kind: Type.String(), yearGroups: Type.Array(Type.String()) }),
  capabilities: Type.Array(Type.String()),
  categories: Type.Array(Type.Object({ categoryId: Type.String(), access: Type.String() })),
  memberIds: Type.Array(Type.String()),
});
const PasswordPolicy = Type.Object({
  minLength: Type.Integer({ minimum: 8, maximum: 128 }),
  requireComposition: Type.Boolean(),
  checkCommon: Type.Boolean(),
  historyCount: Type.Integer({ minimum: 0, maximum: 24 }),
  expiryDays: Type.Integer({ minimum: 0, maximum: 3650, description: PASSWORD_EXPIRY_NOTE }),
});
const Policies = Type.Object({
  idleTimeoutMinutes: Type.Integer({ minimum: 1, maximum: 240 }),
  idleWarningMinutes: Type.Integer({ minimum: 0, maximum: 10 }),
  absoluteSessionHours: Type.Integer({ minimum: 1, maximum: 24 }),
  elevationMinutes: Type.Integer({ minimum: 1, maximum: 120 }),
  secondFactorAtSignIn: lit(SECOND_FACTOR_AT_SIGN_IN),
  dormancyDays: Type.Integer({ minimum: 7, maximum: 3650 }),
  passwordPolicy: PasswordPolicy,
  alertEscalationMinutes: Type.Integer({
    minimum: ESCALATION_MINUTES_BOUNDS[0],
    maximum: ESCALATION_MINUTES_BOUNDS[1],
    description: RECORD_POLICY_NOTES.alertEscalationMinutes,
  }),
  // The upper bound (the server's own upload limit) is checked where it can be explained
  // (src/admin/policies.ts).
  maxUploadMegabytes: Type.Integer({
    minimum: 1,
    description: RECORD_POLICY_NOTES.maxUploadMegabytes,
  }),
});
const PolicyView = Type.Object({
  policies: Policies,
  notes: Type.Object({
    passwordExpiryDays: Type.String(),
    alertEscalationMinutes: Type.String(),
    maxUploadMegabytes: Type.String(),
  }),
});
const policyNotes = { passwordExpiryDays: PASSWORD_EXPIRY_NOTE, ...RECORD_POLICY_NOTES };
const UserParams = Type.Object({ id: Uuid });
const none = responses({ 204: Type.Null() });

export function registerAdminRoutes(app: App, services: Services): void {
  const admin = (req: Parameters<typeof ctx>[0]) => {
    const c = ctx(req);
    requireAbility(c.actor, 'admin');
    return c;
  };
  const tags = ['admin'];

  app.get(
    '/api/admin/users',
    {
      schema: { tags, response: responses({ 200: Type.Object({ items: Type.Array(UserItem) }) }) },
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
        body: Type.Object(
          {
            email: Type.String({ minLength: 3, maxLength: 254 }),
            name: Type.String({ minLength: 1, maxLength: 200 }),
            role: lit(ROLES),
          },
          { additionalProperties: false },
        ),
        response: responses({
          201: Type.Object({ id: Type.String() }),
          409: Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) }),
        }),
      },
    },
    async (req, reply) => {
      const c = admin(req);
      const mailer = requireMailer(services);
      const { id, link } = await c.tx(async (t) => {
        const userId = await inviteUser(t, req.body);
        return {
          id: userId,
          link: await linkFor(services, t.db, {
            schoolId: t.actor.schoolId,
            userId,
            purpose: 'invite',
            now: t.now,
          }),
        };
      });
      await sendLink(mailer, req.body.email.trim().toLowerCase(), link);
      return reply.status(201).send({ id });
    },
  );

  app.post(
    '/api/admin/users/:id/invitation',
    {
      schema: {
        tags,
        summary: 'Send a new invitation or reset link',
        params: UserParams,
        response: none,
      },
    },
    async (req, reply) => {
      const c = admin(req);
      const mailer = requireMailer(services);
      const { email, link } = await c.tx(async (t) => {
        const [u] = await t.q<{ email: string; password_hash: string | null }>(
          'SELECT email, password_hash FROM users WHERE id = $1 AND disabled_at IS NULL',
          [req.params.id],
        );
        if (!u) throw notFound('That member of staff');
        const purpose = u.password_hash ? 'reset' : 'invite';
        await t.audit({
          action: purpose === 'invite' ? 'user.invited' : 'auth.password_reset_requested',
          targetType: 'user',
          targetId: req.params.id,
        });
        return {
          email: u.email,
          link: await linkFor(services, t.db, {
            schoolId: t.actor.schoolId,
            userId: req.params.id,
            purpose,
            now: t.now,
          }),
        };
      });
      await sendLink(mailer, email, link);
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
        body: Type.Object(
          { reason: Type.String({ minLength: 3, maxLength: 500 }) },
          { additionalProperties: false },
        ),
        response: none,
      },
    },
    async (req, reply) => {
      await admin(req).tx((t) => resetSecondFactor(t, req.params.id, req.body.reason));
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/api/admin/users/:id/groups',
    {
      schema: {
        tags,
        summary: "Set a member's groups",
        params: IdParams,
        body: Type.Object(
          { groupIds: Type.Array(Uuid, { maxItems: 100 }) },
          { additionalProperties: false },
        ),
        response: none,
      },
    },
    async (req, reply) => {
      await admin(req).tx((t) => setMemberships(t, req.params.id, req.body.groupIds));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/admin/groups',
    {
      schema: { tags, response: responses({ 200: Type.Object({ items: Type.Array(GroupItem) }) }) },
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
        response: responses({ 200: Type.Object({ items: Type.Array(Type.String()) }) }),
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
        response: responses({
          201: Type.Object({ id: Type.String() }),
          409: Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) }),
        }),
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
        params: IdParams,
        body: GroupBody,
        response: responses({
          204: Type.Null(),
          409: Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) }),
        }),
      },
    },
    async (req, reply) => {
      await admin(req).tx((t) => updateGroup(t, req.params.id, req.body));
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/api/admin/groups/:id/categories/:categoryId',
    {
      schema: {
        tags,
        summary: "Set a group's access to one category (inherit = use the group's defaults)",
        params: Type.Object({ id: Uuid, categoryId: Uuid }),
        body: Type.Object(
          { access: Type.Union([Access, Type.Literal('inherit')]) },
          { additionalProperties: false },
        ),
        response: none,
      },
    },
    async (req, reply) => {
      await admin(req).tx((t) =>
        setCategoryAccess(t, req.params.id, req.params.categoryId, req.body.access),
      );
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/admin/policies',
    { schema: { tags, response: responses({ 200: PolicyView }) } },
    async (req) => ({
      policies: await admin(req).tx(readPolicies),
      notes: policyNotes,
    }),
  );

  app.patch(
    '/api/admin/policies',
    {
      schema: {
        tags,
        body: Type.Partial(
          Type.Object({ ...Policies.properties, passwordPolicy: Type.Partial(PasswordPolicy) }),
          { additionalProperties: false },
        ),
        response: responses({ 200: PolicyView }),
      },
    },
    async (req) => ({
      policies: await admin(req).tx((t) => updatePolicies(t, req.body)),
      notes: policyNotes,
    }),
  );
}
