// Administering the permission model: groups (defaults per category, scope, capabilities) and
// each group's access per category. Every change is audited with what it was and what it became.
// A change that would give view of restricted records waits for approval (approval-requests.ts);
// the apply* functions are what an approval (approvals.ts) runs.
import type { Tx } from '../../core/context.ts';
import { badRequest, conflict, notFound } from '../../core/errors.ts';
import {
  CAPABILITIES,
  type CategoryAccess,
  type Capability,
  type GroupGrant,
  type Scope,
} from '../../core/access/permissions.ts';
import { GROUP_GRANT_SELECT, grantOf, scopeOf } from '../../core/access/load.ts';
import { categoryChangeNeedsApproval, restrictedViewGrows } from '../../core/access/approvers.ts';
import type { AwaitingApproval } from '../../shared/schemas/administration.ts';
import { actorBelongsTo, ownAccessRefused } from './own-access.ts';
import { askApproval, restrictedCategoryIds } from './approval-requests.ts';

export type GroupInput = {
  name: string;
  description?: string;
  nonRestrictedDefault: CategoryAccess;
  restrictedDefault: CategoryAccess;
  scope: { kind: Scope['kind']; yearGroups?: string[] };
  capabilities: Capability[];
};

export async function listGroups(t: Tx) {
  const rows = await t.q<
    Parameters<typeof grantOf>[0] & {
      key: string;
      name: string;
      description: string;
      members: string[];
    }
  >(
    `SELECT ${GROUP_GRANT_SELECT}, g.key, g.name, g.description,
       coalesce((SELECT array_agg(m.user_id::text) FROM staff_group_members m WHERE m.group_id = g.id), '{}') AS members
     FROM staff_groups g ORDER BY g.name`,
  );
  return rows.map((r) => {
    const g = grantOf(r);
    return {
      id: r.id,
      key: r.key,
      name: r.name,
      description: r.description,
      nonRestrictedDefault: g.nonRestrictedDefault,
      restrictedDefault: g.restrictedDefault,
      scope: {
        kind: g.scope.kind,
        yearGroups: g.scope.kind === 'year_groups' ? [...g.scope.yearGroups] : [],
      },
      capabilities: [...g.capabilities],
      categories: Object.entries(g.categories).map(([categoryId, access]) => ({
        categoryId,
        access,
      })),
      memberIds: r.members,
    };
  });
}

/** The year groups of the school's current pupils, in a natural order (Year 2 before Year 10). */
export async function listYearGroups(t: Tx): Promise<string[]> {
  const rows = await t.q<{ year_group: string }>(
    `SELECT DISTINCT year_group FROM pupils
     WHERE archived_at IS NULL AND year_group IS NOT NULL AND year_group <> ''`,
  );
  return rows
    .map((r) => r.year_group)
    .sort((a, b) => a.localeCompare(b, 'en-GB', { numeric: true }));
}

function checkInput(g: GroupInput) {
  if (g.scope.kind === 'year_groups' && (g.scope.yearGroups ?? []).length === 0) {
    throw badRequest('Choose at least one year group for this scope.', 'no_year_groups');
  }
  if (g.capabilities.some((c) => !(CAPABILITIES as readonly string[]).includes(c))) {
    throw badRequest('Unknown capability.', 'bad_capability');
  }
}

const slug = (name: string) =>
  `custom_${name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
    .slice(0, 40)}_${Date.now().toString(36)}`;

export async function createGroup(t: Tx, g: GroupInput): Promise<string> {
  checkInput(g);
  const [clash] = await t.q('SELECT 1 FROM staff_groups WHERE lower(name) = lower($1)', [
    g.name.trim(),
  ]);
  if (clash) throw conflict('A group with that name already exists.');
  const [row] = await t.q<{ id: string }>(
    `INSERT INTO staff_groups (school_id, key, name, description, non_restricted_default,
       restricted_default, scope_kind, scope_year_groups, capabilities, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
    [
      t.actor.schoolId,
      slug(g.name),
      g.name.trim(),
      g.description ?? '',
      g.nonRestrictedDefault,
      g.restrictedDefault,
      g.scope.kind,
      g.scope.yearGroups ?? [],
      g.capabilities,
      t.now,
    ],
  );
  await t.audit({
    action: 'group.created',
    targetType: 'group',
    targetId: row!.id,
    details: summary(g),
  });
  return row!.id;
}

/**
 * Changes a group's settings. When the change would give its members view of restricted records
 * they did not have (restrictedViewGrows), its restricted default and scope wait for a DSL's or
 * the headteacher's approval (approval-requests.ts) and the rest applies at once.
 */
export async function updateGroup(
  t: Tx,
  id: string,
  g: GroupInput,
  alerted: string[],
): Promise<AwaitingApproval[]> {
  checkInput(g);
  const [clash] = await t.q(
    'SELECT 1 FROM staff_groups WHERE lower(name) = lower($1) AND id <> $2',
    [g.name.trim(), id],
  );
  if (clash) throw conflict('A group with that name already exists.');
  const before = await groupBefore(t, id);
  const details = changeDetails(before.summary, summary(g), before.text(g));
  // Renaming or describing one's own group is allowed; changing what it grants is not.
  if ((details.changed as string[]).length > 0 && (await actorBelongsTo(t, id)))
    throw ownAccessRefused({ type: 'group', id });
  const after = { ...before.grant, ...grantFields(g) };
  if (!restrictedViewGrows(before.grant, after, await restrictedCategoryIds(t))) {
    await applyGroupUpdate(t, id, g);
    return [];
  }
  // The rest applies now; the restricted default and the scope wait for approval, and are then
  // applied to the group as it is at that time (nothing changed meanwhile is undone).
  const now: GroupInput = {
    ...g,
    restrictedDefault: before.grant.restrictedDefault,
    scope: inputScope(before.grant),
  };
  const text = before.text(g);
  const changedNow = changeDetails(before.summary, summary(now), text).changed as string[];
  if (changedNow.length > 0 || text.renamed || text.descriptionChanged)
    await applyGroupUpdate(t, id, now);
  const asked: PendingGroupChange = { restrictedDefault: g.restrictedDefault, scope: g.scope };
  return [
    await askApproval(t, { kind: 'group', groupId: id, input: asked }, 'restricted', alerted),
  ];
}

/** What an approval of a group request applies: the parts that open restricted records. */
export type PendingGroupChange = Pick<GroupInput, 'restrictedDefault' | 'scope'>;

const inputScope = (g: { scope: GroupGrant['scope'] }): GroupInput['scope'] =>
  g.scope.kind === 'year_groups'
    ? { kind: 'year_groups', yearGroups: [...g.scope.yearGroups] }
    : { kind: g.scope.kind };

/** Applies an approved group request to the group as it is now. */
export async function applyApprovedGroupChange(
  t: Tx,
  id: string,
  change: PendingGroupChange,
): Promise<void> {
  const [row] = await t.q<Parameters<typeof grantOf>[0] & { name: string; description: string }>(
    `SELECT ${GROUP_GRANT_SELECT}, g.name, g.description FROM staff_groups g WHERE g.id = $1`,
    [id],
  );
  if (!row) throw notFound('That group');
  const current = grantOf(row);
  await applyGroupUpdate(t, id, {
    name: row.name,
    description: row.description,
    nonRestrictedDefault: current.nonRestrictedDefault,
    capabilities: [...current.capabilities],
    restrictedDefault: change.restrictedDefault,
    scope: change.scope,
  });
}

async function groupBefore(t: Tx, id: string) {
  const [row] = await t.q<Parameters<typeof grantOf>[0] & { name: string; description: string }>(
    `SELECT ${GROUP_GRANT_SELECT}, g.name, g.description FROM staff_groups g WHERE g.id = $1 FOR UPDATE`,
    [id],
  );
  if (!row) throw notFound('That group');
  const grant = grantOf(row);
  return {
    grant,
    summary: {
      nonRestrictedDefault: grant.nonRestrictedDefault,
      restrictedDefault: grant.restrictedDefault,
      scope: grant.scope.kind,
      yearGroups: grant.scope.kind === 'year_groups' ? [...grant.scope.yearGroups] : [],
      capabilities: [...grant.capabilities],
    },
    text: (g: GroupInput) => ({
      renamed: row.name !== g.name.trim(),
      descriptionChanged: row.description !== (g.description ?? ''),
    }),
  };
}

/** The grant a group's settings make (its per-category entries are set apart). */
function grantFields(g: GroupInput) {
  return {
    nonRestrictedDefault: g.nonRestrictedDefault,
    restrictedDefault: g.restrictedDefault,
    scope: scopeOf(g.scope.kind, g.scope.kind === 'year_groups' ? (g.scope.yearGroups ?? []) : []),
    capabilities: g.capabilities,
  };
}

/** Applies a group's new settings and audits what changed (also on approval). */
export async function applyGroupUpdate(t: Tx, id: string, g: GroupInput): Promise<void> {
  checkInput(g);
  const before = await groupBefore(t, id);
  const details = changeDetails(before.summary, summary(g), before.text(g));
  await t.q(
    `UPDATE staff_groups SET name = $2, description = $3, non_restricted_default = $4,
       restricted_default = $5, scope_kind = $6, scope_year_groups = $7, capabilities = $8, updated_at = $9
     WHERE id = $1 RETURNING id`,
    [
      id,
      g.name.trim(),
      g.description ?? '',
      g.nonRestrictedDefault,
      g.restrictedDefault,
      g.scope.kind,
      g.scope.kind === 'year_groups' ? (g.scope.yearGroups ?? []) : [],
      g.capabilities,
      t.now,
    ],
  );
  await t.audit({
    action: 'group.updated',
    targetType: 'group',
    targetId: id,
    details,
  });
}

type Summary = ReturnType<typeof summary>;

/**
 * What a group was and what it became, flat (audit details hold no nested objects): each setting
 * as `<setting>Before` and `<setting>After`, and the names of those that changed. The group's name
 * and description are free text, so only whether they changed is recorded.
 */
function changeDetails(
  before: Summary,
  after: Summary,
  text: { renamed: boolean; descriptionChanged: boolean },
) {
  const details: Record<string, string | string[] | boolean> = { ...text };
  const changed: string[] = [];
  for (const key of Object.keys(after) as (keyof Summary)[]) {
    details[`${key}Before`] = before[key];
    details[`${key}After`] = after[key];
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changed.push(key);
  }
  details.changed = changed;
  return details;
}

function summary(g: GroupInput): {
  nonRestrictedDefault: string;
  restrictedDefault: string;
  scope: string;
  yearGroups: string[];
  capabilities: string[];
} {
  return {
    nonRestrictedDefault: g.nonRestrictedDefault,
    restrictedDefault: g.restrictedDefault,
    scope: g.scope.kind,
    yearGroups: g.scope.kind === 'year_groups' ? (g.scope.yearGroups ?? []) : [],
    capabilities: g.capabilities,
  };
}

/**
 * Sets (or, with `inherit`, clears) one group's access to one category, or — when that would give
 * view of a restricted category — records it for approval instead.
 */
export async function setCategoryAccess(
  t: Tx,
  groupId: string,
  categoryId: string,
  access: CategoryAccess | 'inherit',
  alerted: string[],
): Promise<AwaitingApproval[]> {
  const [group] = await t.q<Parameters<typeof grantOf>[0]>(
    `SELECT ${GROUP_GRANT_SELECT} FROM staff_groups g WHERE g.id = $1`,
    [groupId],
  );
  if (!group) throw notFound('That group');
  const [category] = await t.q<{ restricted: boolean }>(
    'SELECT restricted FROM categories WHERE id = $1',
    [categoryId],
  );
  if (!category) throw notFound('That category');
  const before = grantOf(group).categories[categoryId] ?? 'inherit';
  if (before === access) return [];
  if (await actorBelongsTo(t, groupId)) throw ownAccessRefused({ type: 'group', id: groupId });
  if (
    categoryChangeNeedsApproval(
      grantOf(group),
      { id: categoryId, restricted: category.restricted },
      access,
    )
  ) {
    const change = { kind: 'category_access' as const, groupId, categoryId, access };
    return [await askApproval(t, change, 'restricted', alerted)];
  }
  await applyCategoryAccess(t, groupId, categoryId, access);
  return [];
}

/**
 * The groups × categories grid saved in one go (issue 14). Each cell is the per-group change
 * above — same rules, same approvals, same audit event — run in the caller's one transaction, so
 * a refusal of any cell (a group the administrator belongs to, a group or category not in the
 * school) throws and rolls every cell back. A cell named twice is refused before anything runs.
 */
export async function setCategoryAccessGrid(
  t: Tx,
  changes: readonly {
    groupId: string;
    categoryId: string;
    access: CategoryAccess | 'inherit';
  }[],
  alerted: string[],
): Promise<AwaitingApproval[]> {
  const cells = new Set(changes.map((c) => `${c.groupId}/${c.categoryId}`));
  if (cells.size !== changes.length)
    throw badRequest('The same group and category appear twice in the changes; nothing was saved.');
  const awaiting: AwaitingApproval[] = [];
  for (const c of changes)
    awaiting.push(...(await setCategoryAccess(t, c.groupId, c.categoryId, c.access, alerted)));
  return awaiting;
}

/** Applies one group's access to one category and audits it (also on approval). */
export async function applyCategoryAccess(
  t: Tx,
  groupId: string,
  categoryId: string,
  access: CategoryAccess | 'inherit',
): Promise<void> {
  const [before] = await t.q<{ access: string }>(
    'SELECT access FROM group_category_access WHERE group_id = $1 AND category_id = $2',
    [groupId, categoryId],
  );
  if (access === 'inherit') {
    await t.q('DELETE FROM group_category_access WHERE group_id = $1 AND category_id = $2', [
      groupId,
      categoryId,
    ]);
  } else {
    await t.q(
      `INSERT INTO group_category_access (school_id, group_id, category_id, access) VALUES ($1, $2, $3, $4)
       ON CONFLICT (group_id, category_id) DO UPDATE SET access = $4`,
      [t.actor.schoolId, groupId, categoryId, access],
    );
  }
  await t.audit({
    action: 'group.category_access_changed',
    targetType: 'group',
    targetId: groupId,
    details: { category: categoryId, before: before?.access ?? 'inherit', after: access },
  });
}
