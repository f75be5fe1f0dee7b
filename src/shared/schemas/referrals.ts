// Referrals to outside agencies and the agencies themselves: the requests and responses of
// /api/referrals, /api/referral-agencies and /api/admin/referral-agencies, and the vocabularies
// the web app shows (a referral's statuses, follow-up kinds, what a member may do with one).
import { Type, type Static } from 'typebox';
import { Uuid } from './common.ts';
import { Person } from './concerns.ts';

/** A referral's state at the moment of reading (src/features/referrals/rules.ts). */
export const REFERRAL_STATUSES = ['awaiting', 'overdue', 'responded', 'closed'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

/** What a member may do with a referral now (src/features/referrals/policy.ts), sent as `allowed`. */
export const REFERRAL_ACTIONS = ['add_followup', 'record_response', 'close'] as const;
export type ReferralAction = (typeof REFERRAL_ACTIONS)[number];

export const FOLLOWUP_KINDS = ['letter', 'call', 'email', 'meeting', 'response', 'other'] as const;
export type FollowupKind = (typeof FOLLOWUP_KINDS)[number];

const Nullable = (s: ReturnType<typeof Type.String>) => Type.Union([s, Type.Null()]);

export const ReferralView = Type.Object({
  id: Type.String(),
  pupil: Person,
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
      description:
        'What the current user may do with this referral now (src/features/referrals/policy.ts).',
    },
  ),
});
export type ReferralView = Static<typeof ReferralView>;

export const ReferralFollowup = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  at: Type.String(),
  by: Type.String(),
  note: Type.String(),
});
export type ReferralFollowup = Static<typeof ReferralFollowup>;

export const ReferralDetail = Type.Intersect([
  ReferralView,
  Type.Object({ followups: Type.Array(ReferralFollowup) }),
]);
export type ReferralDetail = Static<typeof ReferralDetail>;

export const ReferralList = Type.Object({ items: Type.Array(ReferralView) });
export type ReferralList = Static<typeof ReferralList>;

export const ReferralListQuery = Type.Object(
  { pupilId: Type.Optional(Uuid), overdue: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type ReferralListQuery = Static<typeof ReferralListQuery>;

export const NewReferral = Type.Object(
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
export type NewReferral = Static<typeof NewReferral>;

/** A letter, call or other follow-up. */
export const NewFollowup = Type.Object(
  {
    kind: Type.Union(FOLLOWUP_KINDS.map((k) => Type.Literal(k))),
    at: Type.Optional(Type.String({ format: 'date-time' })),
    note: Type.String({ minLength: 1, maxLength: 10_000 }),
  },
  { additionalProperties: false },
);
export type NewFollowup = Static<typeof NewFollowup>;

/** The agency's response recorded, or the referral closed. */
export const ReferralStatusChange = Type.Object(
  {
    status: Type.Union([Type.Literal('responded'), Type.Literal('closed')]),
    at: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
export type ReferralStatusChange = Static<typeof ReferralStatusChange>;

/** The agencies a referral may be made to now, with their expected response times. */
export const AgencyList = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      expectedResponseHours: Type.Union([Type.Integer(), Type.Null()]),
    }),
  ),
});
export type AgencyList = Static<typeof AgencyList>;

// ---- Administering the agencies ------------------------------------------------------------

// One schema type list rather than a union: the validator coerces types, and across a union it
// would read null as 0 or 0 as null. Range and wholeness are checked in
// src/features/referrals/agencies.ts.
const Hours = Type.Unsafe<number | null>({
  type: ['integer', 'null'],
  description: 'Hours within which the agency is expected to respond; null for no expectation.',
});
const AgencyName = Type.String({ maxLength: 200 });

export const AdminAgency = Type.Object({
  id: Type.String(),
  name: Type.String(),
  expectedResponseHours: Type.Union([Type.Integer(), Type.Null()]),
  archived: Type.Boolean(),
  referrals: Type.Integer({ description: 'Referrals made to this agency, kept whatever changes.' }),
});
export type AdminAgency = Static<typeof AdminAgency>;

export const AdminAgencyList = Type.Object({ items: Type.Array(AdminAgency) });
export type AdminAgencyList = Static<typeof AdminAgencyList>;

export const NewAgency = Type.Object(
  { name: AgencyName, expectedResponseHours: Hours },
  { additionalProperties: false },
);
export type NewAgency = Static<typeof NewAgency>;

export const AgencyChange = Type.Object(
  {
    name: Type.Optional(AgencyName),
    expectedResponseHours: Type.Optional(Hours),
    archived: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type AgencyChange = Static<typeof AgencyChange>;
