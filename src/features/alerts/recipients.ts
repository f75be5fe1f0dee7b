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

/**
 * Every member an alert to `keys` reaches, as [userId, groupKey] pairs in the order of `keys`, and
 * — when `team` — the DSL team's members too (their alerts escalate): one statement however many
 * groups an alert names (issue 12).
 */
export async function alertReach(
  q: Queryable,
  keys: readonly string[],
  team: boolean,
): Promise<{ members: { userId: string; group: string }[]; team: Set<string> }> {
  const alertKeys: (string | null)[] = [];
  const staffKeys: string[] = [];
  const order: number[] = [];
  [...new Set(keys)].forEach((key, i) => {
    for (const g of staffGroupsOf(key)) {
      alertKeys.push(key);
      staffKeys.push(g);
      order.push(i);
    }
  });
  if (team) {
    for (const g of DSL_TEAM_GROUPS) {
      alertKeys.push(null);
      staffKeys.push(g);
      order.push(keys.length);
    }
  }
  if (staffKeys.length === 0) return { members: [], team: new Set() };
  const rows = await q.query<{ alert_key: string | null; user_id: string }>(
    `SELECT DISTINCT k.alert_key, m.user_id, k.n
     FROM unnest($1::text[], $2::text[], $3::int[]) k(alert_key, group_key, n)
     JOIN staff_groups g ON g.key = k.group_key JOIN staff_group_members m ON m.group_id = g.id
     JOIN users u ON u.id = m.user_id
     WHERE u.disabled_at IS NULL
     ORDER BY k.n, m.user_id`,
    [alertKeys, staffKeys, order],
  );
  const members: { userId: string; group: string }[] = [];
  const dslTeam = new Set<string>();
  for (const r of rows) {
    if (r.alert_key === null) dslTeam.add(r.user_id);
    else members.push({ userId: r.user_id, group: r.alert_key });
  }
  return { members, team: dslTeam };
}
