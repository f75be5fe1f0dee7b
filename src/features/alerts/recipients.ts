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

export type Reach = { members: { userId: string; group: string }[]; team: Set<string> };
export type ReachRow = { alert_key: string | null; user_id: string };

const TEAM_KEYS = Object.entries(ALERT_TEAM_GROUPS).flatMap(([k, gs]) => gs.map(() => k));
const TEAM_STAFF_GROUPS = Object.values(ALERT_TEAM_GROUPS).flat();

/**
 * The statement behind alertReach, for a list of group keys given as SQL (a text[] expression, so a
 * caller may take them from rows it reads in the same statement — a concern's categories): the
 * rows (alert_key, user_id) of every active member each key reaches, a team through its staff
 * groups, and with alert_key NULL the DSL team's members when `team`. Its parameters follow `next`.
 */
export function reachRowsSql(
  keysSql: string,
  team: boolean,
  next: number,
): { sql: string; params: unknown[] } {
  return {
    sql: `SELECT DISTINCT e.alert_key, m.user_id
      FROM (SELECT k.key AS alert_key, coalesce(t.staff_key, k.key) AS group_key
            FROM unnest(${keysSql}) k(key)
            LEFT JOIN unnest($${next}::text[], $${next + 1}::text[]) t(team_key, staff_key)
              ON t.team_key = k.key
            UNION ALL SELECT NULL, d FROM unnest($${next + 2}::text[]) d) e
      JOIN staff_groups g ON g.key = e.group_key JOIN staff_group_members m ON m.group_id = g.id
      JOIN users u ON u.id = m.user_id
      WHERE u.disabled_at IS NULL`,
    params: [TEAM_KEYS, TEAM_STAFF_GROUPS, team ? DSL_TEAM_GROUPS : []],
  };
}

/** The members in the order of `keys` (then by id), and the DSL team, from reachRowsSql's rows. */
export function reachFrom(rows: readonly ReachRow[], keys: readonly string[]): Reach {
  const order = new Map([...new Set(keys)].map((k, i) => [k, i]));
  const members = rows
    .filter((r): r is ReachRow & { alert_key: string } => r.alert_key !== null)
    .filter((r) => order.has(r.alert_key))
    .sort(
      (a, b) =>
        order.get(a.alert_key)! - order.get(b.alert_key)! ||
        (a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : 0),
    )
    .map((r) => ({ userId: r.user_id, group: r.alert_key }));
  const team = new Set(rows.filter((r) => r.alert_key === null).map((r) => r.user_id));
  return { members, team };
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
): Promise<Reach> {
  const unique = [...new Set(keys)];
  if (unique.length === 0 && !team) return { members: [], team: new Set() };
  const { sql, params } = reachRowsSql('$1::text[]', team, 2);
  return reachFrom(await q.query<ReachRow>(sql, [unique, ...params]), unique);
}
