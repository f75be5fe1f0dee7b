// Concerns about adults (issue 19): the routes' request and response schemas and their
// vocabularies, shared with the web app. KCSIE Part 4: low-level concerns and allegations about
// staff, supply and agency workers, volunteers, contractors and governors.
import { Type, type Static } from 'typebox';
import { Uuid } from './common.ts';

const lit = <T extends string>(xs: readonly T[]) =>
  Type.Unsafe<T>(Type.Union(xs.map((x) => Type.Literal(x))));
const CalendarDate = Type.String({ format: 'date' });

export const SUBJECT_KINDS = [
  'staff',
  'supply',
  'agency',
  'volunteer',
  'contractor',
  'governor',
] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

/** The case manager's team a matter goes to: the headteacher, or about them the chair. */
export const ROUTES = ['headteacher', 'chair'] as const;
export type RoutedTo = (typeof ROUTES)[number];

export const CLASSIFICATIONS = ['low_level', 'possibly_meets_threshold', 'not_a_concern'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/** KCSIE's five outcomes of an allegation, exactly. */
export const OUTCOMES = [
  'substantiated',
  'false',
  'malicious',
  'unsubstantiated',
  'unfounded',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const MATTER_ACTIONS = [
  'triage',
  'record_lado',
  'record_outcome',
  'record_copy',
  'link_pupil',
  'record_leaving',
] as const;
export type MatterAction = (typeof MATTER_ACTIONS)[number];

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });

/** A colleague the raiser may name, and whom the concern would go to. */
export const StaffChoice = Type.Object({ id: Uuid, name: Type.String(), routesTo: lit(ROUTES) });
export const StaffChoices = Type.Object({ items: Type.Array(StaffChoice) });
export type StaffChoices = Static<typeof StaffChoices>;

/**
 * A new concern. `subjectUserId` for a member of staff; `subjectName` for anyone else (and
 * `agency` for a supply or agency worker). Which belongs to which kind is checked by the server,
 * so the message says what is missing.
 */
export const NewStaffConcern = Type.Object(
  {
    subjectKind: lit(SUBJECT_KINDS),
    subjectUserId: Type.Optional(Uuid),
    subjectName: Type.Optional(Text(200)),
    agency: Type.Optional(Text(200)),
    whatHappened: Text(20_000),
    withholdName: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type NewStaffConcern = Static<typeof NewStaffConcern>;

/** What the person who raised it sees, then and afterwards: no content, no progress. */
export const Receipt = Type.Object({
  id: Uuid,
  raisedAt: Type.String(),
  routedTo: lit(ROUTES),
});
export type Receipt = Static<typeof Receipt>;
export const ReceiptList = Type.Object({ items: Type.Array(Receipt) });
export type ReceiptList = Static<typeof ReceiptList>;

export const LadoClock = Type.Object({
  dueAt: Type.String(),
  overdue: Type.Boolean(),
  /** True once a LADO contact is recorded. */
  met: Type.Boolean(),
});

export const MatterSummary = Type.Object({
  id: Uuid,
  raisedAt: Type.String(),
  subjectKind: lit(SUBJECT_KINDS),
  subjectName: Type.String(),
  routedTo: lit(ROUTES),
  classification: Type.Union([lit(CLASSIFICATIONS), Type.Null()]),
  outcome: Type.Union([lit(OUTCOMES), Type.Null()]),
  lado: Type.Union([LadoClock, Type.Null()]),
  /** A low-level concern's theme, from the school's list. */
  theme: Type.Union([Type.String(), Type.Null()]),
  allowed: Type.Array(lit(MATTER_ACTIONS)),
});
export type MatterSummary = Static<typeof MatterSummary>;

export const MatterList = Type.Object({
  items: Type.Array(MatterSummary),
  /** Malicious allegations removed from members' files: an anonymised count. */
  removedAsMalicious: Type.Integer(),
});
export type MatterList = Static<typeof MatterList>;

export const LadoContact = Type.Object({
  id: Uuid,
  officer: Type.String(),
  contactedAt: Type.String(),
  advice: Type.String(),
  reference: Type.Union([Type.String(), Type.Null()]),
  strategyMeetingOn: Type.Union([Type.String(), Type.Null()]),
  policeInvolved: Type.Boolean(),
  socialCareInvolved: Type.Boolean(),
  suspension: Type.Union([Type.String(), Type.Null()]),
  reviewOn: Type.Union([Type.String(), Type.Null()]),
  recordedAt: Type.String(),
});
export type LadoContact = Static<typeof LadoContact>;

export const Task = Type.Object({
  id: Uuid,
  kind: lit(['inform_agency'] as const),
  dueOn: Type.String(),
  done: Type.Boolean(),
});

export const Matter = Type.Object({
  ...MatterSummary.properties,
  raisedBy: Type.String(),
  withholdName: Type.Boolean(),
  agency: Type.Union([Type.String(), Type.Null()]),
  whatHappened: Type.String(),
  rationale: Type.Union([Type.String(), Type.Null()]),
  triagedAt: Type.Union([Type.String(), Type.Null()]),
  copyGivenOn: Type.Union([Type.String(), Type.Null()]),
  ladoContacts: Type.Array(LadoContact),
  tasks: Type.Array(Task),
  /**
   * Pupils the case manager linked to the matter, each with whether the reader may open the
   * pupil's own page (the chair, say, may not: the name is then shown without a link).
   */
  pupils: Type.Array(Type.Object({ id: Uuid, name: Type.String(), canOpen: Type.Boolean() })),
  /** When the person left, as a case manager recorded it (the MIS's date counts too). */
  subjectLeftOn: Type.Union([CalendarDate, Type.Null()]),
  /** The retention rule the record is kept under now (shared/retention.ts), if decided. */
  retention: Type.Union([
    Type.Object({
      kind: Type.String(),
      /** When the rule's date falls, if Lantern knows every fact it counts from. */
      dueOn: Type.Union([Type.String(), Type.Null()]),
      /** In words: what the rule keeps and until when. */
      rule: Type.String(),
    }),
    Type.Null(),
  ]),
});
export type Matter = Static<typeof Matter>;

export const Triage = Type.Object(
  {
    classification: lit(CLASSIFICATIONS),
    rationale: Text(5000),
    /** A low-level concern's theme, from the school's list (checked by the server). */
    theme: Type.Optional(Text(60)),
  },
  { additionalProperties: false },
);
export type Triage = Static<typeof Triage>;

export const NewLadoContact = Type.Object(
  {
    officer: Text(200),
    contactedAt: Type.String({ format: 'date-time' }),
    advice: Text(10_000),
    reference: Type.Optional(Text(200)),
    strategyMeetingOn: Type.Optional(CalendarDate),
    policeInvolved: Type.Optional(Type.Boolean()),
    socialCareInvolved: Type.Optional(Type.Boolean()),
    suspension: Type.Optional(Text(2000)),
    reviewOn: Type.Optional(CalendarDate),
  },
  { additionalProperties: false },
);
export type NewLadoContact = Static<typeof NewLadoContact>;

/** The outcome is checked by the server against the five, so the refusal names them. */
export const RecordOutcome = Type.Object(
  { outcome: Type.String({ minLength: 1, maxLength: 40 }) },
  { additionalProperties: false },
);
export type RecordOutcome = Static<typeof RecordOutcome>;

export const CopyGiven = Type.Object({ givenOn: CalendarDate }, { additionalProperties: false });
export type CopyGiven = Static<typeof CopyGiven>;

/** When the person the matter is about left (the low-level rule counts from it). */
export const RecordLeaving = Type.Object({ leftOn: CalendarDate }, { additionalProperties: false });
export type RecordLeaving = Static<typeof RecordLeaving>;

export const AuditEntry = Type.Object({
  at: Type.String(),
  actor: Type.String(),
  action: Type.String(),
  matterId: Type.Union([Uuid, Type.Null()]),
  /** The matter was destroyed under its retention rule: its page no longer exists. */
  destroyed: Type.Boolean(),
});
export const AuditList = Type.Object({ items: Type.Array(AuditEntry) });
export type AuditList = Static<typeof AuditList>;

/** The school's settings for this area (issue 19): the LADO clock's time, the review's thresholds. */
export const StaffConcernSettings = Type.Object({
  ladoDueTime: Type.String(),
  timeZone: Type.String(),
  patternCount: Type.Integer(),
  patternSameTheme: Type.Integer(),
  /** The school's themes for low-level concerns. */
  themes: Type.Array(Type.String()),
  /** Hours before the LADO deadline at which the case manager is warned (1 to 24). */
  ladoWarnHours: Type.Integer(),
});
export type StaffConcernSettings = Static<typeof StaffConcernSettings>;

export const StaffConcernSettingsPatch = Type.Object(
  {
    ladoDueTime: Type.Optional(Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' })),
    patternCount: Type.Optional(Type.Integer({ minimum: 2, maximum: 20 })),
    patternSameTheme: Type.Optional(Type.Integer({ minimum: 2, maximum: 20 })),
    themes: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 60 }), { minItems: 1, maxItems: 30 }),
    ),
    /** Checked by the server (1 to 24), so the refusal says what is allowed. */
    ladoWarnHours: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type StaffConcernSettingsPatch = Static<typeof StaffConcernSettingsPatch>;

/** The patterns review: low-level concerns per member of staff over 12 rolling months. */
export const PatternRow = Type.Object({
  subjectUserId: Uuid,
  subjectName: Type.String(),
  count: Type.Integer(),
  /** At or over the school's threshold: the case manager should reconsider the threshold. */
  reconsider: Type.Boolean(),
  /** Why: the count reached the threshold, or enough of them share a theme (named). */
  reason: Type.Union([lit(['count', 'same_theme'] as const), Type.Null()]),
  sameTheme: Type.Union([Type.String(), Type.Null()]),
});
/** A theme and how many low-level concerns had it: no names (a code-of-conduct review). */
export const ThemeCount = Type.Object({ theme: Type.String(), count: Type.Integer() });
export const PatternReview = Type.Object({
  since: Type.String(),
  threshold: Type.Integer(),
  sameThemeThreshold: Type.Integer(),
  items: Type.Array(PatternRow),
  themeCounts: Type.Array(ThemeCount),
});
export type PatternReview = Static<typeof PatternReview>;

export const LinkPupil = Type.Object({ pupilId: Uuid }, { additionalProperties: false });
export type LinkPupil = Static<typeof LinkPupil>;

/** What a pupil's chronology shows a reader of a matter linked to them: nothing but the link. */
export const StaffMatterMarker = Type.Object({ matterId: Uuid });
export const StaffMatterMarkers = Type.Object({ items: Type.Array(StaffMatterMarker) });
export type StaffMatterMarkers = Static<typeof StaffMatterMarkers>;

/** A reference pack: the substantiated matters about one member, and nothing else (KCSIE). */
export const ReferencePackQuery = Type.Object({ userId: Uuid }, { additionalProperties: false });
/**
 * Whom the reader may make a pack about: every member but the reader, leavers too (a reference
 * is most often asked for after someone has left), each marked `left` when their account is
 * disabled.
 */
export const ReferencePackMembers = Type.Object({
  items: Type.Array(Type.Object({ id: Uuid, name: Type.String(), left: Type.Boolean() })),
});
export type ReferencePackMembers = Static<typeof ReferencePackMembers>;
export const ReferencePack = Type.Object({
  subjectName: Type.String(),
  madeAt: Type.String(),
  /**
   * The case-manager teams whose matters the pack covers (the reader's own): a matter routed to
   * another team (about the headteacher, to the chair) is never in it, and the pack says so.
   */
  covers: Type.Array(lit(ROUTES)),
  items: Type.Array(
    Type.Object({
      id: Uuid,
      raisedAt: Type.String(),
      whatHappened: Type.String(),
      outcomeAt: Type.String(),
    }),
  ),
});
export type ReferencePack = Static<typeof ReferencePack>;

/** Finding a pupil to link: the typed part of a name travels in the body, never in a URL. */
export const LinkPupilSearch = Type.Object(
  { q: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);
export type LinkPupilSearch = Static<typeof LinkPupilSearch>;

/** What a case manager may do with a matter due for its retention decision. */
export const STAFF_REVIEW_ACTIONS = ['approve', 'destroy', 'keep'] as const;

/**
 * The area's retention review: the matters whose date under the school's three staff rules has
 * passed (marked each night), with the approvals given so far; and what is left of those
 * destroyed (when, by whom, under which rule), newest first.
 */
export const StaffRetentionReview = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Uuid,
      matterId: Uuid,
      subjectName: Type.String(),
      subjectKind: lit(SUBJECT_KINDS),
      raisedAt: Type.String(),
      classification: Type.Union([lit(CLASSIFICATIONS), Type.Null()]),
      outcome: Type.Union([lit(OUTCOMES), Type.Null()]),
      kind: Type.String(),
      /** The rule in words. */
      rule: Type.String(),
      dueOn: CalendarDate,
      approvals: Type.Array(Type.Object({ name: Type.String(), at: Type.String() })),
      allowed: Type.Array(lit(STAFF_REVIEW_ACTIONS)),
    }),
  ),
  destroyed: Type.Array(
    Type.Object({
      matterId: Uuid,
      destroyedAt: Type.String(),
      destroyedBy: Type.String(),
      kind: Type.String(),
      /** The rule as the school had it: what it counted from, and how many years. */
      rule: Type.String(),
      dueOn: CalendarDate,
    }),
  ),
});
export type StaffRetentionReview = Static<typeof StaffRetentionReview>;

export const KeepMatter = Type.Object(
  {
    reason: Type.String({ maxLength: 2000 }),
    /** The new review date: after today, within 100 years. */
    until: CalendarDate,
  },
  { additionalProperties: false },
);
export type KeepMatter = Static<typeof KeepMatter>;

export const ApprovedDestruction = Type.Object({
  /** True when this approval was the second, and the matter is destroyed. */
  destroyed: Type.Boolean(),
});
export type ApprovedDestruction = Static<typeof ApprovedDestruction>;
