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

export const PackList = Type.Object({
  items: Type.Array(PackSummary),
  /** Whether this member may prepare a pack (the DSL team). */
  canPrepare: Type.Boolean(),
});
export type PackList = Static<typeof PackList>;

export const Pack = Type.Object({ ...PackSummary.properties, tables: Type.Array(PackTable) });
export type Pack = Static<typeof Pack>;

export const NewPack = Type.Object(
  { from: Type.Optional(Day), to: Type.Optional(Day) },
  { additionalProperties: false },
);
export type NewPack = Static<typeof NewPack>;
