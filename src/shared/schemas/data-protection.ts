// The data-protection routes' request and response schemas (issue 17): the register of rights
// requests on the ICO's clock, the breach register on the 72-hour clock, and complaints. Dates on a
// statutory clock are calendar dates ('YYYY-MM-DD'); moments (became aware) are instants.
import { Type, type Static } from 'typebox';
import { Uuid } from './common.ts';

const lit = <T extends string>(xs: readonly T[]) =>
  Type.Unsafe<T>(Type.Union(xs.map((x) => Type.Literal(x))));
const CalendarDate = Type.String({ format: 'date' });
const Text = (max = 4000) => Type.String({ minLength: 1, maxLength: max });
const OrNull = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

// --- Rights requests ---

export const REQUEST_KINDS = [
  'subject_access',
  'educational_record',
  'rectification',
  'erasure',
  'restriction',
  'objection',
  'portability',
] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];
export const RELATIONSHIPS = ['self', 'parent', 'carer', 'representative', 'other'] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];
export const CHANNELS = [
  'letter',
  'email',
  'in_person',
  'phone',
  'web_form',
  'social_media',
  'other',
] as const;
export const REQUEST_STATUSES = ['open', 'released', 'completed', 'refused', 'withdrawn'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
/** How a request ends: `released` is the only one that sends a child's data out. */
export const REQUEST_OUTCOMES = ['released', 'completed', 'refused', 'withdrawn'] as const;
export type RequestOutcome = (typeof REQUEST_OUTCOMES)[number];
export const REQUEST_ACTIONS = [
  'edit',
  'extend',
  'child_voice',
  'dsl_review',
  'release',
  'close',
] as const;
export type RequestAction = (typeof REQUEST_ACTIONS)[number];

/** Where the clock stands: running to a due date, paused, or waiting for the school's term dates. */
export const CLOCK_STATES = ['running', 'paused_clarification', 'needs_term_dates'] as const;
export type ClockState = (typeof CLOCK_STATES)[number];

export const NewRequest = Type.Object(
  {
    kind: lit(REQUEST_KINDS),
    requester: Text(500),
    requesterContactId: Type.Optional(Uuid),
    relationship: lit(RELATIONSHIPS),
    parentalResponsibility: Type.Optional(Text(2000)),
    channel: lit(CHANNELS),
    receivedOn: CalendarDate,
    identityVerifiedOn: Type.Optional(CalendarDate),
    subjects: Type.Array(Uuid, { minItems: 1, maxItems: 20, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export type NewRequest = Static<typeof NewRequest>;

/** The dates that move the clock; null clears one entered by mistake. */
export const RequestDates = Type.Object(
  {
    identityVerifiedOn: Type.Optional(OrNull(CalendarDate)),
    clarificationAskedOn: Type.Optional(OrNull(CalendarDate)),
    clarificationReceivedOn: Type.Optional(OrNull(CalendarDate)),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type RequestDates = Static<typeof RequestDates>;

export const ExtendRequest = Type.Object(
  {
    months: Type.Integer({ minimum: 1, maximum: 2 }),
    reason: Text(2000),
    notice: Text(8000),
  },
  { additionalProperties: false },
);
export type ExtendRequest = Static<typeof ExtendRequest>;

export const ChildVoice = Type.Object(
  { competence: Text(4000), views: Text(4000) },
  { additionalProperties: false },
);
export type ChildVoice = Static<typeof ChildVoice>;

export const CloseRequest = Type.Object(
  { outcome: lit(REQUEST_OUTCOMES), note: Text(8000) },
  { additionalProperties: false },
);
export type CloseRequest = Static<typeof CloseRequest>;

const Named = Type.Object({ id: Uuid, name: Type.String() });

export const RequestSummary = Type.Object({
  id: Uuid,
  kind: lit(REQUEST_KINDS),
  requester: Type.String(),
  subjects: Type.Array(Named),
  receivedOn: Type.String(),
  clock: lit(CLOCK_STATES),
  /** The date the answer is due (the extended date once extended); null while paused. */
  dueOn: OrNull(Type.String()),
  overdue: Type.Boolean(),
  status: lit(REQUEST_STATUSES),
});
export type RequestSummary = Static<typeof RequestSummary>;

export const RequestList = Type.Object({
  items: Type.Array(RequestSummary),
  allowed: Type.Array(lit(['record'] as const)),
});
export type RequestList = Static<typeof RequestList>;

export const RequestListQuery = Type.Object({ closed: Type.Optional(Type.Boolean()) });

export const RequestDetail = Type.Object({
  ...RequestSummary.properties,
  requesterContactId: OrNull(Uuid),
  relationship: lit(RELATIONSHIPS),
  parentalResponsibility: OrNull(Type.String()),
  channel: lit(CHANNELS),
  identityVerifiedOn: OrNull(Type.String()),
  clarificationAskedOn: OrNull(Type.String()),
  clarificationReceivedOn: OrNull(Type.String()),
  /** The first due date, before any extension: an extension must be made by then. */
  originalDueOn: OrNull(Type.String()),
  extension: OrNull(
    Type.Object({
      to: Type.String(),
      reason: Type.String(),
      notice: Type.String(),
      at: Type.String(),
      by: Type.String(),
    }),
  ),
  childVoice: OrNull(
    Type.Object({
      competence: Type.String(),
      views: Type.String(),
      at: Type.String(),
      by: Type.String(),
    }),
  ),
  /** A subject is 12 or over and a parent or carer asks: the child's voice before release. */
  childVoiceNeeded: Type.Boolean(),
  /** The requester is under a restriction (a court order) for a subject: the DSL reviews first. */
  restrictedRequester: Type.Boolean(),
  dslReview: OrNull(Type.Object({ at: Type.String(), by: Type.String() })),
  outcome: OrNull(Type.String()),
  closedOn: OrNull(Type.String()),
  allowed: Type.Array(lit(REQUEST_ACTIONS)),
});
export type RequestDetail = Static<typeof RequestDetail>;
