// Who may approve a change to record access (issue 11, finding 3): granting record access is a
// two-person act. An administrator asks; a member of the DSL team (DSL or deputy) or the
// headteacher approves, decided here by the fixed keys of the default groups (an administrator
// can rename those groups but not change their keys, and cannot join them without approval).
// The same groups are told of every request. The approver is never the person who asked, nor the
// person whose access grows, nor a member of the group whose grants grow.
// To change safely: keep this the only place that says who approves, and keep
// src/features/administration/approvals.test.ts passing.
import type { Queryable } from '../../platform/db/engine.ts';
import { ALERT_TEAM_GROUPS } from '../../shared/alert-teams.ts';
import { grantAccess, type GroupGrant } from './permissions.ts';

/** The default groups whose members approve access changes and are told of them. */
export const APPROVER_GROUP_KEYS: readonly string[] = [
  ...ALERT_TEAM_GROUPS.dsl_team,
  ...ALERT_TEAM_GROUPS.headteacher,
];

/** The DSL team: joining it always needs approval, whatever it grants today. */
export const DSL_TEAM_GROUP_KEYS: readonly string[] = ALERT_TEAM_GROUPS.dsl_team;

export async function isAccessApprover(q: Queryable, userId: string): Promise<boolean> {
  const rows = await q.query(
    `SELECT 1 FROM staff_group_members m JOIN staff_groups g ON g.id = m.group_id
     JOIN users u ON u.id = m.user_id
     WHERE m.user_id = $1 AND g.key = ANY($2::text[]) AND u.disabled_at IS NULL LIMIT 1`,
    [userId, APPROVER_GROUP_KEYS],
  );
  return rows.length > 0;
}

/**
 * Whether a group lets its members view restricted records: its default for restricted
 * categories is view, or it has view of one of the school's restricted categories.
 */
export function grantsRestrictedView(
  g: Omit<GroupGrant, 'groupId'>,
  restrictedCategoryIds: readonly string[],
): boolean {
  if (g.restrictedDefault === 'view') return true;
  return restrictedCategoryIds.some(
    (id) => grantAccess({ ...g, groupId: '' }, { id, restricted: true }) === 'view',
  );
}

export type ApprovalReason = 'dsl_team' | 'restricted';

/** Why adding a member to this group needs approval, or null when it does not. */
export function membershipNeedsApproval(
  group: { key: string; grant: Omit<GroupGrant, 'groupId'> },
  restrictedCategoryIds: readonly string[],
): ApprovalReason | null {
  if (DSL_TEAM_GROUP_KEYS.includes(group.key)) return 'dsl_team';
  return grantsRestrictedView(group.grant, restrictedCategoryIds) ? 'restricted' : null;
}

const sameScope = (a: GroupGrant['scope'], b: GroupGrant['scope']) =>
  JSON.stringify(a) === JSON.stringify(b);

/**
 * Whether changing a group's settings grants restricted view: it did not give it and now does,
 * or it gives it and its scope changes (more pupils' restricted records may come into view).
 */
export function groupChangeNeedsApproval(
  before: Omit<GroupGrant, 'groupId'>,
  after: Omit<GroupGrant, 'groupId'>,
  restrictedCategoryIds: readonly string[],
): boolean {
  if (!grantsRestrictedView(after, restrictedCategoryIds)) return false;
  return (
    !grantsRestrictedView(before, restrictedCategoryIds) || !sameScope(before.scope, after.scope)
  );
}

/** Whether setting a group's access to one category gives view of a restricted category. */
export function categoryChangeNeedsApproval(
  group: Omit<GroupGrant, 'groupId'>,
  category: { id: string; restricted: boolean },
  access: 'none' | 'add' | 'view' | 'inherit',
): boolean {
  if (!category.restricted) return false;
  const before = grantAccess({ ...group, groupId: '' }, category);
  const categories = { ...group.categories };
  if (access === 'inherit') delete categories[category.id];
  else categories[category.id] = access;
  const after = grantAccess({ ...group, categories, groupId: '' }, category);
  return after === 'view' && before !== 'view';
}
