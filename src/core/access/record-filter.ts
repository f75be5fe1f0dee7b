// The permission model as a SQL filter, so every list and search applies exactly the rule that
// canViewRecord (permissions.ts) applies to one record. Protects every list: a record is listed
// only to its author, or — once elevated — when one of the member's grants gives view of one of
// its categories over one of its pupils, and every restricted category on it is itself granted.
// To change safely: change canViewRecord and this together, and keep canViewRecord's tests in
// src/core/access/permissions.test.ts and the list tests that exercise this filter through the
// API (src/http/access-matrix.test.ts, src/features/chronology/chronology-filters.test.ts) passing.
// The same restricted rule reaches the work that touches a record (restrictedTouchSql, below).
import type { GroupGrant, Permissions } from './permissions.ts';
import { grantAccess, grantsAnything } from './permissions.ts';
import {
  inDslTeam,
  restrictedRecordSql,
  seesRestrictedProcessing,
} from './processing-restriction.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How a record type links to its categories and pupils. */
export type RecordLinks = {
  /** e.g. concern_categories */
  categoryTable: string;
  /** e.g. concern_pupils */
  pupilTable: string;
  /** e.g. concern_id */
  foreignKey: string;
};

export const CONCERN_LINKS: RecordLinks = {
  categoryTable: 'concern_categories',
  pupilTable: 'concern_pupils',
  foreignKey: 'concern_id',
};

const IDENT = /^[a-z_][a-z0-9_]*$/;

type Builder = { params: unknown[]; next: number };
function param(b: Builder, value: unknown): string {
  b.params.push(value);
  return `$${b.next + b.params.length - 1}`;
}

function categoryViewSql(b: Builder, g: GroupGrant, k: string): string {
  const explicitView: string[] = [];
  const explicitOther: string[] = [];
  for (const id of Object.keys(g.categories)) {
    if (!UUID.test(id)) continue;
    (grantAccess(g, { id, restricted: false }) === 'view' ? explicitView : explicitOther).push(id);
  }
  const rd = g.restrictedDefault === 'view';
  const nrd = g.nonRestrictedDefault === 'view';
  const fallback =
    rd && nrd ? 'true' : rd ? `${k}.restricted` : nrd ? `NOT ${k}.restricted` : 'false';
  return `(CASE WHEN ${k}.id = ANY(${param(b, explicitView)}::uuid[]) THEN true
    WHEN ${k}.id = ANY(${param(b, explicitOther)}::uuid[]) THEN false ELSE ${fallback} END)`;
}

/**
 * The pupils a member's own teaching and registration groups hold, as an uncorrelated subquery:
 * the same set lantern_pupil_group_refs (migration 0006) overlapping ownGroupIds gives, worked
 * out once per query through indexes rather than once per record (issue 12).
 */
function ownPupilsSql(b: Builder, perms: Permissions): string {
  const own = param(b, [...perms.ownGroupIds]);
  return `SELECT op.id FROM pupils op WHERE 'form:' || op.form = ANY(${own}::text[])
    UNION SELECT om.member_id FROM mis_group_members om JOIN mis_groups og ON og.id = om.group_id
      WHERE om.member_kind = 'pupil' AND og.kind = 'teaching' AND og.archived_at IS NULL
        AND og.mis_id = ANY(${own}::text[])`;
}

/**
 * The pupils a grant's scope covers, as an array worked out once per statement (an uncorrelated
 * ARRAY(subquery) is an init plan: evaluated once, then a constant to every row that asks);
 * undefined for the whole school. A plain IN (subquery) here was re-planned by the embedded
 * engine as a join inside each record's probe — the scope's pupils scanned again per record.
 */
function scopePupilsSql(b: Builder, g: GroupGrant, perms: Permissions): string | undefined {
  switch (g.scope.kind) {
    case 'school':
      return undefined;
    case 'year_groups':
      return `ARRAY(SELECT yp.id FROM pupils yp WHERE yp.year_group = ANY(${param(b, [...g.scope.yearGroups])}::text[]))`;
    case 'own_groups':
      return perms.ownGroupIds.size === 0 ? `'{}'::uuid[]` : `ARRAY(${ownPupilsSql(b, perms)})`;
    default: {
      const never: never = g.scope;
      return never;
    }
  }
}

/**
 * Whether one of the record's pupils is in the grant's scope. The scope's pupils are worked out
 * once per statement (scopePupilsSql), and each record asks only whether a pupil of its own is in
 * that array — an index probe of the link table, no function call — so a list costs what it
 * shows, and a newest-first list still stops at its page.
 */
function scopeSql(b: Builder, g: GroupGrant, perms: Permissions, rec: string, l: RecordLinks) {
  const pupils = scopePupilsSql(b, g, perms);
  if (pupils === undefined) return 'true';
  if (g.scope.kind === 'own_groups' && perms.ownGroupIds.size === 0) return 'false';
  return `EXISTS (SELECT 1 FROM ${l.pupilTable} sp WHERE sp.${l.foreignKey} = ${rec}.id
      AND sp.pupil_id = ANY(${pupils}) OFFSET 0)`;
}

/**
 * The records a member could possibly see, when that is bounded by pupils: every grant that views
 * anything covers a form, a class or a year group (none the whole school), so each record they
 * may see is about one of those pupils or their own. Returned as an uncorrelated subquery of
 * record ids — the scope's pupils worked out once, their records found through the link table's
 * pupil index — for a list to start from the member's pupils rather than walk the school's
 * records newest first (a class teacher's page costs their pupils' records, not the school's;
 * issue 12). It only narrows: recordVisibleSql still decides each record. Undefined when a grant
 * covers the whole school, or the member is not elevated (their own records have their own index).
 */
export function candidateRecordsSql(
  actor: { userId: string; elevated: boolean; permissions: Permissions },
  from: number,
): { sql: string; params: unknown[] } | undefined {
  if (!actor.elevated) return undefined;
  const b: Builder = { params: [], next: from };
  const sets: string[] = [];
  for (const g of actor.permissions.grants) {
    if (!grantsAnything(g, 'view')) continue;
    const pupils = scopePupilsSql(b, g, actor.permissions);
    if (pupils === undefined) return undefined;
    sets.push(pupils);
  }
  const own = `SELECT cr.id FROM concerns cr WHERE cr.author_id = ${param(b, actor.userId)}`;
  const about = sets.map(
    (pupils) => `SELECT cp.concern_id FROM concern_pupils cp WHERE cp.pupil_id = ANY(${pupils})`,
  );
  return { sql: [...about, own].join(' UNION '), params: b.params };
}

/** A grant over the whole school that views every category, restricted or not. */
function seesEveryRecord(g: GroupGrant): boolean {
  return (
    g.scope.kind === 'school' &&
    g.nonRestrictedDefault === 'view' &&
    g.restrictedDefault === 'view' &&
    Object.values(g.categories).every((a) => a === 'view')
  );
}

/**
 * A WHERE fragment over the record alias `rec` (with `id` and `author_id` columns), parameters
 * numbered from `from`.
 */
export function recordVisibleSql(
  actor: { userId: string; elevated: boolean; permissions: Permissions },
  from: number,
  rec = 'c',
  links: RecordLinks = CONCERN_LINKS,
): { sql: string; params: unknown[] } {
  const granted = grantedVisibleSql(actor, from, rec, links);
  // A record under a restriction of processing (Article 18) is the DSL team's alone, its author's
  // own right to read it included (processing-restriction.ts). Only concerns are restricted.
  if (links !== CONCERN_LINKS || seesRestrictedProcessing(actor)) return granted;
  return { sql: `(NOT ${restrictedRecordSql(rec)} AND ${granted.sql})`, params: granted.params };
}

function grantedVisibleSql(
  actor: { userId: string; elevated: boolean; permissions: Permissions },
  from: number,
  rec: string,
  links: RecordLinks,
): { sql: string; params: unknown[] } {
  for (const name of [rec, links.categoryTable, links.pupilTable, links.foreignKey]) {
    if (!IDENT.test(name)) throw new Error(`recordVisibleSql: bad identifier ${name}`);
  }
  const b: Builder = { params: [], next: from };
  const mine = `${rec}.author_id = ${param(b, actor.userId)}`;
  if (!actor.elevated || actor.permissions.grants.length === 0) {
    return { sql: `(${mine})`, params: b.params };
  }
  // The DSL team's grant — the whole school, every category — sees every record that has a
  // category at all (canViewRecord refuses one with none), with nothing to weigh per category.
  if (actor.permissions.grants.some(seesEveryRecord)) {
    return {
      sql: `(${mine} OR EXISTS (SELECT 1 FROM ${links.categoryTable} ac
        WHERE ac.${links.foreignKey} = ${rec}.id OFFSET 0))`,
      params: b.params,
    };
  }
  const viewable = (k: string) => {
    const parts = actor.permissions.grants.map(
      (g) => `(${categoryViewSql(b, g, k)} AND ${scopeSql(b, g, actor.permissions, rec, links)})`,
    );
    return parts.length > 0 ? parts.join(' OR ') : 'false';
  };
  // OFFSET 0 keeps each test a probe of the record's own few links. Without it the planner may
  // turn an EXISTS under this OR into a hashed subplan: every link in the school read and hashed
  // before the first row of a newest-first page (measured: 440 ms at 200,000 concerns; issue 12).
  const some = `EXISTS (SELECT 1 FROM ${links.categoryTable} vc JOIN categories vk ON vk.id = vc.category_id
    WHERE vc.${links.foreignKey} = ${rec}.id AND (${viewable('vk')}) OFFSET 0)`;
  const restrictedOk = `NOT EXISTS (SELECT 1 FROM ${links.categoryTable} rc JOIN categories rk
    ON rk.id = rc.category_id WHERE rc.${links.foreignKey} = ${rec}.id AND rk.restricted
    AND NOT (${viewable('rk')}) OFFSET 0)`;
  return { sql: `(${mine} OR (${some} AND ${restrictedOk}))`, params: b.params };
}

/**
 * Where an item's touched concerns are found, as column references (`a.concern_id`, `c.id`):
 * `concern` names one concern; `case` names a case, whose concerns are every concern filed in it
 * now and every concern its events ever named (one that moved to another case still counts).
 */
export type TouchRefs = { concern?: string; case?: string };

const COLUMN_REF = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;

/**
 * A WHERE fragment: the item whose concern and case are `refs` touches no restricted category the
 * member may not view — canViewTouching (permissions.ts) as SQL, for every list and single read
 * of case work (actions, referrals, conversations, cases and their events). For each touched
 * concern, each of its restricted categories must be viewable for one of that concern's pupils,
 * as the restricted half of recordVisibleSql asks of the concern itself. Grants only: elevation
 * and the abilities to see such items are the caller's. Parameters are numbered from `from`.
 * To change safely: change canViewTouching with it, and keep record-filter.test.ts (the two
 * agree over every kind of grant) and the API tests in src/features/cases/restricted-matters.test.ts
 * passing. The aliases below (rc, rk, wc, sp, spp, tcn, tce, prt) must not be the caller's.
 */
export function restrictedTouchSql(
  actor: { permissions: Permissions },
  from: number,
  refs: TouchRefs,
): { sql: string; params: unknown[] } {
  const cols = [refs.concern, refs.case].filter((c): c is string => c !== undefined);
  if (cols.length === 0) throw new Error('restrictedTouchSql: nothing to touch');
  for (const col of cols) {
    if (!COLUMN_REF.test(col)) throw new Error(`restrictedTouchSql: bad column ${col}`);
  }
  const perms = actor.permissions;
  // A school-wide grant of every restricted category (the DSL team's): no category is withheld.
  const seesAllRestricted = perms.grants.some(
    (g) =>
      g.scope.kind === 'school' &&
      g.restrictedDefault === 'view' &&
      Object.values(g.categories).every((a) => a === 'view'),
  );
  // Work touching a record under a restriction of processing (Article 18) is the DSL team's alone,
  // as the record is (processing-restriction.ts): a headteacher who sees every category is
  // withheld it too while the restriction lasts.
  const hidesRestricted = !inDslTeam(perms);
  if (seesAllRestricted && !hidesRestricted) return { sql: 'true', params: [] };
  const b: Builder = { params: [], next: from };
  const sources: string[] = [];
  if (!seesAllRestricted) {
    const viewable = perms.grants.map(
      (g) => `(${categoryViewSql(b, g, 'rk')} AND ${scopeSql(b, g, perms, 'wc', CONCERN_LINKS)})`,
    );
    sources.push(`SELECT rc.concern_id FROM concern_categories rc
    JOIN categories rk ON rk.id = rc.category_id JOIN concerns wc ON wc.id = rc.concern_id
    WHERE rk.restricted AND NOT (${viewable.length > 0 ? viewable.join(' OR ') : 'false'})`);
  }
  if (hidesRestricted)
    sources.push('SELECT prt.concern_id FROM dp_restrictions prt WHERE prt.lifted_at IS NULL');
  // The concerns withheld from this member, and the cases holding or naming one: each an
  // uncorrelated subquery, so the engine works it out once per query (a hashed set) rather than
  // once per row. Neither yields NULL, so NOT IN means what it says.
  const withheld = sources.join(' UNION ');
  const withheldCases = `SELECT tcn.case_id FROM concerns tcn
      WHERE tcn.case_id IS NOT NULL AND tcn.id IN (${withheld})
    UNION SELECT tce.case_id FROM case_events tce WHERE tce.concern_id IN (${withheld})`;
  const parts = [
    ...(refs.concern ? [`(${refs.concern} IS NULL OR ${refs.concern} NOT IN (${withheld}))`] : []),
    ...(refs.case ? [`(${refs.case} IS NULL OR ${refs.case} NOT IN (${withheldCases}))`] : []),
  ];
  const sql = `(${parts.join(' AND ')})`;
  return { sql, params: b.params };
}
