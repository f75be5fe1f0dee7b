// Actions on a record or a pupil: the requests and responses of /api/actions, and the
// vocabularies the web app shows (action types, states, what a member may do with one).
import { Type, type Static } from 'typebox';
import { Uuid } from './common.ts';
import { Person } from './concerns.ts';

export const ACTION_TYPES = [
  'phone_call',
  'meeting',
  'letter',
  'note',
  'decision',
  'referral',
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

/** An action's state at the moment of reading (src/features/actions/rules.ts). */
export const ACTION_STATES = ['overdue', 'due', 'no_due_date', 'completed', 'cancelled'] as const;
export type ActionState = (typeof ACTION_STATES)[number];

/** What a member may do with an action now (src/features/actions/policy.ts), sent as `allowed`. */
export const ACTION_ABILITIES = ['complete'] as const;
export type ActionAbility = (typeof ACTION_ABILITIES)[number];

export const ActionView = Type.Object({
  id: Type.String(),
  pupil: Person,
  concernId: Type.Union([Type.String(), Type.Null()]),
  caseId: Type.Union([Type.String(), Type.Null()]),
  type: Type.String(),
  text: Type.String(),
  assignee: Person,
  createdAt: Type.String(),
  dueAt: Type.Union([Type.String(), Type.Null()]),
  remindAt: Type.Union([Type.String(), Type.Null()]),
  completedAt: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.Union([Type.String(), Type.Null()], {
    description: 'What came of it; for a cancelled action, why it was cancelled.',
  }),
  cancelledAt: Type.Union([Type.String(), Type.Null()]),
  caseClosed: Type.Boolean({
    description: 'Its case is closed and it was kept open when the case closed (issue 14).',
  }),
  state: Type.String(),
  overdue: Type.Boolean(),
  /** What the viewer may do with it now; the UI shows only these. */
  allowed: Type.Array(Type.Enum(ACTION_ABILITIES)),
});
export type ActionView = Static<typeof ActionView>;

export const ActionList = Type.Object({ items: Type.Array(ActionView) });
export type ActionList = Static<typeof ActionList>;

export const ActionListQuery = Type.Object(
  { mine: Type.Optional(Type.Boolean()), pupilId: Type.Optional(Uuid) },
  { additionalProperties: false },
);
export type ActionListQuery = Static<typeof ActionListQuery>;

export const NewAction = Type.Object(
  {
    pupilId: Uuid,
    concernId: Type.Optional(Uuid),
    caseId: Type.Optional(Uuid),
    type: Type.Union(ACTION_TYPES.map((a) => Type.Literal(a))),
    text: Type.String({ minLength: 1, maxLength: 5000 }),
    assigneeId: Uuid,
    dueAt: Type.Optional(Type.String({ format: 'date-time' })),
    remindAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
export type NewAction = Static<typeof NewAction>;

export const ActionCompletion = Type.Object(
  { outcome: Type.String({ minLength: 1, maxLength: 5000 }) },
  { additionalProperties: false },
);
export type ActionCompletion = Static<typeof ActionCompletion>;
