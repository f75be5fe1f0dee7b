// Alerts: the routes' schemas, and whom an alert may be sent to besides named staff — the teams
// below or any of the school's own staff groups (by key).
import { Type, type Static } from 'typebox';

/**
 * The teams a category's defaults (src/features/categories/defaults.ts), a person logging a
 * concern, or the scheduled job may alert, with the names the category editor shows. Each team
 * is made of default staff groups every new school is created with
 * (src/core/access/default-groups.ts), listed in ALERT_TEAM_GROUPS.
 */
export const ALERT_TEAMS = {
  dsl_team: 'DSL team',
  headteacher: 'Headteacher',
  pastoral_team: 'Pastoral team',
  senco: 'SENCO',
  attendance_team: 'Attendance team',
} as const;
export type AlertTeam = keyof typeof ALERT_TEAMS;

/**
 * The staff groups (by key) whose members each team alerts. A school that renames or removes
 * those groups simply alerts whoever is in the groups that remain; `attendance_team` is a group
 * a school makes for itself (new schools have none).
 */
export const ALERT_TEAM_GROUPS: Readonly<Record<AlertTeam, readonly string[]>> = {
  dsl_team: ['dsl', 'deputy_dsl'],
  headteacher: ['headteacher'],
  pastoral_team: ['pastoral'],
  senco: ['sen'],
  attendance_team: ['attendance_team'],
};

export const isAlertTeam = (key: string): key is AlertTeam => Object.hasOwn(ALERT_TEAMS, key);

export const ALERT_KINDS = [
  'concern',
  'escalation',
  'referral_overdue',
  'action_reminder',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export const ALERT_TARGETS = ['concern', 'referral', 'action'] as const;
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
