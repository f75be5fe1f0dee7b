// Reading the audit trail (issue 20): "Who has seen this record" on a pupil, and the school's
// audit explorer for the DSL team, the headteacher and the DPO. An entry is shown as who, when,
// from where, what (a plain-English label of the event) and which record (its kind and id); the
// details stored with an event are never sent (they are ids and counts, but a reader needs none).
import { Type, type Static } from 'typebox';
import { Uuid } from './common.ts';

/** How an event is grouped for filtering: what a person did to a record, or around it. */
export const TRAIL_KINDS = ['view', 'change', 'export', 'refusal', 'sign_in', 'admin'] as const;
export type TrailKind = (typeof TRAIL_KINDS)[number];
const Kind = Type.Unsafe<TrailKind>(Type.Union(TRAIL_KINDS.map((k) => Type.Literal(k))));

const N = Type.Union([Type.String(), Type.Null()]);
export const TrailEntry = Type.Object({
  seq: Type.Integer({ minimum: 1 }),
  at: Type.String({ format: 'date-time' }),
  /** The member, or the name the trail keeps for work no person asked for ("MIS sync"). */
  who: Type.String(),
  whoId: N,
  action: Type.String(),
  /** What happened, in plain English ("Opened a concern"). */
  what: Type.String(),
  kind: Kind,
  recordType: N,
  recordId: N,
  /** The address the request came from, when there was one. */
  from: N,
});
export type TrailEntry = Static<typeof TrailEntry>;

/** A calendar day in England, both ends of a range included. */
const Day = Type.String({ format: 'date' });
const Cursor = Type.String({ minLength: 1, maxLength: 512 });

export const PupilLogQuery = Type.Object(
  {
    kind: Type.Optional(Kind),
    person: Type.Optional(Uuid),
    from: Type.Optional(Day),
    to: Type.Optional(Day),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);
export type PupilLogQuery = Static<typeof PupilLogQuery>;

export const TRAIL_PAGE = 100;

export const PupilLog = Type.Object({
  pupil: Type.Object({ id: Uuid, name: Type.String() }),
  entries: Type.Array(TrailEntry),
  /** Every entry matching the filters, on all pages. */
  total: Type.Integer({ minimum: 0 }),
  nextCursor: Type.Optional(Type.String()),
  /** The people who appear in this record's trail, for the person filter. */
  people: Type.Array(Type.Object({ id: Uuid, name: Type.String() })),
});
export type PupilLog = Static<typeof PupilLog>;

export const TrailQuery = Type.Object(
  {
    person: Type.Optional(Uuid),
    pupil: Type.Optional(Uuid),
    action: Type.Optional(Type.String({ pattern: '^[a-z_]+\\.[a-z_]+$', maxLength: 60 })),
    kind: Type.Optional(Kind),
    from: Type.Optional(Day),
    to: Type.Optional(Day),
  },
  { additionalProperties: false },
);
export type TrailQuery = Static<typeof TrailQuery>;

export const TrailPageQuery = Type.Object(
  { ...TrailQuery.properties, cursor: Type.Optional(Cursor) },
  { additionalProperties: false },
);
export type TrailPageQuery = Static<typeof TrailPageQuery>;

export const TrailPage = Type.Object({
  entries: Type.Array(TrailEntry),
  nextCursor: Type.Optional(Type.String()),
  /** The filter's choices: the school's members and every kind of event, with their labels. */
  people: Type.Array(Type.Object({ id: Uuid, name: Type.String() })),
  events: Type.Array(Type.Object({ action: Type.String(), label: Type.String(), kind: Kind })),
});
export type TrailPage = Static<typeof TrailPage>;

/** The most entries one CSV export holds; a wider filter is refused with a message. */
export const TRAIL_EXPORT_LIMIT = 50_000;

export const TrailIntegrity = Type.Object({
  intact: Type.Boolean(),
  entries: Type.Integer({ minimum: 0 }),
  checkedAt: Type.String({ format: 'date-time' }),
  /** Where the chain first breaks, in plain English. */
  problem: Type.Optional(Type.String()),
  brokenAt: Type.Optional(Type.Integer()),
});
export type TrailIntegrity = Static<typeof TrailIntegrity>;

/**
 * Unusual access (issue 20): the rules a school tunes. Each raises an alert to the DSL team and the
 * headteacher, once per member per window (0 switches a count rule off; no hours, no hours rule).
 */
export const UnusualAccessRules = Type.Object(
  {
    /** One member opening more than this many pupils' records in an hour. */
    pupilsPerHour: Type.Integer({ minimum: 0, maximum: 10_000 }),
    /** … or in a day. */
    pupilsPerDay: Type.Integer({ minimum: 0, maximum: 100_000 }),
    /** This many refusals (failed second factors, locked accounts, refused links) in an hour. */
    refusalsPerHour: Type.Integer({ minimum: 0, maximum: 1_000 }),
    /** This many exports and downloads in a day. */
    exportsPerDay: Type.Integer({ minimum: 0, maximum: 10_000 }),
    /**
     * This many pupils in a day whose records a member who teaches classes opened although the
     * pupils are in none of their classes, reached only through a wide grant (the whole school or
     * a year group). Optional so rules saved before it keep reading; absent means the default.
     */
    wideGrantPupilsPerDay: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
    /** Records opened outside these hours (England's time), or null for no such rule. */
    schoolHours: Type.Union([
      Type.Object(
        {
          from: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
          to: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
  },
  { additionalProperties: false },
);
export type UnusualAccessRules = Static<typeof UnusualAccessRules>;

export const DEFAULT_UNUSUAL_ACCESS: UnusualAccessRules = {
  pupilsPerHour: 30,
  pupilsPerDay: 100,
  refusalsPerHour: 5,
  exportsPerDay: 10,
  wideGrantPupilsPerDay: 3,
  schoolHours: null,
};

export const UNUSUAL_RULES = [
  'pupils_per_hour',
  'pupils_per_day',
  'out_of_hours',
  'refusals',
  'exports',
  'own_access',
  'wide_grant',
] as const;
export type UnusualRule = (typeof UNUSUAL_RULES)[number];

export const AccessSignal = Type.Object({
  id: Uuid,
  rule: Type.Unsafe<UnusualRule>(Type.Union(UNUSUAL_RULES.map((r) => Type.Literal(r)))),
  /** What was seen, in plain English ("opened 41 pupils' records in an hour"). */
  what: Type.String(),
  /** Whom it names: a member of staff, or a trust member reading under the school's grant. */
  actor: Type.Union([Type.Literal('staff'), Type.Literal('trust')]),
  /** The member of staff's id, or the trust member's (who is no user of the school). */
  memberId: Uuid,
  /** Their name; a trust member's with their role and trust. */
  member: Type.String(),
  count: Type.Integer({ minimum: 0 }),
  raisedAt: Type.String({ format: 'date-time' }),
  /** The draft breach opened from this signal, if any (its id in the breach register). */
  breachId: Type.Union([Uuid, Type.Null()]),
  /** `draft_breach`: the reader holds the breach register and no breach was drafted yet. */
  allowed: Type.Array(Type.Literal('draft_breach')),
});
export type AccessSignal = Static<typeof AccessSignal>;

export const UnusualAccess = Type.Object({
  rules: UnusualAccessRules,
  /** The newest signals raised, newest first. */
  signals: Type.Array(AccessSignal),
});
export type UnusualAccess = Static<typeof UnusualAccess>;

/** The anchor code (issue 20): whether the DPO receives each day's code by email. */
export const AnchorEmail = Type.Object({
  emailCode: Type.Boolean(),
  /** `change`: the reader holds the data-protection register (the DPO) and may choose. */
  allowed: Type.Array(Type.Literal('change')),
});
export type AnchorEmail = Static<typeof AnchorEmail>;

export const AnchorEmailChoice = Type.Object(
  { emailCode: Type.Boolean() },
  { additionalProperties: false },
);
export type AnchorEmailChoice = Static<typeof AnchorEmailChoice>;

export const AnchorCodeQuery = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 80 }) },
  { additionalProperties: false },
);
export type AnchorCodeQuery = Static<typeof AnchorCodeQuery>;

export const AnchorCodeCheck = Type.Object({ matches: Type.Boolean(), message: Type.String() });
export type AnchorCodeCheck = Static<typeof AnchorCodeCheck>;
