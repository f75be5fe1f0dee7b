// The administration routes' request and response schemas: staff accounts, groups and their
// access to categories, the school's policies, and the staff directory used when logging a
// concern. The bounds of each policy are SETTING_BOUNDS (../limits.ts), which the server also
// reads settings with (src/core/settings.ts).
import { Type, type Static } from 'typebox';
import { Uuid } from './common.ts';
import { FactorResetReason } from '../factor-reset.ts';
import { MIS_PUSH_HARD_LIMIT_BYTES, SETTING_BOUNDS, VAULT_HARD_LIMIT_BYTES } from '../limits.ts';
import { CAPABILITIES, CATEGORY_ACCESS, ROLES, SCOPE_KINDS } from '../access.ts';

const lit = <T extends string>(xs: readonly T[]) =>
  Type.Unsafe<T>(Type.Union(xs.map((x) => Type.Literal(x))));
const between = (bound: keyof typeof SETTING_BOUNDS, description?: string) =>
  Type.Integer({
    minimum: SETTING_BOUNDS[bound][0],
    maximum: SETTING_BOUNDS[bound][1],
    ...(description === undefined ? {} : { description }),
  });

export const USER_STATUSES = ['invited', 'active', 'disabled', 'dormant', 'locked'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** Who must give a second factor at sign-in (everyone must to elevate). */
export const SECOND_FACTOR_AT_SIGN_IN = ['everyone', 'readers'] as const;
export type SecondFactorAtSignIn = (typeof SECOND_FACTOR_AT_SIGN_IN)[number];

export const Created = Type.Object({ id: Type.String() });
export type Created = Static<typeof Created>;

// --- Staff accounts ---

export const UserItem = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: Type.String(),
  status: lit(USER_STATUSES),
  lockedUntil: Type.Union([Type.String(), Type.Null()]),
  lastSignInAt: Type.Union([Type.String(), Type.Null()]),
  secondFactor: Type.Object({ totp: Type.Boolean(), securityKeys: Type.Integer() }),
  groupIds: Type.Array(Type.String()),
});
export type UserItem = Static<typeof UserItem>;
export const UserList = Type.Object({ items: Type.Array(UserItem) });
export type UserList = Static<typeof UserList>;

export const NewStaff = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    role: lit(ROLES),
  },
  { additionalProperties: false },
);
export type NewStaff = Static<typeof NewStaff>;

export const SecondFactorReset = Type.Object(
  { reason: FactorResetReason },
  { additionalProperties: false },
);
export type SecondFactorReset = Static<typeof SecondFactorReset>;

export const Memberships = Type.Object(
  { groupIds: Type.Array(Uuid, { maxItems: 100 }) },
  { additionalProperties: false },
);
export type Memberships = Static<typeof Memberships>;

// --- Groups ---

const Access = lit(CATEGORY_ACCESS);

export const GroupBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    nonRestrictedDefault: Access,
    restrictedDefault: Access,
    scope: Type.Object(
      {
        kind: lit(SCOPE_KINDS),
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
export type GroupBody = Static<typeof GroupBody>;

export const GroupItem = Type.Object({
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
export type GroupItem = Static<typeof GroupItem>;
export const GroupList = Type.Object({ items: Type.Array(GroupItem) });
export type GroupList = Static<typeof GroupList>;

export const YearGroupList = Type.Object({ items: Type.Array(Type.String()) });
export type YearGroupList = Static<typeof YearGroupList>;

export const CategoryAccessParams = Type.Object({ id: Uuid, categoryId: Uuid });
export type CategoryAccessParams = Static<typeof CategoryAccessParams>;
export const CategoryAccessBody = Type.Object(
  { access: Type.Union([Access, Type.Literal('inherit')]) },
  { additionalProperties: false },
);
export type CategoryAccessBody = Static<typeof CategoryAccessBody>;

/** Most cells one save of the groups × categories grid may change (a school's groups × categories). */
export const MAX_ACCESS_GRID_CHANGES = 5000;
/** The groups × categories grid saved at once: every change applied, or none (issue 14). */
export const CategoryAccessGridBody = Type.Object(
  {
    changes: Type.Array(
      Type.Object(
        { groupId: Uuid, categoryId: Uuid, access: Type.Union([Access, Type.Literal('inherit')]) },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: MAX_ACCESS_GRID_CHANGES },
    ),
  },
  { additionalProperties: false },
);
export type CategoryAccessGridBody = Static<typeof CategoryAccessGridBody>;

// --- Access approvals (issue 11: granting record access is a two-person act) ---

export const ACCESS_REQUEST_KINDS = ['membership', 'group', 'category_access'] as const;
export const ACCESS_REQUEST_REASONS = ['dsl_team', 'approvers', 'restricted'] as const;
export const ACCESS_REQUEST_STATUSES = [
  'pending',
  'approved',
  'declined',
  'withdrawn',
  'superseded',
] as const;

/** A change that was not applied but is waiting for a DSL's or the headteacher's approval. */
export const AwaitingApproval = Type.Object({
  requestId: Type.String(),
  kind: lit(ACCESS_REQUEST_KINDS),
  /**
   * dsl_team: joining the DSL team; approvers: joining the headteacher's group (whose members
   * approve); restricted: view of restricted records.
   */
  reason: lit(ACCESS_REQUEST_REASONS),
  groupId: Type.String(),
  userId: Type.Union([Type.String(), Type.Null()]),
  categoryId: Type.Union([Type.String(), Type.Null()]),
});
export type AwaitingApproval = Static<typeof AwaitingApproval>;

/** The answer to a change of memberships, a group or a category's access. */
export const AccessChangeResult = Type.Object({
  /** Empty when everything asked was applied at once. */
  awaitingApproval: Type.Array(AwaitingApproval),
});
export type AccessChangeResult = Static<typeof AccessChangeResult>;

/** An invitation: the new account, and any of its role's groups waiting for approval. */
export const Invited = Type.Object({
  id: Type.String(),
  awaitingApproval: Type.Array(AwaitingApproval),
});
export type Invited = Static<typeof Invited>;

const Named = Type.Object({ id: Type.String(), name: Type.String() });

export const AccessRequestView = Type.Object({
  id: Type.String(),
  kind: lit(ACCESS_REQUEST_KINDS),
  reason: lit(ACCESS_REQUEST_REASONS),
  status: lit(ACCESS_REQUEST_STATUSES),
  group: Named,
  /** membership: the member who would join the group. */
  member: Type.Union([Named, Type.Null()]),
  /** category_access: the restricted category and the access asked for. */
  category: Type.Union([Named, Type.Null()]),
  access: Type.Union([Type.String(), Type.Null()]),
  /** group: each setting that would change, as words a person reads. */
  changes: Type.Array(Type.String()),
  requestedBy: Named,
  requestedAt: Type.String({ format: 'date-time' }),
  decidedBy: Type.Union([Named, Type.Null()]),
  decidedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  allowed: Type.Object({
    approve: Type.Boolean(),
    decline: Type.Boolean(),
    withdraw: Type.Boolean(),
  }),
  /** Why this person may not approve it, when they could otherwise. */
  approveRefusal: Type.Union([Type.String(), Type.Null()]),
});
export type AccessRequestView = Static<typeof AccessRequestView>;
export const AccessRequestList = Type.Object({ items: Type.Array(AccessRequestView) });
export type AccessRequestList = Static<typeof AccessRequestList>;

// --- Policies ---

const MB = 1024 * 1024;
/** The largest MIS push a school may accept, in MB: the push route's own request limit. */
export const MAX_MIS_PUSH_MEGABYTES = MIS_PUSH_HARD_LIMIT_BYTES / MB;
/** The largest upload limit a school may choose, in MB: the vault route's own request limit. */
export const MAX_UPLOAD_MEGABYTES = VAULT_HARD_LIMIT_BYTES / MB;

/** Shown beside these settings wherever they are edited, so the page says what is enforced. */
export const POLICY_NOTES = {
  passwordExpiryDays:
    '0 means passwords never expire. NIST SP 800-63B (section 3.1.1.2) now advises against forced ' +
    'periodic changes, which push people to predictable variations; with a breached-password check ' +
    'and second factors, 0 is the safer choice. The default of 60 days is what schools were promised.',
  alertEscalationMinutes:
    'From 5 minutes to 7 days (10080). Applies to alerts raised after the change; an alert ' +
    'already waiting keeps the time it was given.',
  maxUploadMegabytes:
    `From 1 to ${MAX_UPLOAD_MEGABYTES} MB. The server itself accepts no upload larger than ` +
    `${MAX_UPLOAD_MEGABYTES} MB, so a higher limit cannot be set.`,
  maxMisPushMegabytes:
    `From 1 to ${MAX_MIS_PUSH_MEGABYTES} MB. A feed pushed by the MIS integrator that is larger is ` +
    'refused as it arrives, and nothing from it is applied.',
  protectiveMarking:
    'Printed at the top of every page of an exported chronology. Capital letters, digits, spaces ' +
    'and - / : only, at most 60 characters; OFFICIAL-SENSITIVE unless the school uses its own.',
};

export const PasswordPolicy = Type.Object({
  minLength: between('minLength'),
  requireComposition: Type.Boolean(),
  checkCommon: Type.Boolean(),
  historyCount: between('historyCount'),
  expiryDays: between('expiryDays', POLICY_NOTES.passwordExpiryDays),
});
export type PasswordPolicy = Static<typeof PasswordPolicy>;

export const Policies = Type.Object({
  idleTimeoutMinutes: between('idleTimeoutMinutes'),
  idleWarningMinutes: between('idleWarningMinutes'),
  absoluteSessionHours: between('absoluteSessionHours'),
  elevationMinutes: between('elevationMinutes'),
  secondFactorAtSignIn: lit(SECOND_FACTOR_AT_SIGN_IN),
  dormancyDays: between('dormancyDays'),
  passwordPolicy: PasswordPolicy,
  alertEscalationMinutes: between('alertEscalationMinutes', POLICY_NOTES.alertEscalationMinutes),
  // The upper bound (the server's own upload limit) is checked where it can be explained
  // (src/features/administration/policies.ts).
  maxUploadMegabytes: Type.Integer({
    minimum: 1,
    description: POLICY_NOTES.maxUploadMegabytes,
  }),
  maxMisPushMegabytes: Type.Integer({
    minimum: 1,
    maximum: MAX_MIS_PUSH_MEGABYTES,
    description: POLICY_NOTES.maxMisPushMegabytes,
  }),
  // The same rule as core/settings.ts PROTECTIVE_MARKING_PATTERN.
  protectiveMarking: Type.String({
    pattern: '^[A-Z0-9][A-Z0-9 \\-/:]{0,59}$',
    description: POLICY_NOTES.protectiveMarking,
  }),
});
export type Policies = Static<typeof Policies>;

export const PolicyView = Type.Object({
  policies: Policies,
  notes: Type.Object({
    passwordExpiryDays: Type.String(),
    alertEscalationMinutes: Type.String(),
    maxUploadMegabytes: Type.String(),
    maxMisPushMegabytes: Type.String(),
    protectiveMarking: Type.String(),
  }),
});
export type PolicyView = Static<typeof PolicyView>;

export const PolicyPatch = Type.Partial(
  Type.Object({ ...Policies.properties, passwordPolicy: Type.Partial(PasswordPolicy) }),
  { additionalProperties: false },
);
export type PolicyPatch = Static<typeof PolicyPatch>;

// --- The staff directory (logging a concern) ---

export const StaffDirectory = Type.Object({
  staff: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      role: Type.String(),
      dsl: Type.Boolean({ description: 'In the DSL team (the "I verbally informed" list).' }),
    }),
  ),
  groups: Type.Array(Type.Object({ key: Type.String(), name: Type.String() })),
});
export type StaffDirectory = Static<typeof StaffDirectory>;
