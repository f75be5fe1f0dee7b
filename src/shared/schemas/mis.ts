// The MIS routes' request and response schemas: the integrators' push API (API key, no session)
// and the administrator's pages for sync runs, API keys and the pull connector.
import { Type, type Static } from 'typebox';

/** The pull connector's schedules: nightly at the school's hour (the default), hourly, or off. */
export const CONNECTOR_SCHEDULES = ['nightly', 'hourly', 'off'] as const;
export type ConnectorSchedule = (typeof CONNECTOR_SCHEDULES)[number];

// --- The push API ---

/** A full snapshot or a delta: the feed's response bodies keyed by endpoint file name. */
export const PushBody = Type.Object(
  {
    batchId: Type.String({ minLength: 1, maxLength: 200 }),
    format: Type.Union([Type.Literal('wonde'), Type.Literal('xporter')]),
    kind: Type.Union([Type.Literal('full'), Type.Literal('delta')]),
    files: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false },
);
export type PushBody = Static<typeof PushBody>;

/** What a push answers, applied (200) or rejected (422): counts, not the conflicts themselves. */
export const SyncSummary = Type.Object({
  runId: Type.String(),
  status: Type.Union([Type.Literal('applied'), Type.Literal('rejected'), Type.Literal('held')]),
  duplicate: Type.Boolean(),
  added: Type.Integer(),
  changed: Type.Integer(),
  archived: Type.Integer(),
  rejected: Type.Integer(),
  conflicts: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
});
export type SyncSummary = Static<typeof SyncSummary>;

// --- Sync runs ---

export const RunConflict = Type.Object({
  kind: Type.String(),
  pupilId: Type.String(),
  field: Type.String(),
  contactId: Type.Optional(Type.String()),
});
export type RunConflict = Static<typeof RunConflict>;

export const RunItem = Type.Object({
  id: Type.String(),
  source: Type.String(),
  format: Type.String(),
  kind: Type.String(),
  status: Type.String(),
  added: Type.Integer(),
  changed: Type.Integer(),
  archived: Type.Integer(),
  rejected: Type.Integer(),
  marks: Type.Integer(),
  conflicts: Type.Array(RunConflict),
  error: Type.Union([Type.String(), Type.Null()]),
  startedAt: Type.String(),
  /** The text encoding the feed's files were read as, where detected ("Windows-1252"). */
  encoding: Type.Union([Type.String(), Type.Null()]),
});
export type RunItem = Static<typeof RunItem>;

export const RunList = Type.Object({ items: Type.Array(RunItem) });
export type RunList = Static<typeof RunList>;

// --- Held runs (the guard against a feed that would empty the school) ---

export const HeldRun = Type.Object({
  id: Type.String(),
  source: Type.String(),
  format: Type.String(),
  reason: Type.String(),
  startedAt: Type.String(),
  pupilsOnRoll: Type.Integer(),
  staffOnRoll: Type.Integer(),
  percent: Type.Integer(),
  /** Who the run would archive, by the names Lantern holds for them now. */
  pupils: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      yearGroup: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  staff: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
});
export type HeldRun = Static<typeof HeldRun>;

export const HeldList = Type.Object({ items: Type.Array(HeldRun) });
export type HeldList = Static<typeof HeldList>;

export const HeldDecision = Type.Object(
  { decision: Type.Union([Type.Literal('apply'), Type.Literal('discard')]) },
  { additionalProperties: false },
);
export type HeldDecision = Static<typeof HeldDecision>;

export const HeldOutcome = Type.Object({
  decision: Type.Union([Type.Literal('apply'), Type.Literal('discard')]),
  /** The run that applied the held feed (apply only). */
  summary: Type.Union([SyncSummary, Type.Null()]),
});
export type HeldOutcome = Static<typeof HeldOutcome>;

// --- The school's MIS settings ---

const Synonyms = Type.Record(
  Type.String({ minLength: 1, maxLength: 100 }),
  Type.String({ minLength: 1, maxLength: 100 }),
  { maxProperties: 200 },
);

export const MisSettingsBody = Type.Object(
  {
    /** A full run archiving more than this share of the pupils on roll is held. */
    guardPercent: Type.Integer({ minimum: 1, maximum: 100 }),
    /** The weekday of the weekly full pull: 0 Sunday … 6 Saturday. */
    fullDay: Type.Integer({ minimum: 0, maximum: 6 }),
    /** The school's own CSV headings → Lantern column, per file. */
    csvSynonyms: Type.Object(
      { pupils: Synonyms, contacts: Synonyms },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type MisSettingsBody = Static<typeof MisSettingsBody>;

export const MisSettings = Type.Object({
  guardPercent: Type.Integer(),
  fullDay: Type.Integer(),
  csvSynonyms: Type.Object({
    pupils: Type.Record(Type.String(), Type.String()),
    contacts: Type.Record(Type.String(), Type.String()),
  }),
  /** Lantern's own headings for each column, for the administrator to see. */
  builtInSynonyms: Type.Object({
    pupils: Type.Record(Type.String(), Type.Array(Type.String())),
    contacts: Type.Record(Type.String(), Type.Array(Type.String())),
  }),
  hasCursor: Type.Boolean(),
  lastFullRunAt: Type.Union([Type.String(), Type.Null()]),
  lastDeltaRunAt: Type.Union([Type.String(), Type.Null()]),
});
export type MisSettings = Static<typeof MisSettings>;

// --- API keys ---

export const ApiKeyItem = Type.Object({
  id: Type.String(),
  label: Type.String(),
  prefix: Type.String(),
  createdAt: Type.String(),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});
export type ApiKeyItem = Static<typeof ApiKeyItem>;

export const ApiKeyList = Type.Object({ items: Type.Array(ApiKeyItem) });
export type ApiKeyList = Static<typeof ApiKeyList>;

export const NewApiKey = Type.Object(
  { label: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);
export type NewApiKey = Static<typeof NewApiKey>;

/** The key itself, shown this once (only its hash is stored). */
export const CreatedApiKey = Type.Object({ id: Type.String(), key: Type.String() });
export type CreatedApiKey = Static<typeof CreatedApiKey>;

// --- The pull connector ---

export const ConnectorBody = Type.Object(
  {
    /** Wonde's API (the default) or Groupcall's Xporter on Demand. */
    format: Type.Optional(Type.Union([Type.Literal('wonde'), Type.Literal('xporter')])),
    baseUrl: Type.String({ minLength: 8, maxLength: 2000 }),
    /** Xporter only: the school's establishment number (LA + DfE number, e.g. 3281102). */
    estab: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    /** Xporter only: the application id Groupcall registered (`relyingParty`). */
    relyingParty: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    token: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    schedule: Type.Optional(Type.Union(CONNECTOR_SCHEDULES.map((s) => Type.Literal(s)))),
    runHour: Type.Optional(Type.Integer({ minimum: 0, maximum: 23 })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ConnectorBody = Static<typeof ConnectorBody>;

/** The connector's settings as shown: never the token. */
export const ConnectorView = Type.Object({
  format: Type.Union([Type.Literal('wonde'), Type.Literal('xporter')]),
  baseUrl: Type.String(),
  estab: Type.Union([Type.String(), Type.Null()]),
  relyingParty: Type.Union([Type.String(), Type.Null()]),
  schedule: Type.String(),
  runHour: Type.Integer(),
  enabled: Type.Boolean(),
  nextRunAt: Type.Union([Type.String(), Type.Null()]),
  lastRunAt: Type.Union([Type.String(), Type.Null()]),
  lastStatus: Type.Union([Type.String(), Type.Null()]),
});
export type ConnectorView = Static<typeof ConnectorView>;

/** GET: the connector, or null before one is set. */
export const ConnectorState = Type.Object({
  connector: Type.Union([ConnectorView, Type.Null()]),
});
export type ConnectorState = Static<typeof ConnectorState>;

/** PUT: the connector as saved. */
export const SavedConnector = Type.Object({ connector: ConnectorView });
export type SavedConnector = Static<typeof SavedConnector>;
