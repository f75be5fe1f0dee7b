// Who is in a group, for alerts. HOOK (issue 3): the school-configured groups and their members
// (0002_identity) replace the role fallback below; until then a default group key maps to the
// roles that hold it. Keys are those of DEFAULT_GROUPS in src/records/default-categories.ts.
import type { Queryable } from '../db/engine.ts';
import type { Role } from '../access/actor.ts';
import { DEFAULT_GROUPS, type DefaultGroupKey } from '../records/default-categories.ts';

const ROLES_OF_GROUP: Record<DefaultGroupKey, readonly Role[]> = {
  dsl_team: ['dsl', 'deputy_dsl'],
  headteacher: ['headteacher'],
  pastoral_team: ['head_of_year'],
  senco: [],
  attendance_team: [],
};

/** The roles an escalated DSL-team alert goes to. */
export const ESCALATION_ROLES: readonly Role[] = ['deputy_dsl', 'headteacher'];

export function isGroupKey(key: string): key is DefaultGroupKey {
  return Object.hasOwn(DEFAULT_GROUPS, key);
}

export async function usersWithRoles(q: Queryable, roles: readonly Role[]): Promise<string[]> {
  if (roles.length === 0) return [];
  const rows = await q.query<{ id: string }>(
    'SELECT id FROM users WHERE role = ANY($1::text[]) AND disabled_at IS NULL ORDER BY id',
    [roles],
  );
  return rows.map((r) => r.id);
}

/** Members of each group key, as [userId, groupKey] pairs (a user may be in several). */
export async function groupMembers(
  q: Queryable,
  keys: readonly string[],
): Promise<{ userId: string; group: string }[]> {
  const out: { userId: string; group: string }[] = [];
  for (const key of new Set(keys)) {
    if (!isGroupKey(key)) continue;
    for (const userId of await usersWithRoles(q, ROLES_OF_GROUP[key]))
      out.push({ userId, group: key });
  }
  return out;
}
