// Who may approve a change to record access (issue 11, finding 3): granting record access is a
// two-person act. An administrator asks; a member of the DSL team (DSL or deputy) or the
// headteacher approves, decided here by the fixed keys of the default groups (an administrator
// can rename those groups but not change their keys, and cannot join them without approval).
// The same groups are told of every request, and joining any of them always needs approval. The
// approver is never the person who asked, nor the person whose access grows, nor a member of the
// group whose grants grow.
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

/**
 * The data-protection officer's default group (issue 15): its members lift the standing hold on
 * sexual-abuse records and give the second approval to destroy a record, so joining it always
 * needs approval, as joining the approvers' groups does.
 */
export const DPO_GROUP_KEY = 'dpo';

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

export type ApprovalReason = 'dsl_team' | 'approvers' | 'restricted';

/**
 * Why adding a member to this group needs approval, or null when it does not. Joining the DSL
 * team, or the headteacher's group (whose members approve), always does, whatever the group
 * grants today: otherwise an administrator could lower the group, join a second account of their
 * own to it, and approve their own requests with it. So does joining the DPO's group, or any
 * group with the retention capability (the retention queue and holds name pupils and the
 * categories of their records, whatever the member's category access): otherwise an administrator
 * could make a second account of their own a decider over destroying records, or read that list.
 */
export function membershipNeedsApproval(
  group: { key: string; grant: Omit<GroupGrant, 'groupId'> },
  restrictedCategoryIds: readonly string[],
): ApprovalReason | null {
  if (DSL_TEAM_GROUP_KEYS.includes(group.key)) return 'dsl_team';
  if (APPROVER_GROUP_KEYS.includes(group.key)) return 'approvers';
  // The data-protection register (issue 17) names requesters and children too.
  if (
    group.key === DPO_GROUP_KEY ||
    group.grant.capabilities.includes('retention') ||
    group.grant.capabilities.includes('data_protection') ||
    // Parents' contact details and children's medical profiles (issue 21).
    group.grant.capabilities.includes('parents')
  ) {
    return 'approvers';
  }
  return grantsRestrictedView(group.grant, restrictedCategoryIds) ? 'restricted' : null;
}

const sameScope = (a: GroupGrant['scope'], b: GroupGrant['scope']) =>
  JSON.stringify(a) === JSON.stringify(b);

const sees = (g: Omit<GroupGrant, 'groupId'>, id: string) =>
  grantAccess({ ...g, groupId: '' }, { id, restricted: true }) === 'view';

/**
 * Whether a change to a group gives its members view of restricted records they did not have:
 * view of a restricted category it did not give (or of every future one: a restricted default of
 * view), or a new scope while it gives any restricted view (other pupils' restricted records).
 * The one rule for a group's settings and its per-category access alike.
 */
export function restrictedViewGrows(
  before: Omit<GroupGrant, 'groupId'>,
  after: Omit<GroupGrant, 'groupId'>,
  restrictedCategoryIds: readonly string[],
): boolean {
  if (after.restrictedDefault === 'view' && before.restrictedDefault !== 'view') return true;
  if (restrictedCategoryIds.some((id) => sees(after, id) && !sees(before, id))) return true;
  return (
    grantsRestrictedView(after, restrictedCategoryIds) && !sameScope(before.scope, after.scope)
  );
}

/** Whether setting a group's access to one category gives view of a restricted category. */
export function categoryChangeNeedsApproval(
  group: Omit<GroupGrant, 'groupId'>,
  category: { id: string; restricted: boolean },
  access: 'none' | 'add' | 'view' | 'inherit',
): boolean {
  if (!category.restricted) return false;
  const categories = { ...group.categories };
  if (access === 'inherit') delete categories[category.id];
  else categories[category.id] = access;
  return restrictedViewGrows(group, { ...group, categories }, [category.id]);
}
