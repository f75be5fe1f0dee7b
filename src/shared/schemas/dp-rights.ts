// The other rights (issue 17) — rectification, restriction, erasure, objection — and the
// data-protection pack generated from the live configuration: request and response schemas.
import { Type, type Static } from 'typebox';
import { Uuid } from './common.ts';

const lit = <T extends string>(xs: readonly T[]) =>
  Type.Unsafe<T>(Type.Union(xs.map((x) => Type.Literal(x))));
const Text = (max = 4000) => Type.String({ minLength: 1, maxLength: max });

// --- The other rights ---

export const ERASURE_DECISIONS = [
  'erase_by_retention',
  'refused_public_task',
  'refused_legal_obligation',
] as const;
export const OBJECTION_DECISIONS = ['objection_upheld', 'objection_not_upheld'] as const;
export const RIGHTS_DECISIONS = [...ERASURE_DECISIONS, ...OBJECTION_DECISIONS] as const;
export type RightsDecision = (typeof RIGHTS_DECISIONS)[number];
export const RIGHTS_ACTIONS = ['attach_statement', 'restrict', 'lift', 'decide'] as const;
export type RightsAction = (typeof RIGHTS_ACTIONS)[number];

export const AttachStatement = Type.Object(
  { concernId: Uuid, statement: Text(8000) },
  { additionalProperties: false },
);
export type AttachStatement = Static<typeof AttachStatement>;

export const RecordRef = Type.Object({ concernId: Uuid }, { additionalProperties: false });
export type RecordRef = Static<typeof RecordRef>;

export const DecideRight = Type.Object(
  { decision: lit(RIGHTS_DECISIONS), reasoning: Text(8000) },
  { additionalProperties: false },
);
export type DecideRight = Static<typeof DecideRight>;

export const RightsView = Type.Object({
  /** The subjects' records, by date and category only: the register grants no record text. */
  records: Type.Array(
    Type.Object({
      id: Type.String(),
      happenedAt: Type.String({ format: 'date-time' }),
      categories: Type.Array(Type.String()),
      restricted: Type.Boolean(),
      statements: Type.Integer(),
    }),
  ),
  statements: Type.Array(
    Type.Object({
      concernId: Type.String(),
      statement: Type.String(),
      recordedAt: Type.String({ format: 'date-time' }),
    }),
  ),
  decision: Type.Union([
    Type.Object({
      decision: lit(RIGHTS_DECISIONS),
      reasoning: Type.String(),
      decidedAt: Type.String({ format: 'date-time' }),
    }),
    Type.Null(),
  ]),
  allowed: Type.Array(lit(RIGHTS_ACTIONS)),
});
export type RightsView = Static<typeof RightsView>;

/** The subject's statement as shown with the record to whoever may read the record. */
export const SubjectStatement = Type.Object({
  statement: Type.String(),
  recordedAt: Type.String({ format: 'date-time' }),
});
export type SubjectStatement = Static<typeof SubjectStatement>;

// --- The data-protection pack ---

const Row = Type.Object({ label: Type.String(), value: Type.String() });
export const PackSection = Type.Object({
  id: Type.String(),
  heading: Type.String(),
  rows: Type.Array(Row),
});
export type PackSection = Static<typeof PackSection>;

export const DataProtectionPack = Type.Object({
  school: Type.String(),
  generatedAt: Type.String({ format: 'date-time' }),
  sections: Type.Array(PackSection),
});
export type DataProtectionPack = Static<typeof DataProtectionPack>;

/** download=true when the JSON is saved as a file rather than shown (the audit tells them apart). */
export const PackQuery = Type.Object({ download: Type.Optional(Type.Boolean()) });
