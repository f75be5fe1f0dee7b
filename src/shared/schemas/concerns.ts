import { Type, type Static } from 'typebox';
import { Uuid } from './common.ts';
import { SubjectStatement } from './dp-rights.ts';
import { BODY_MAP_SIDES, BODY_MARK_TYPES } from '../body-map.ts';
import { MAX_CONCERN_TEXT, MAX_LINKED_PUPILS } from '../limits.ts';
import { PUPIL_ROLES, type PupilRole } from '../pupil-roles.ts';
import {
  MAX_TRIAGE_REASON,
  RISK_LEVELS,
  TRIAGE_STATES,
  type RiskLevel,
  type TriageState,
} from '../triage.ts';

// The schema states the domain's limits (src/shared/limits.ts) so a client learns them early;
// the rules themselves are src/features/concerns/rules.ts, applied in validate.ts.

/** What a member may do with a concern (src/features/concerns/policy.ts), sent as `allowed`. */
export const CONCERN_ACTIONS = ['view', 'edit', 'triage'] as const;
export type ConcernAction = (typeof CONCERN_ACTIONS)[number];

const LinkedPupils = Type.Array(
  Type.Object(
    {
      pupilId: Uuid,
      // No default: each pupil's role is chosen for them (src/features/concerns/rules.ts).
      role: Type.Unsafe<PupilRole>(Type.Union(PUPIL_ROLES.map((r) => Type.Literal(r)))),
    },
    { additionalProperties: false },
  ),
  { minItems: 1, maxItems: MAX_LINKED_PUPILS },
);

/** Positions are checked against the outline by src/shared/body-map.ts, not just the schema. */
const BodyMapMark = Type.Object(
  {
    side: Type.Union([Type.Literal(BODY_MAP_SIDES[0]), Type.Literal(BODY_MAP_SIDES[1])]),
    x: Type.Number(),
    y: Type.Number(),
    type: Type.Unsafe<(typeof BODY_MARK_TYPES)[number]>(
      Type.String({ enum: [...BODY_MARK_TYPES] }),
    ),
    description: Type.String({ maxLength: 500 }),
  },
  { additionalProperties: false },
);

export const NewConcern = Type.Object(
  {
    pupils: LinkedPupils,
    categoryIds: Type.Array(Uuid, { minItems: 1, maxItems: 10 }),
    happenedAt: Type.String({ format: 'date-time' }),
    location: Type.Optional(Type.String({ maxLength: 200 })),
    body: Type.String({ minLength: 1, maxLength: MAX_CONCERN_TEXT }),
    bodyMap: Type.Optional(Type.Array(BodyMapMark, { maxItems: 50 })),
    alertUserIds: Type.Optional(Type.Array(Uuid, { maxItems: 50 })),
    alertGroups: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20 })),
    /** "I verbally informed a DSL": whom. */
    verballyInformedId: Type.Optional(Uuid),
    /** Join this case (DSL team only). */
    caseId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type NewConcern = Static<typeof NewConcern>;

export const ConcernEdit = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 2000 }),
    pupils: Type.Optional(LinkedPupils),
    categoryIds: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 10 })),
    happenedAt: Type.Optional(Type.String({ format: 'date-time' })),
    location: Type.Optional(Type.String({ maxLength: 200 })),
    body: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_CONCERN_TEXT })),
    bodyMap: Type.Optional(Type.Array(BodyMapMark, { maxItems: 50 })),
  },
  { additionalProperties: false },
);
export type ConcernEdit = Static<typeof ConcernEdit>;

export const ConcernListQuery = Type.Object(
  {
    mine: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);
export type ConcernListQuery = Static<typeof ConcernListQuery>;

/** Someone named in a response: a member of staff or a pupil. */
export const Person = Type.Object({ id: Type.String(), name: Type.String() });
export type Person = Static<typeof Person>;

export const Attachment = Type.Object({
  id: Type.String(),
  name: Type.String(),
  mime: Type.String(),
  sizeBytes: Type.Integer(),
  uploadedAt: Type.String({ format: 'date-time' }),
});
export type Attachment = Static<typeof Attachment>;

/** A triage decision (POST /api/concerns/:id/triage): a risk level only when triaged. */
export const ConcernTriage = Type.Object(
  {
    state: Type.Unsafe<TriageState>(Type.String({ enum: [...TRIAGE_STATES] })),
    risk: Type.Optional(Type.Unsafe<RiskLevel>(Type.String({ enum: [...RISK_LEVELS] }))),
    reason: Type.String({ minLength: 1, maxLength: MAX_TRIAGE_REASON }),
  },
  { additionalProperties: false },
);
export type ConcernTriage = Static<typeof ConcernTriage>;

/** Where a concern's triage stands, for the DSL team; `decidedBy` is null while it is new. */
export const TriageView = Type.Object({
  state: Type.Unsafe<TriageState>(Type.String({ enum: [...TRIAGE_STATES] })),
  risk: Type.Union([Type.Unsafe<RiskLevel>(Type.String({ enum: [...RISK_LEVELS] })), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  decidedBy: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  decidedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type TriageView = Static<typeof TriageView>;

export const ConcernView = Type.Object({
  id: Type.String(),
  happenedAt: Type.String({ format: 'date-time' }),
  recordedAt: Type.String({ format: 'date-time' }),
  location: Type.Union([Type.String(), Type.Null()]),
  body: Type.String(),
  status: Type.String(),
  author: Person,
  pupils: Type.Array(
    Type.Object({
      id: Type.Union([Type.String(), Type.Null()], {
        description: 'null for a pupil the viewer may not see (named "Another pupil").',
      }),
      name: Type.String(),
      role: Type.String(),
    }),
  ),
  categories: Type.Array(
    Type.Object({ id: Type.String(), name: Type.String(), colour: Type.String() }),
  ),
  bodyMap: Type.Array(BodyMapMark),
  verballyInformed: Type.Union([Person, Type.Null()]),
  caseId: Type.Union([Type.String(), Type.Null()]),
  version: Type.Integer({ description: '1 for an unedited record; each edit adds one.' }),
  attachments: Type.Array(Attachment),
  allowed: Type.Array(Type.String(), {
    description: 'What the signed-in user may do with this record.',
  }),
  triage: Type.Union([TriageView, Type.Null()], {
    description: 'Its triage, for those who may triage it (the DSL team); null for anyone else.',
  }),
  myAlerts: Type.Array(Type.String(), {
    description: "The ids of the viewer's own alerts about it not yet acknowledged.",
  }),
  subjectStatements: Type.Optional(
    Type.Array(SubjectStatement, {
      description:
        "The data subject's statements attached to the record (rectification, issue 17), shown with it; the record itself is never rewritten. On a single read only.",
    }),
  ),
});
export type ConcernView = Static<typeof ConcernView>;

export const ConcernList = Type.Object({ items: Type.Array(ConcernView) });
export type ConcernList = Static<typeof ConcernList>;

export const ConcernVersion = Type.Object({
  version: Type.Integer(),
  happenedAt: Type.String({ format: 'date-time' }),
  location: Type.Union([Type.String(), Type.Null()]),
  body: Type.String(),
  bodyMap: Type.Array(BodyMapMark),
  categoryIds: Type.Array(Type.String()),
  pupils: Type.Array(
    Type.Object({
      pupilId: Type.Union([Type.String(), Type.Null()], {
        description: 'null for a pupil the viewer may not see.',
      }),
      role: Type.String(),
    }),
  ),
  writtenBy: Type.String(),
  writtenAt: Type.String({ format: 'date-time' }),
  replacedBy: Person,
  replacedAt: Type.String({ format: 'date-time' }),
  reason: Type.String(),
});
export type ConcernVersion = Static<typeof ConcernVersion>;

export const ConcernVersionList = Type.Object({ items: Type.Array(ConcernVersion) });
export type ConcernVersionList = Static<typeof ConcernVersionList>;
