// Request and response schemas of a trust's view (issue 20): trust members' sign-in and session,
// the figures across the trust's sharing schools (suppressed: counts only, "<5" and "[c]"), the
// grants a member holds and a pupil's record read under one; and the school's side: sharing with
// the trust, and the DSL team's grants.
import { Type, type Static } from 'typebox';
import { PackTable } from './reports.ts';

const Email = Type.String({ minLength: 3, maxLength: 254 });
const Password = Type.String({ minLength: 1, maxLength: 1024 });
const Uuid = Type.String({ format: 'uuid' });
const Time = Type.String({ format: 'date-time' });

/** The longest a school may grant its trust access for, in days. */
export const TRUST_GRANT_MAX_DAYS = 30;
export const TRUST_GRANT_REASON_MAX = 1000;

export const TrustSignIn = Type.Object(
  { email: Email, password: Password },
  { additionalProperties: false },
);
export type TrustSignIn = Static<typeof TrustSignIn>;

export const TrustCode = Type.Object(
  { code: Type.String({ minLength: 6, maxLength: 12 }) },
  { additionalProperties: false },
);
export type TrustCode = Static<typeof TrustCode>;

export const TrustRoleSchema = Type.Union([
  Type.Literal('trust_safeguarding_lead'),
  Type.Literal('trust_executive'),
]);

export const TrustSessionInfo = Type.Object({
  member: Type.Object({ name: Type.String(), email: Type.String(), role: TrustRoleSchema }),
  trust: Type.Object({ name: Type.String() }),
  stage: Type.Union([Type.Literal('second_factor'), Type.Literal('enrol'), Type.Literal('full')]),
  csrfToken: Type.String(),
  expiresAt: Time,
});
export type TrustSessionInfo = Static<typeof TrustSessionInfo>;

export const TrustTotpEnrolment = Type.Object({
  qrSvg: Type.String(),
  manualKey: Type.String(),
  otpauthUri: Type.String(),
});
export type TrustTotpEnrolment = Static<typeof TrustTotpEnrolment>;

export const TrustOk = Type.Object({ ok: Type.Literal(true) });

/** One sharing school in the overview: its name and when its figures were computed. */
export const TrustSchoolColumn = Type.Object({
  id: Uuid,
  name: Type.String(),
  asOf: Time,
  from: Type.String(),
  to: Type.String(),
});

export const TrustOverview = Type.Object({
  trust: Type.String(),
  schools: Type.Array(TrustSchoolColumn),
  /** The oldest of the schools' snapshots: the overview is "as of" this time. */
  asOf: Type.Union([Time, Type.Null()]),
  /** The trust's schools that do not share their figures (names only). */
  notSharing: Type.Array(Type.String()),
  /** Each figure: one column per school, then the total across them; suppressed. */
  tables: Type.Array(PackTable),
});
export type TrustOverview = Static<typeof TrustOverview>;

export const TrustSchoolParams = Type.Object({ schoolId: Uuid });
export const TrustSchoolFigures = Type.Object({
  school: TrustSchoolColumn,
  tables: Type.Array(PackTable),
});
export type TrustSchoolFigures = Static<typeof TrustSchoolFigures>;

export const TrustRefreshed = Type.Object({ schools: Type.Integer({ minimum: 0 }) });

/** A grant as the trust member holding it sees it. */
export const HeldGrant = Type.Object({
  id: Uuid,
  school: Type.String(),
  scope: Type.Union([Type.Literal('pupil'), Type.Literal('school')]),
  pupilId: Type.Union([Uuid, Type.Null()]),
  grantedAt: Time,
  expiresAt: Time,
  state: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]),
});
export type HeldGrant = Static<typeof HeldGrant>;
export const HeldGrants = Type.Object({ items: Type.Array(HeldGrant) });
export type HeldGrants = Static<typeof HeldGrants>;

export const GrantParams = Type.Object({ grantId: Uuid });
export const GrantPupilParams = Type.Object({ grantId: Uuid, pupilId: Uuid });

/** Under a school-wide grant: the pupils with records, by name. */
export const GrantPupils = Type.Object({
  school: Type.String(),
  reason: Type.String(),
  expiresAt: Time,
  pupils: Type.Array(
    Type.Object({
      id: Uuid,
      name: Type.String(),
      yearGroup: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
});
export type GrantPupils = Static<typeof GrantPupils>;

// ——— The school's side ———

export const TrustSharing = Type.Object({
  trust: Type.Union([Type.String(), Type.Null()]),
  sharing: Type.Boolean(),
  since: Type.Union([Time, Type.Null()]),
  allowed: Type.Object({ change: Type.Boolean() }),
});
export type TrustSharing = Static<typeof TrustSharing>;

export const SetTrustSharing = Type.Object(
  { sharing: Type.Boolean() },
  { additionalProperties: false },
);
export type SetTrustSharing = Static<typeof SetTrustSharing>;

export const NewTrustGrant = Type.Object(
  {
    memberId: Uuid,
    scope: Type.Union([Type.Literal('pupil'), Type.Literal('school')]),
    pupilId: Type.Optional(Uuid),
    reason: Type.String({ maxLength: TRUST_GRANT_REASON_MAX }),
    days: Type.Integer({ minimum: 1, maximum: 365 }),
  },
  { additionalProperties: false },
);
export type NewTrustGrant = Static<typeof NewTrustGrant>;

export const SchoolGrant = Type.Object({
  id: Uuid,
  member: Type.String(),
  scope: Type.Union([Type.Literal('pupil'), Type.Literal('school')]),
  pupil: Type.Union([Type.String(), Type.Null()]),
  reason: Type.String(),
  grantedBy: Type.String(),
  grantedAt: Time,
  expiresAt: Time,
  state: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]),
  allowed: Type.Object({ revoke: Type.Boolean() }),
});
export type SchoolGrant = Static<typeof SchoolGrant>;

export const SchoolGrants = Type.Object({
  trust: Type.Union([Type.String(), Type.Null()]),
  members: Type.Array(Type.Object({ id: Uuid, name: Type.String(), role: TrustRoleSchema })),
  items: Type.Array(SchoolGrant),
  maxDays: Type.Integer(),
});
export type SchoolGrants = Static<typeof SchoolGrants>;
