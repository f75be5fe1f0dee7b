// The permission model each school configures (CPOMS's model): staff belong to groups; each group
// has, per category of record, view / add / none, over a scope of pupils; restricted categories
// are seen only by groups granted them explicitly; and a few capabilities stand apart.
// Pure data and decisions — no database — so every list filter and every check uses one rulebook.
//
// Deny by default: anything missing, unknown or malformed grants nothing. A member's permissions
// are the union of their groups' grants, but each grant keeps its own scope: a group that may view
// category A for Year 7 and another that may view B school-wide never add up to A school-wide.

import {
  CAPABILITIES,
  CATEGORY_ACCESS,
  type Capability,
  type CategoryAccess,
} from '../../shared/access.ts';
export { CAPABILITIES, CATEGORY_ACCESS, type Capability, type CategoryAccess };

export type Scope =
  | { kind: 'school' }
  | { kind: 'year_groups'; yearGroups: readonly string[] }
  /** Only pupils in the member's own teaching and registration groups. */
  | { kind: 'own_groups' };

export interface GroupGrant {
  groupId: string;
  /** Access to every non-restricted category not listed in `categories`. */
  nonRestrictedDefault: CategoryAccess;
  /**
   * Access to every restricted category not listed in `categories`. `none` for all groups except
   * those the school trusts with every restricted category (the DSL team, the headteacher).
   */
  restrictedDefault: CategoryAccess;
  /** Explicit access per category id; overrides this group's defaults (either way). */
  categories: Readonly<Record<string, CategoryAccess>>;
  scope: Scope;
  capabilities: readonly Capability[];
  /**
   * The group's fixed key (a default group's: 'dsl', 'deputy_dsl', 'dpo'…), when it was read with
   * the grant; processing-restriction.ts asks it whether the member is in the DSL team.
   */
  groupKey?: string;
}

/** What one member may do: their groups' grants, checked and frozen, plus their own groups. */
export interface Permissions {
  readonly grants: readonly GroupGrant[];
  readonly capabilities: ReadonlySet<Capability>;
  /** The member's own teaching and registration groups (for `own_groups` scopes). */
  readonly ownGroupIds: ReadonlySet<string>;
}

export interface CategoryRef {
  id: string;
  restricted: boolean;
}

export interface ScopedPupil {
  yearGroup: string | null;
  groupIds: readonly string[];
}

const RANK: Record<CategoryAccess, number> = { none: 0, add: 1, view: 2 };

function isAccess(value: unknown): value is CategoryAccess {
  return typeof value === 'string' && (CATEGORY_ACCESS as readonly string[]).includes(value);
}

function isCapability(value: unknown): value is Capability {
  return typeof value === 'string' && (CAPABILITIES as readonly string[]).includes(value);
}

function sanitiseScope(scope: unknown): Scope | null {
  if (typeof scope !== 'object' || scope === null) return null;
  const s = scope as { kind?: unknown; yearGroups?: unknown };
  if (s.kind === 'school') return { kind: 'school' };
  if (s.kind === 'own_groups') return { kind: 'own_groups' };
  if (s.kind === 'year_groups' && Array.isArray(s.yearGroups)) {
    const yearGroups = s.yearGroups.filter((y): y is string => typeof y === 'string');
    return { kind: 'year_groups', yearGroups: Object.freeze(yearGroups) };
  }
  return null;
}

/** A grant as stored may be stale or hand-edited JSON: keep only what is well formed. */
function sanitiseGrant(grant: GroupGrant): GroupGrant | null {
  const scope = sanitiseScope(grant.scope);
  if (scope === null) return null;
  const categories: Record<string, CategoryAccess> = Object.create(null) as Record<
    string,
    CategoryAccess
  >;
  if (typeof grant.categories === 'object' && grant.categories !== null) {
    for (const [id, access] of Object.entries(grant.categories)) {
      // An unknown value in an explicit entry is an explicit "none" — it also overrides defaults.
      categories[id] = isAccess(access) ? access : 'none';
    }
  }
  return Object.freeze({
    groupId: String(grant.groupId),
    nonRestrictedDefault: isAccess(grant.nonRestrictedDefault)
      ? grant.nonRestrictedDefault
      : 'none',
    restrictedDefault: isAccess(grant.restrictedDefault) ? grant.restrictedDefault : 'none',
    categories: Object.freeze(categories),
    scope,
    capabilities: Object.freeze(
      Array.isArray(grant.capabilities) ? grant.capabilities.filter(isCapability) : [],
    ),
    ...(typeof grant.groupKey === 'string' && { groupKey: grant.groupKey }),
  });
}

/** One member's permissions from the grants of every group they belong to. */
export function resolvePermissions(
  groupGrants: readonly GroupGrant[],
  member: { ownGroupIds?: readonly string[] } = {},
): Permissions {
  const grants = groupGrants.map(sanitiseGrant).filter((g): g is GroupGrant => g !== null);
  return Object.freeze({
    grants: Object.freeze(grants),
    capabilities: new Set(grants.flatMap((g) => g.capabilities)),
    ownGroupIds: new Set(member.ownGroupIds ?? []),
  });
}

/**
 * A group's access to one category. Protects restricted categories: a restricted category is
 * reached only through an explicit entry or the group's `restrictedDefault` — never through
 * `nonRestrictedDefault`, a wide scope or any capability. Keep it that way when changing this.
 */
export function grantAccess(grant: GroupGrant, category: CategoryRef): CategoryAccess {
  if (Object.hasOwn(grant.categories, category.id)) {
    return grant.categories[category.id] ?? 'none';
  }
  return category.restricted ? grant.restrictedDefault : grant.nonRestrictedDefault;
}

function atLeast(access: CategoryAccess, wanted: CategoryAccess): boolean {
  return RANK[access] >= RANK[wanted] && access !== 'none';
}

/** Whether a scope covers a pupil; `null` (a record about no pupil) is covered by `school` only. */
export function scopeIncludes(
  scope: Scope,
  pupil: ScopedPupil | null,
  ownGroupIds: ReadonlySet<string>,
): boolean {
  switch (scope.kind) {
    case 'school':
      return true;
    case 'year_groups':
      return (
        pupil !== null && pupil.yearGroup !== null && scope.yearGroups.includes(pupil.yearGroup)
      );
    case 'own_groups':
      return pupil !== null && pupil.groupIds.some((g) => ownGroupIds.has(g));
    default: {
      const unknown: never = scope;
      void unknown;
      return false;
    }
  }
}

/** May the member see records of this category for at least some pupils? */
export function canViewCategory(
  perms: Permissions,
  categoryId: string,
  restricted: boolean,
): boolean {
  return perms.grants.some((g) => grantAccess(g, { id: categoryId, restricted }) === 'view');
}

/** May the member log a record in this category (for at least some pupils)? */
export function canAddCategory(
  perms: Permissions,
  categoryId: string,
  restricted: boolean,
): boolean {
  return perms.grants.some((g) => atLeast(grantAccess(g, { id: categoryId, restricted }), 'add'));
}

/**
 * Is the pupil within reach for this level of access in any category? With `view` (the default)
 * this answers "may they open this pupil's page at all"; with `add`, "may they log about them".
 */
export function pupilInScope(
  perms: Permissions,
  pupil: ScopedPupil,
  level: 'view' | 'add' = 'view',
): boolean {
  return perms.grants.some(
    (g) => grantsAnything(g, level) && scopeIncludes(g.scope, pupil, perms.ownGroupIds),
  );
}

/** Whether a grant gives `level` of any category at all (over its scope). */
export function grantsAnything(grant: GroupGrant, level: 'view' | 'add'): boolean {
  return (
    atLeast(grant.nonRestrictedDefault, level) ||
    atLeast(grant.restrictedDefault, level) ||
    Object.values(grant.categories).some((a) => atLeast(a, level))
  );
}

/** The pairwise check: one grant must give both the category and the pupil. */
export function canAccessCategoryForPupil(
  perms: Permissions,
  category: CategoryRef,
  pupil: ScopedPupil | null,
  level: 'view' | 'add',
): boolean {
  return perms.grants.some(
    (g) =>
      atLeast(grantAccess(g, category), level) && scopeIncludes(g.scope, pupil, perms.ownGroupIds),
  );
}

/**
 * May the member see a record with these categories about these pupils? Protects every record
 * read. Every restricted category on the record must itself be viewable for one of its pupils —
 * so a restricted category hides the record from anyone not granted it, whatever else they hold —
 * and at least one category must be. A record with no category is seen by no one here.
 */
export function canViewRecord(perms: Permissions, record: CategorisedRecord): boolean {
  if (record.categories.length === 0) return false;
  return restrictedViewable(perms, record) && record.categories.some(viewableIn(perms, record));
}

/** A record as the category rules see it: its categories and its pupils. */
export interface CategorisedRecord {
  categories: readonly CategoryRef[];
  pupils: readonly ScopedPupil[];
}

/** Is this category viewable for one of the record's pupils (or, about no pupil, school-wide)? */
function viewableIn(perms: Permissions, record: CategorisedRecord) {
  const pupils: readonly (ScopedPupil | null)[] = record.pupils.length > 0 ? record.pupils : [null];
  return (c: CategoryRef) => pupils.some((p) => canAccessCategoryForPupil(perms, c, p, 'view'));
}

/** The restricted half of canViewRecord: every restricted category on it viewable in scope. */
function restrictedViewable(perms: Permissions, record: CategorisedRecord): boolean {
  return record.categories.filter((c) => c.restricted).every(viewableIn(perms, record));
}

/**
 * May the member see an item that touches these records — an action, referral, conversation or
 * case (with its events, outcome and rationale) on them, or an earlier version of one as it was
 * filed then? Protects restricted matters beyond the concern itself (issue 11, findings 4 and 5):
 * every restricted category of every touched record must be viewable for one of that record's
 * pupils, exactly as canViewRecord requires of the record itself; a record with no restricted
 * category asks nothing. Grants only: the second-factor tier and the ability to see such items at
 * all (case.manage, actions.assigned) are checked by the caller. The SQL twin, for lists, is
 * restrictedTouchSql in record-filter.ts: change both together, with their tests
 * (permissions.test.ts, record-filter.test.ts).
 */
export function canViewTouching(
  perms: Permissions,
  touched: readonly CategorisedRecord[],
): boolean {
  return touched.every((record) => restrictedViewable(perms, record));
}

export function hasCapability(perms: Permissions, capability: Capability): boolean {
  return perms.capabilities.has(capability);
}

/** For list and search queries: where each category may be seen, merged over the member's grants. */
export interface CategoryViewScope {
  categoryId: string;
  wholeSchool: boolean;
  yearGroups: string[];
  /** The member's own groups, when an `own_groups` grant covers the category. */
  groupIds: string[];
}

/**
 * The filter a list query must apply: only these categories, each only within its scope.
 * Categories absent from the result must not be returned at all. Restricted categories on a
 * record must be checked with `canViewRecord` too (a record may carry several categories).
 */
export function categoryViewScopes(
  perms: Permissions,
  categories: readonly CategoryRef[],
): CategoryViewScope[] {
  const result: CategoryViewScope[] = [];
  for (const category of categories) {
    const grants = perms.grants.filter((g) => grantAccess(g, category) === 'view');
    if (grants.length === 0) continue;
    const yearGroups = new Set<string>();
    let wholeSchool = false;
    let ownGroups = false;
    for (const { scope } of grants) {
      if (scope.kind === 'school') wholeSchool = true;
      else if (scope.kind === 'year_groups') scope.yearGroups.forEach((y) => yearGroups.add(y));
      else ownGroups = true;
    }
    result.push({
      categoryId: category.id,
      wholeSchool,
      yearGroups: [...yearGroups],
      groupIds: ownGroups ? [...perms.ownGroupIds] : [],
    });
  }
  return result;
}
