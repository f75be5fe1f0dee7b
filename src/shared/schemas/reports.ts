// Reports (issue 20): figures about the school's safeguarding work, each with a written definition
// of what it counts. Every figure is a table (rows of a label and numbers, with the columns named)
// so the page draws its chart from the same numbers it shows in the table beside it, and the CSV
// and PDF are the same tables. Aggregates only: no names, no record text.
import { Type, type Static } from 'typebox';

/** A calendar day in England, both ends of a range included. */
const Day = Type.String({ format: 'date' });

export const ReportQuery = Type.Object(
  { from: Type.Optional(Day), to: Type.Optional(Day) },
  { additionalProperties: false },
);
export type ReportQuery = Static<typeof ReportQuery>;

/** The longest range a report covers: a little over two school years. */
export const REPORT_MAX_DAYS = 800;

export const CHARTS = ['bar', 'line', 'none'] as const;
export type ChartKind = (typeof CHARTS)[number];

export const ReportTable = Type.Object({
  id: Type.String(),
  title: Type.String(),
  /** What is counted: the unit, the date it goes by, the range's ends, double counting. */
  definition: Type.String(),
  chart: Type.Unsafe<ChartKind>(Type.Union(CHARTS.map((c) => Type.Literal(c)))),
  /** The first column names the rows ("Category"); the rest name the numbers. */
  columns: Type.Array(Type.String(), { minItems: 2 }),
  rows: Type.Array(
    Type.Object({
      label: Type.String(),
      values: Type.Array(Type.Union([Type.Number(), Type.Null()])),
    }),
  ),
  /** A closing row that is not charted ("All records"), when the rows do not simply add up. */
  total: Type.Optional(
    Type.Object({
      label: Type.String(),
      values: Type.Array(Type.Union([Type.Number(), Type.Null()])),
    }),
  ),
});
export type ReportTable = Static<typeof ReportTable>;

export const Report = Type.Object({
  from: Day,
  to: Day,
  generatedAt: Type.String({ format: 'date-time' }),
  tables: Type.Array(ReportTable),
  /** Figures this member is not shown, and why (they need the DSL team's case work). */
  withheld: Type.Array(Type.String()),
  /** What this member may do from the page: prepare the inspection pack (the DSL team's). */
  allowed: Type.Optional(Type.Array(Type.Literal('inspection_pack'))),
});
export type Report = Static<typeof Report>;

/** A count from 1 to 4, hidden in the governors' pack. */
export const SUPPRESSED_CELL = '<5';
/** A count of 5 or more hidden so that a "<5" cannot be worked out from a total. */
export const SECONDARY_CELL = '[c]';
const PackCell = Type.Union([
  Type.Number(),
  Type.Literal(SUPPRESSED_CELL),
  Type.Literal(SECONDARY_CELL),
  Type.Null(),
]);
const PackLine = Type.Object({ label: Type.String(), values: Type.Array(PackCell) });

export const PackTable = Type.Object({
  id: Type.String(),
  title: Type.String(),
  definition: Type.String(),
  columns: Type.Array(Type.String(), { minItems: 2 }),
  rows: Type.Array(PackLine),
  total: Type.Optional(PackLine),
});
export type PackTable = Static<typeof PackTable>;

export const PackSummary = Type.Object({
  id: Type.String({ format: 'uuid' }),
  version: Type.Integer({ minimum: 1 }),
  from: Day,
  to: Day,
  preparedBy: Type.String(),
  preparedAt: Type.String({ format: 'date-time' }),
  releasedBy: Type.Union([Type.String(), Type.Null()]),
  releasedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** SHA-256 of the pack's tables as stored: the PDF prints it, so a copy can be checked. */
  sha256: Type.String(),
  allowed: Type.Object({ release: Type.Boolean(), download: Type.Boolean() }),
});
export type PackSummary = Static<typeof PackSummary>;

/** A whole fixed period a governors' pack may cover (pack-periods.ts). */
export const PackPeriod = Type.Object({
  kind: Type.Union([Type.Literal('term'), Type.Literal('academic_year'), Type.Literal('month')]),
  label: Type.String(),
  from: Day,
  to: Day,
});
export type PackPeriod = Static<typeof PackPeriod>;

export const PackList = Type.Object({
  items: Type.Array(PackSummary),
  /** Whether this member may prepare a pack (the DSL team). */
  canPrepare: Type.Boolean(),
  /** The periods a pack may be prepared for (to the DSL team; empty to anyone else). */
  periods: Type.Array(PackPeriod),
});
export type PackList = Static<typeof PackList>;

export const Pack = Type.Object({ ...PackSummary.properties, tables: Type.Array(PackTable) });
export type Pack = Static<typeof Pack>;

export const NewPack = Type.Object(
  { from: Type.Optional(Day), to: Type.Optional(Day) },
  { additionalProperties: false },
);
export type NewPack = Static<typeof NewPack>;

// --- The inspection pack (issue 20): for the DSL team, on demand ---

/** Someone the pack names: a reference always; the name only on screen, to the DSL team. */
const Named = Type.Object({ ref: Type.String(), name: Type.String() });

export const InspectionQuery = Type.Object(
  {
    from: Type.Optional(Day),
    to: Type.Optional(Day),
    /** Which sample: the screen's seed, so its PDF holds the same decisions. */
    sample: Type.Optional(Type.String({ pattern: '^[a-z0-9]{8,32}$' })),
  },
  { additionalProperties: false },
);
export type InspectionQuery = Static<typeof InspectionQuery>;

/** How many decisions the sample holds at most. */
export const INSPECTION_SAMPLE = 20;

export const InspectionDecision = Type.Object({
  ref: Type.String(),
  kind: Type.Union([
    Type.Literal('triage'),
    Type.Literal('case_closed'),
    Type.Literal('case_no_further_action'),
    Type.Literal('referral'),
  ]),
  at: Type.String({ format: 'date-time' }),
  /** What was decided, in words ("Triaged: high risk", "Referred to Children's services"). */
  decision: Type.String(),
  /** The reason or rationale as recorded; null when none was asked for (a referral). */
  rationale: Type.Union([Type.String(), Type.Null()]),
  /** A case's outcome as recorded, when it has one. */
  outcome: Type.Union([Type.String(), Type.Null()]),
  pupils: Type.Array(Named),
  decidedBy: Named,
});
export type InspectionDecision = Static<typeof InspectionDecision>;

export const PolicyVersion = Type.Object({
  name: Type.String(),
  /** The number of recorded changes up to the end of the range (0: as Lantern set it up). */
  version: Type.Integer({ minimum: 0 }),
  changedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  changedBy: Type.Union([Named, Type.Null()]),
  /** The audit entry of the change, for checking against the trail. */
  entry: Type.Union([Type.Integer(), Type.Null()]),
});
export type PolicyVersion = Static<typeof PolicyVersion>;

export const InspectionPack = Type.Object({
  from: Day,
  to: Day,
  generatedAt: Type.String({ format: 'date-time' }),
  sample: Type.String(),
  /** Every decision recorded in the range, of which `decisions` is a sample. */
  decisionsInRange: Type.Integer({ minimum: 0 }),
  decisions: Type.Array(InspectionDecision),
  /** Lantern keeps no policy documents; this says so, and what it does keep. */
  policyNote: Type.String(),
  policies: Type.Array(PolicyVersion),
  /** Referral timeliness, alert acknowledgement and the transfer clock, with definitions. */
  timeliness: Type.Array(ReportTable),
});
export type InspectionPack = Static<typeof InspectionPack>;
