// The teams a category alerts by default, declared once for the server (who is alerted) and the
// web app (the names an administrator picks from). Plain data: no schema library, no Node.

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
