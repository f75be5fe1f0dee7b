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

// --- Breaches (Article 33(5): every breach, reported or not) ---

export const BREACH_TYPES = ['confidentiality', 'integrity', 'availability'] as const;
export const BREACH_STATUSES = ['draft', 'open', 'closed'] as const;
export const BREACH_SOURCES = [
  'recorded',
  'audit_verify',
  'unusual_access',
  'transfer_revoked',
  'operator_incident',
] as const;
export const BREACH_RISKS = ['unlikely', 'risk', 'high_risk'] as const;
export const ICO_DECISIONS = ['report', 'not_report'] as const;
export const PEOPLE_DECISIONS = ['told', 'not_told'] as const;
export const OTHER_BODIES = ['dfe', 'police', 'local_authority', 'insurer', 'other'] as const;
export const BREACH_ACTIONS = ['edit', 'ico_update', 'close'] as const;
const Instant = Type.String({ format: 'date-time' });
const Count = Type.Integer({ minimum: 0, maximum: 10_000_000 });

/** The assessment, filled in as it is known; a late entry or report carries its reason. */
const BreachFields = {
  occurredFrom: Type.Optional(OrNull(Instant)),
  occurredTo: Type.Optional(OrNull(Instant)),
  types: Type.Optional(
    Type.Array(lit(BREACH_TYPES), { minItems: 1, maxItems: 3, uniqueItems: true }),
  ),
  dataDescription: Type.Optional(Text()),
  peopleApprox: Type.Optional(Count),
  recordsApprox: Type.Optional(Count),
  containment: Type.Optional(Text()),
  risk: Type.Optional(lit(BREACH_RISKS)),
  riskAssessment: Type.Optional(Text()),
  icoDecision: Type.Optional(lit(ICO_DECISIONS)),
  icoReasons: Type.Optional(Text()),
  icoReportedAt: Type.Optional(Instant),
  icoReference: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  peopleDecision: Type.Optional(lit(PEOPLE_DECISIONS)),
  peopleReasons: Type.Optional(Text()),
  otherBodies: Type.Optional(Type.Array(lit(OTHER_BODIES), { maxItems: 5, uniqueItems: true })),
  lateReason: Type.Optional(Text(2000)),
};

export const NewBreach = Type.Object(
  {
    /** Required: the 72 hours run from here. Checked by the rules, so the refusal says so. */
    becameAwareAt: Type.Optional(Instant),
    howAware: Text(),
    ...BreachFields,
  },
  { additionalProperties: false },
);
export type NewBreach = Static<typeof NewBreach>;

export const BreachPatch = Type.Object(BreachFields, {
  additionalProperties: false,
  minProperties: 1,
});
export type BreachPatch = Static<typeof BreachPatch>;

export const IcoUpdate = Type.Object(
  { sentOn: CalendarDate, summary: Text() },
  { additionalProperties: false },
);
export type IcoUpdate = Static<typeof IcoUpdate>;

export const CloseBreach = Type.Object({ lessons: Text() }, { additionalProperties: false });
export type CloseBreach = Static<typeof CloseBreach>;

export const BreachSummary = Type.Object({
  id: Uuid,
  status: lit(BREACH_STATUSES),
  source: lit(BREACH_SOURCES),
  becameAwareAt: Type.String(),
  /** 72 hours after the school became aware, weekends and holidays included. */
  icoDueAt: Type.String(),
  types: Type.Array(lit(BREACH_TYPES)),
  risk: OrNull(lit(BREACH_RISKS)),
  icoDecision: OrNull(lit(ICO_DECISIONS)),
  /** Past the 72 hours with no decision about telling the ICO. */
  overdue: Type.Boolean(),
});
export type BreachSummary = Static<typeof BreachSummary>;

export const BreachList = Type.Object({
  items: Type.Array(BreachSummary),
  allowed: Type.Array(lit(['record'] as const)),
});
export type BreachList = Static<typeof BreachList>;

export const BreachDetail = Type.Object({
  ...BreachSummary.properties,
  howAware: Type.String(),
  occurredFrom: OrNull(Type.String()),
  occurredTo: OrNull(Type.String()),
  dataDescription: OrNull(Type.String()),
  peopleApprox: OrNull(Type.Integer()),
  recordsApprox: OrNull(Type.Integer()),
  containment: OrNull(Type.String()),
  riskAssessment: OrNull(Type.String()),
  icoReasons: OrNull(Type.String()),
  icoReportedAt: OrNull(Type.String()),
  icoReference: OrNull(Type.String()),
  peopleDecision: OrNull(lit(PEOPLE_DECISIONS)),
  peopleReasons: OrNull(Type.String()),
  otherBodies: Type.Array(lit(OTHER_BODIES)),
  lateReason: OrNull(Type.String()),
  lessons: OrNull(Type.String()),
  closedAt: OrNull(Type.String()),
  recordedAt: Type.String(),
  updates: Type.Array(
    Type.Object({ phase: Type.Integer(), sentOn: Type.String(), summary: Type.String() }),
  ),
  allowed: Type.Array(lit(BREACH_ACTIONS)),
});
export type BreachDetail = Static<typeof BreachDetail>;

// --- Complaints (a public form; no account) ---

/** Leading zero bits the proof of work needs: a browser finds it in about a second. */
export const COMPLAINT_WORK_BITS = 14;

export const SchoolParams = Type.Object({ schoolId: Uuid });

export const ComplaintChallenge = Type.Object({
  /** Opaque, signed by the server, valid for a while and once. */
  challenge: Type.String(),
  /** Find `counter` so that SHA-256(challenge + ':' + counter) starts with this many zero bits. */
  bits: Type.Integer(),
});
export type ComplaintChallenge = Static<typeof ComplaintChallenge>;

export const NewComplaint = Type.Object(
  {
    challenge: Type.String({ minLength: 1, maxLength: 400 }),
    counter: Type.Integer({ minimum: 0, maximum: 2 ** 40 }),
    complainant: Text(300),
    contact: Text(300),
    details: Text(8000),
  },
  { additionalProperties: false },
);
export type NewComplaint = Static<typeof NewComplaint>;

export const ComplaintReceived = Type.Object({ acknowledgeBy: Type.String() });

export const Complaint = Type.Object({
  id: Uuid,
  receivedAt: Type.String(),
  complainant: Type.String(),
  contact: Type.String(),
  details: Type.String(),
  acknowledgeBy: Type.String(),
  acknowledgedOn: OrNull(Type.String()),
  response: OrNull(Type.String()),
  respondedOn: OrNull(Type.String()),
  overdue: Type.Boolean(),
  allowed: Type.Array(lit(['acknowledge', 'respond'] as const)),
});
export type Complaint = Static<typeof Complaint>;

export const ComplaintList = Type.Object({ items: Type.Array(Complaint) });
export type ComplaintList = Static<typeof ComplaintList>;

export const RespondToComplaint = Type.Object(
  { response: Text(8000) },
  { additionalProperties: false },
);
export type RespondToComplaint = Static<typeof RespondToComplaint>;
