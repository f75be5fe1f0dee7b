// Reads one member's permissions from the school's configuration: the grants of every group
// they belong to, each group's per-category entries, and their own teaching/registration
// groups. Runs inside the request's tenant transaction (row-level security applies).
import type { Queryable } from '../../platform/db/engine.ts';
import {
  resolvePermissions,
  type CategoryAccess,
  type GroupGrant,
  type Permissions,
  type Scope,
} from './permissions.ts';

type GroupRow = {
  id: string;
  non_restricted_default: CategoryAccess;
  restricted_default: CategoryAccess;
  scope_kind: Scope['kind'];
  scope_year_groups: string[];
  capabilities: string[];
  categories: Record<string, CategoryAccess> | null;
  /** The group's fixed key, where the query read it (the member's own grants do). */
  group_key?: string | null;
};

export function scopeOf(kind: Scope['kind'], yearGroups: readonly string[]): Scope {
  switch (kind) {
    case 'school':
      return { kind: 'school' };
    case 'year_groups':
      return { kind: 'year_groups', yearGroups };
    case 'own_groups':
      return { kind: 'own_groups' };
    default: {
      const never: never = kind;
      return never;
    }
  }
}

export function grantOf(r: GroupRow): GroupGrant {
  return {
    groupId: r.id,
    nonRestrictedDefault: r.non_restricted_default,
    restrictedDefault: r.restricted_default,
    categories: r.categories ?? {},
    scope: scopeOf(r.scope_kind, r.scope_year_groups),
    capabilities: r.capabilities as GroupGrant['capabilities'],
    ...(r.group_key != null && { groupKey: r.group_key }),
  };
}

export const GROUP_GRANT_SELECT = `
  g.id, g.non_restricted_default, g.restricted_default, g.scope_kind, g.scope_year_groups,
  g.capabilities,
  (SELECT json_object_agg(a.category_id, a.access) FROM group_category_access a
    WHERE a.group_id = g.id) AS categories`;

/**
 * The two columns a member's permissions are read from — their groups' grants and their own
 * teaching groups — for the member named by the SQL expression `userRef` (a parameter or a
 * column), so a query that already reads the member (the session look-up) reads them too.
 */
export function permissionColumnsSql(userRef: string): string {
  return `(SELECT json_agg(x) FROM (SELECT ${GROUP_GRANT_SELECT}, g.key AS group_key
             FROM staff_groups g JOIN staff_group_members m ON m.group_id = g.id
             WHERE m.user_id = ${userRef}) x) AS grant_groups,
          ARRAY(SELECT group_ref FROM staff_teaching_groups WHERE user_id = ${userRef}) AS own_groups`;
}

export type PermissionColumns = { grant_groups: GroupRow[] | null; own_groups: string[] | null };

export function permissionsFrom(row: PermissionColumns | undefined): Permissions {
  return resolvePermissions((row?.grant_groups ?? []).map(grantOf), {
    ownGroupIds: row?.own_groups ?? [],
  });
}

export async function loadPermissions(q: Queryable, userId: string): Promise<Permissions> {
  // One statement, one row (read on every request: one round trip rather than two — issue 12).
  const [row] = await q.query<PermissionColumns>(`SELECT ${permissionColumnsSql('$1')}`, [userId]);
  return permissionsFrom(row);
}

/**
 * A pupil's registration and teaching group references, as staff_teaching_groups names them.
 * Queries select them with `lantern_pupil_group_refs(p.id, p.form)` (migration 0006), which adds
 * the pupil's MIS teaching groups to the form; without them only the form is known.
 */
export function pupilGroupRefs(p: {
  form: string | null;
  groupRefs?: readonly string[];
}): string[] {
  if (p.groupRefs) return [...p.groupRefs];
  return p.form ? [`form:${p.form}`] : [];
}
