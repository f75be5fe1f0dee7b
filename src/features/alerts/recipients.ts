// Who is in a group, for alerts. An alert group is either one of the school's own staff groups
// (src/core/access/, managed in the administration screens), named by key, or a team
// (ALERT_TEAMS, src/shared/alert-teams.ts) made of the default staff groups declared with it.
// Disabled accounts are never alerted.
import type { Queryable } from '../../platform/db/engine.ts';
import { ALERT_TEAM_GROUPS, isAlertTeam } from '../../shared/alert-teams.ts';

/** The staff groups whose members make up the DSL team (whose unacknowledged alerts escalate). */
export const DSL_TEAM_GROUPS: readonly string[] = ALERT_TEAM_GROUPS.dsl_team;

/** The staff groups an escalated DSL-team alert goes to: the deputies and the headteacher. */
export const ESCALATION_GROUPS: readonly string[] = ['deputy_dsl', 'headteacher'];

const staffGroupsOf = (key: string): readonly string[] =>
  isAlertTeam(key) ? ALERT_TEAM_GROUPS[key] : [key];

/** The keys among `keys` that name neither a team nor one of the school's staff groups. */
export async function unknownAlertGroups(q: Queryable, keys: readonly string[]): Promise<string[]> {
  const own = keys.filter((k) => !isAlertTeam(k));
  if (own.length === 0) return [];
  const found = await q.query<{ key: string }>(
    'SELECT key FROM staff_groups WHERE key = ANY($1::text[])',
    [own],
  );
  const known = new Set(found.map((f) => f.key));
  return own.filter((k) => !known.has(k));
}

/** Active members of the given staff groups (by key), each once. */
export async function membersOfStaffGroups(
  q: Queryable,
  staffGroupKeys: readonly string[],
): Promise<string[]> {
  if (staffGroupKeys.length === 0) return [];
  const rows = await q.query<{ user_id: string }>(
    `SELECT DISTINCT m.user_id FROM staff_group_members m
     JOIN staff_groups g ON g.id = m.group_id JOIN users u ON u.id = m.user_id
     WHERE g.key = ANY($1::text[]) AND u.disabled_at IS NULL ORDER BY m.user_id`,
    [staffGroupKeys],
  );
  return rows.map((r) => r.user_id);
}

/** Members of each alert group key, as [userId, groupKey] pairs (a user may be in several). */
export async function groupMembers(
  q: Queryable,
  keys: readonly string[],
): Promise<{ userId: string; group: string }[]> {
  const out: { userId: string; group: string }[] = [];
  for (const key of new Set(keys)) {
    for (const userId of await membersOfStaffGroups(q, staffGroupsOf(key)))
      out.push({ userId, group: key });
  }
  return out;
}
