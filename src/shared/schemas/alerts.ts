// Alerts: the routes' schemas, and whom an alert may be sent to besides named staff — the teams
// below or any of the school's own staff groups (by key).
import { Type, type Static } from 'typebox';

export const ALERT_KINDS = [
  'concern',
  'escalation',
  'referral_overdue',
  'action_reminder',
  'access_request',
  'mis_run_held',
  /** Issue 20: a member's reading of records tripped one of the school's rules. */
  'unusual_access',
  // The DPO's (issue 17).
  'dp_request_due',
  'dp_request_overdue',
  'dp_breach_drafted',
  /** Issue 20: a pupil's records match one of the school's pattern rules. */
  'pupil_pattern',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export const ALERT_TARGETS = [
  'concern',
  'referral',
  'action',
  'access_request',
  'mis_sync_run',
  'user',
  'dp_request',
  'dp_breach',
  'pupil',
] as const;
export type AlertTarget = (typeof ALERT_TARGETS)[number];

/**
 * What an alert about a concern says in the app (issue 14; never in an email): whom it is about
 * as the viewer may see them, its categories, who logged it and when, and (for the DSL team) its
 * triage state. Sent only to a viewer who may read the concern now; null otherwise.
 */
export const AlertAbout = Type.Object({
  pupils: Type.Array(
    Type.Object({ id: Type.Union([Type.String(), Type.Null()]), name: Type.String() }),
  ),
  categories: Type.Array(Type.String()),
  author: Type.String(),
  happenedAt: Type.String({ format: 'date-time' }),
  recordedAt: Type.String({ format: 'date-time' }),
  triage: Type.Union([Type.String(), Type.Null()], {
    description: 'Its triage state, for the DSL team; null for anyone else.',
  }),
});
export type AlertAbout = Static<typeof AlertAbout>;

export const AlertView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  targetType: Type.String(),
  targetId: Type.String(),
  viaGroup: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  acknowledgedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  about: Type.Optional(Type.Union([AlertAbout, Type.Null()])),
});
export type AlertView = Static<typeof AlertView>;

export const AlertListQuery = Type.Object(
  { all: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type AlertListQuery = Static<typeof AlertListQuery>;

export const AlertList = Type.Object({ items: Type.Array(AlertView) });
export type AlertList = Static<typeof AlertList>;
