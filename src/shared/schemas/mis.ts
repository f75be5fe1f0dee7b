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
  status: Type.Union([Type.Literal('applied'), Type.Literal('rejected')]),
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
});
export type RunItem = Static<typeof RunItem>;

export const RunList = Type.Object({ items: Type.Array(RunItem) });
export type RunList = Static<typeof RunList>;

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
    baseUrl: Type.String({ minLength: 8, maxLength: 2000 }),
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
  baseUrl: Type.String(),
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
