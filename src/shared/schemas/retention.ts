// The retention routes' request and response schemas (issue 15): the school's retention schedule
// and legal holds. Periods are checked by the server's rules (not here), so that a refused period
// is audited and its message says why (src/features/retention/schedule-service.ts).
import { Type, type Static } from 'typebox';
import { Uuid } from './common.ts';
import {
  HOLD_MATTERS,
  HOLD_SCOPES,
  RETENTION_ACTIONS,
  RETENTION_KINDS,
  RETENTION_TRIGGERS,
  TRANSFER_KEEPS,
} from '../retention.ts';

const lit = <T extends string>(xs: readonly T[]) =>
  Type.Unsafe<T>(Type.Union(xs.map((x) => Type.Literal(x))));
const CalendarDate = Type.String({ format: 'date' });
const Reason = Type.String({ minLength: 1, maxLength: 2000 });

export const RetentionKindParams = Type.Object({ kind: lit(RETENTION_KINDS) });

export const RetentionRule = Type.Object({
  kind: lit(RETENTION_KINDS),
  trigger: lit(RETENTION_TRIGGERS),
  years: Type.Integer(),
  action: lit(RETENTION_ACTIONS),
  transferKeeps: Type.Union([lit(TRANSFER_KEEPS), Type.Null()]),
  /** False for a rule the law fixes (a malicious allegation leaves only an anonymised count). */
  schoolSet: Type.Boolean(),
  minYears: Type.Integer(),
  defaultYears: Type.Integer(),
  defaultAction: lit(RETENTION_ACTIONS),
  /** When the school last changed it; null while it follows the seeded schedule. */
  updatedAt: Type.Union([Type.String(), Type.Null()]),
});
export type RetentionRule = Static<typeof RetentionRule>;

export const RetentionSchedule = Type.Object({
  rules: Type.Array(RetentionRule),
  allowed: Type.Array(lit(['edit'] as const)),
});
export type RetentionSchedule = Static<typeof RetentionSchedule>;

/** A change to one rule. `years` is bounded by the rules, not the schema (see above). */
export const RetentionRulePatch = Type.Object(
  {
    years: Type.Optional(Type.Integer()),
    action: Type.Optional(lit(RETENTION_ACTIONS)),
    transferKeeps: Type.Optional(lit(TRANSFER_KEEPS)),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type RetentionRulePatch = Static<typeof RetentionRulePatch>;

const Named = Type.Object({ id: Uuid, name: Type.String() });

export const Hold = Type.Object({
  id: Uuid,
  scope: lit(HOLD_SCOPES),
  pupil: Type.Union([Named, Type.Null()]),
  category: Type.Union([Named, Type.Null()]),
  concernId: Type.Union([Uuid, Type.Null()]),
  fromDate: Type.Union([Type.String(), Type.Null()]),
  toDate: Type.Union([Type.String(), Type.Null()]),
  matter: lit(HOLD_MATTERS),
  reason: Type.String(),
  /** The hold every sexual-abuse category is under by default; only the DPO lifts it. */
  standing: Type.Boolean(),
  /** Null for a standing hold (Lantern placed it). */
  placedBy: Type.Union([Named, Type.Null()]),
  placedAt: Type.String(),
  liftedBy: Type.Union([Named, Type.Null()]),
  liftedAt: Type.Union([Type.String(), Type.Null()]),
  liftReason: Type.Union([Type.String(), Type.Null()]),
  allowed: Type.Array(lit(['lift'] as const)),
});
export type Hold = Static<typeof Hold>;

export const HoldList = Type.Object({
  items: Type.Array(Hold),
  allowed: Type.Array(lit(['place'] as const)),
});
export type HoldList = Static<typeof HoldList>;

export const HoldListQuery = Type.Object({ lifted: Type.Optional(Type.Boolean()) });

export const NewHold = Type.Object(
  {
    scope: lit(HOLD_SCOPES),
    pupilId: Type.Optional(Uuid),
    categoryId: Type.Optional(Uuid),
    concernId: Type.Optional(Uuid),
    fromDate: Type.Optional(CalendarDate),
    toDate: Type.Optional(CalendarDate),
    matter: lit(HOLD_MATTERS),
    reason: Reason,
  },
  { additionalProperties: false },
);
export type NewHold = Static<typeof NewHold>;

export const LiftHold = Type.Object({ reason: Reason }, { additionalProperties: false });
export type LiftHold = Static<typeof LiftHold>;

// --- The review queue ---

export const REVIEW_STATUSES = ['pending', 'approved', 'kept', 'held', 'destroyed'] as const;
export const APPROVAL_CAPACITIES = ['dsl_team', 'headteacher', 'dpo'] as const;
export const REVIEW_ACTIONS = ['approve', 'destroy', 'keep', 'hold'] as const;

/** A hold on a record, as a screen offering its disposal must show it. */
export const HoldShown = Type.Object({
  holdId: Uuid,
  matter: lit(HOLD_MATTERS),
  /** Who placed it; null for a standing hold (Lantern placed it). */
  placedBy: Type.Union([Type.String(), Type.Null()]),
});

export const Review = Type.Object({
  id: Uuid,
  concernId: Uuid,
  kind: lit(RETENTION_KINDS),
  action: lit(RETENTION_ACTIONS),
  dueOn: Type.String(),
  status: lit(REVIEW_STATUSES),
  /** When the record was about (its date), its pupils and categories: no record content. */
  happenedOn: Type.String(),
  pupils: Type.Array(Type.String()),
  categories: Type.Array(Type.String()),
  holds: Type.Array(HoldShown),
  approvals: Type.Array(
    Type.Object({ name: Type.String(), capacity: lit(APPROVAL_CAPACITIES), at: Type.String() }),
  ),
  allowed: Type.Array(lit(REVIEW_ACTIONS)),
});
export type Review = Static<typeof Review>;

export const ReviewList = Type.Object({ items: Type.Array(Review) });
export type ReviewList = Static<typeof ReviewList>;

/** The reason is checked by the rules (refused and audited when missing), not the schema. */
export const KeepReview = Type.Object(
  { until: CalendarDate, reason: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);
export type KeepReview = Static<typeof KeepReview>;

export const HoldReview = Type.Object(
  { matter: lit(HOLD_MATTERS), reason: Reason },
  { additionalProperties: false },
);
export type HoldReview = Static<typeof HoldReview>;

// --- Destruction and certificates of destruction ---

/** The most records one batch may destroy (one transaction, one certificate). */
export const MAX_DESTRUCTION_BATCH = 1000;

/** A batch of approved reviews to destroy, all or none. */
export const DestroyBatch = Type.Object(
  {
    reviews: Type.Array(Uuid, { minItems: 1, maxItems: MAX_DESTRUCTION_BATCH, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export type DestroyBatch = Static<typeof DestroyBatch>;

export const Destroyed = Type.Object({
  certificateId: Uuid,
  sha256: Type.String(),
  records: Type.Integer(),
});
export type Destroyed = Static<typeof Destroyed>;

/** A certificate as listed: who destroyed how many records when, and the batch's digest. */
export const CertificateSummary = Type.Object({
  id: Uuid,
  destroyedAt: Type.String(),
  destroyedBy: Type.String(),
  records: Type.Integer(),
  sha256: Type.String(),
});
export type CertificateSummary = Static<typeof CertificateSummary>;

export const CertificateList = Type.Object({ items: Type.Array(CertificateSummary) });
export type CertificateList = Static<typeof CertificateList>;
