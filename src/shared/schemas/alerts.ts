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
  /** Issue 18: a child-protection file arrived from another school on this Lantern. */
  'transfer_received',
  /** Issue 20: a teacher opened pupils they do not teach through a wide grant. */
  'unusual_access_wide_grant',
  /** Issue 19: a new concern about an adult, and its LADO clock nearing and past its deadline. */
  'staff_concern_new',
  'staff_concern_lado_due',
  'staff_concern_lado_overdue',
  /** Issue 20: a trust member's reading of records, under a grant, tripped one of the rules. */
  'unusual_access_trust',
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
  'transfer_inbox',
  /** Issue 19: a concern about an adult (its case manager's alerts only). */
  'staff_concern',
  /** Issue 20: an unusual-access signal (a trust member's, who is no user of the school). */
  'access_signal',
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
  /** Issue 20: an alert about an unusual-access signal — whom it names and what they did. */
  signal: Type.Optional(
    Type.Union([Type.Object({ member: Type.String(), what: Type.String() }), Type.Null()]),
  ),
});
export type AlertView = Static<typeof AlertView>;

export const AlertListQuery = Type.Object(
  { all: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type AlertListQuery = Static<typeof AlertListQuery>;

export const AlertList = Type.Object({ items: Type.Array(AlertView) });
export type AlertList = Static<typeof AlertList>;
