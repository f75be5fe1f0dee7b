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
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export const ALERT_TARGETS = [
  'concern',
  'referral',
  'action',
  'access_request',
  'mis_sync_run',
] as const;
export type AlertTarget = (typeof ALERT_TARGETS)[number];

export const AlertView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  targetType: Type.String(),
  targetId: Type.String(),
  viaGroup: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  acknowledgedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type AlertView = Static<typeof AlertView>;

export const AlertListQuery = Type.Object(
  { all: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type AlertListQuery = Static<typeof AlertListQuery>;

export const AlertList = Type.Object({ items: Type.Array(AlertView) });
export type AlertList = Static<typeof AlertList>;
