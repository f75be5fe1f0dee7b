// Medical and care profiles (issue 21, part M): the request and response schemas shared by the
// server and the web app. Content is free text a parent or a member of staff writes; the limits
// are here so both sides refuse the same.
import { Type, type Static } from 'typebox';

const Str = (max: number) => Type.String({ minLength: 1, maxLength: max });
const Nullable = <T extends ReturnType<typeof Type.String>>(s: T) => Type.Union([s, Type.Null()]);

export const MEDICAL_KINDS = ['condition', 'medication', 'allergy', 'dietary'] as const;
export type MedicalKind = (typeof MEDICAL_KINDS)[number];
export const RISK_LEVELS = ['low', 'medium', 'high'] as const;
export const SEVERITIES = ['mild', 'moderate', 'severe', 'anaphylaxis'] as const;
export const PLAN_KINDS = ['healthcare_plan', 'action_plan'] as const;
/** A plan document's largest size (the JSON body carries it in base64). */
export const PLAN_MAX_BYTES = 2 * 1024 * 1024;

const lit = <T extends string>(xs: readonly T[]) =>
  Type.Unsafe<T>(Type.Union(xs.map((x) => Type.Literal(x))));

/** One item's content. Which fields a kind needs is checked by the server (medical/rules.ts). */
export const EntryContent = Type.Object(
  {
    name: Str(200),
    riskLevel: Type.Optional(lit(RISK_LEVELS)),
    severity: Type.Optional(lit(SEVERITIES)),
    dose: Type.Optional(Str(200)),
    when: Type.Optional(Str(200)),
    administeredBy: Type.Optional(Str(200)),
    details: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type EntryContent = Static<typeof EntryContent>;

/** A new item (no entryKey), a new version of one (entryKey), or its removal. */
export const ProposeEntry = Type.Object(
  {
    kind: lit(MEDICAL_KINDS),
    entryKey: Type.Optional(Type.String({ format: 'uuid' })),
    content: Type.Optional(EntryContent),
    removal: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ProposeEntry = Static<typeof ProposeEntry>;

export const CHANGE_STATES = [
  'current',
  'awaiting_parent',
  'awaiting_staff',
  'superseded',
  'declined',
] as const;
export type ChangeState = (typeof CHANGE_STATES)[number];
export const CHANGE_ACTIONS = ['confirm', 'acknowledge', 'decline'] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

export const EntryVersion = Type.Object({
  id: Type.String(),
  content: Type.Union([EntryContent, Type.Null()]),
  removal: Type.Boolean(),
  proposedBy: lit(['staff', 'parent'] as const),
  proposedAt: Type.String(),
  parentConfirmedAt: Nullable(Type.String()),
  staffAcknowledgedAt: Nullable(Type.String()),
  state: lit(CHANGE_STATES),
  allowed: Type.Array(lit(CHANGE_ACTIONS)),
});
export type EntryVersion = Static<typeof EntryVersion>;

/** One item with its current (confirmed) version, changes waiting, and what came before. */
export const MedicalItem = Type.Object({
  entryKey: Type.String(),
  kind: lit(MEDICAL_KINDS),
  current: Type.Union([EntryVersion, Type.Null()]),
  pending: Type.Array(EntryVersion),
  history: Type.Array(EntryVersion),
});
export type MedicalItem = Static<typeof MedicalItem>;

export const Plan = Type.Object({
  id: Type.String(),
  kind: lit(PLAN_KINDS),
  title: Type.String(),
  fileName: Type.String(),
  mime: Type.String(),
  sizeBytes: Type.Integer(),
  expiresOn: Type.String(),
  proposedBy: lit(['staff', 'parent'] as const),
  proposedAt: Type.String(),
  state: lit(CHANGE_STATES),
  replaces: Nullable(Type.String()),
  reviewDueOn: Nullable(Type.String()),
  allowed: Type.Array(lit(CHANGE_ACTIONS)),
});
export type Plan = Static<typeof Plan>;

export const MedicalProfile = Type.Object({
  pupil: Type.Object({ id: Type.String(), name: Type.String() }),
  items: Type.Array(MedicalItem),
  plans: Type.Array(Plan),
  /** Changes waiting for the viewer's side (a parent's confirmation, or staff acknowledgement). */
  waitingForYou: Type.Integer(),
});
export type MedicalProfile = Static<typeof MedicalProfile>;

export const NewPlan = Type.Object(
  {
    kind: lit(PLAN_KINDS),
    title: Str(200),
    expiresOn: Type.String({ format: 'date' }),
    fileName: Str(200),
    /** The document, base64. */
    content: Type.String({ minLength: 1, maxLength: Math.ceil(PLAN_MAX_BYTES / 3) * 4 + 4 }),
    replaces: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
);
export type NewPlan = Static<typeof NewPlan>;

export const PlanReview = Type.Object({
  id: Type.String(),
  planId: Type.String(),
  pupil: Type.Object({ id: Type.String(), name: Type.String() }),
  title: Type.String(),
  expiresOn: Type.String(),
  dueOn: Type.String(),
  doneAt: Nullable(Type.String()),
  overdue: Type.Boolean(),
});
export type PlanReview = Static<typeof PlanReview>;
export const PlanReviewList = Type.Object({ items: Type.Array(PlanReview) });
export type PlanReviewList = Static<typeof PlanReviewList>;

export const Changed = Type.Object({ id: Type.String(), state: lit(CHANGE_STATES) });
export type Changed = Static<typeof Changed>;

export const PupilQuery = Type.Object(
  { q: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);
export const PupilChoices = Type.Object({
  items: Type.Array(
    Type.Object({ id: Type.String(), name: Type.String(), yearGroup: Nullable(Type.String()) }),
  ),
});
export type PupilChoices = Static<typeof PupilChoices>;
