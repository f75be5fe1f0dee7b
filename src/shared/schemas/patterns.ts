// Patterns about pupils (issue 20): the school's rules ("3 records about one pupil in 30 days"),
// the signals they raised, and the pupils whose records are rising, for the DSL team.
import { Type, type Static } from 'typebox';
import { Uuid } from './common.ts';

export const PATTERN_RULES_MAX = 10;

export const PatternRule = Type.Object(
  {
    id: Type.Optional(Uuid),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    records: Type.Integer({ minimum: 2, maximum: 50 }),
    withinDays: Type.Integer({ minimum: 1, maximum: 365 }),
    /** Empty: a record in any category counts. */
    categoryIds: Type.Array(Uuid, { maxItems: 50, uniqueItems: true }),
    enabled: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type PatternRule = Static<typeof PatternRule>;

export const PatternRulesBody = Type.Object(
  { rules: Type.Array(PatternRule, { maxItems: PATTERN_RULES_MAX }) },
  { additionalProperties: false },
);
export type PatternRulesBody = Static<typeof PatternRulesBody>;

export const PatternSignal = Type.Object({
  id: Uuid,
  rule: Type.String(),
  pupil: Type.Object({ id: Uuid, name: Type.String() }),
  records: Type.Integer(),
  raisedAt: Type.String({ format: 'date-time' }),
});

export const Patterns = Type.Object({
  rules: Type.Array(Type.Object({ ...PatternRule.properties, id: Uuid })),
  categories: Type.Array(Type.Object({ id: Uuid, name: Type.String() })),
  signals: Type.Array(PatternSignal),
});
export type Patterns = Static<typeof Patterns>;

export const RisingPupils = Type.Object({
  /** The two windows compared, in days: the last N days against the N before them. */
  days: Type.Integer(),
  pupils: Type.Array(
    Type.Object({
      id: Uuid,
      name: Type.String(),
      recent: Type.Integer(),
      before: Type.Integer(),
    }),
  ),
});
export type RisingPupils = Static<typeof RisingPupils>;
