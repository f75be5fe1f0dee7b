// The permission model as a SQL filter, so every list and search applies exactly the rule that
// canViewRecord (permissions.ts) applies to one record. Protects every list: a record is listed
// only to its author, or — once elevated — when one of the member's grants gives view of one of
// its categories over one of its pupils, and every restricted category on it is itself granted.
// To change safely: change canViewRecord and this together, and keep canViewRecord's tests in
// src/core/access/permissions.test.ts and the list tests that exercise this filter through the
// API (src/http/access-matrix.test.ts, src/features/chronology/chronology-filters.test.ts) passing.
import type { GroupGrant, Permissions } from './permissions.ts';
import { grantAccess } from './permissions.ts';

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

function scopeSql(b: Builder, g: GroupGrant, perms: Permissions, rec: string, l: RecordLinks) {
  const pupilMatch = (cond: string) =>
    `EXISTS (SELECT 1 FROM ${l.pupilTable} sp JOIN pupils spp ON spp.id = sp.pupil_id
      WHERE sp.${l.foreignKey} = ${rec}.id AND ${cond})`;
  switch (g.scope.kind) {
    case 'school':
      return 'true';
    case 'year_groups':
      return pupilMatch(`spp.year_group = ANY(${param(b, [...g.scope.yearGroups])}::text[])`);
    case 'own_groups':
      return pupilMatch(
        `lantern_pupil_group_refs(spp.id, spp.form) && ${param(b, [...perms.ownGroupIds])}::text[]`,
      );
    default: {
      const never: never = g.scope;
      return never;
    }
  }
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
  for (const name of [rec, links.categoryTable, links.pupilTable, links.foreignKey]) {
    if (!IDENT.test(name)) throw new Error(`recordVisibleSql: bad identifier ${name}`);
  }
  const b: Builder = { params: [], next: from };
  const mine = `${rec}.author_id = ${param(b, actor.userId)}`;
  if (!actor.elevated || actor.permissions.grants.length === 0) {
    return { sql: `(${mine})`, params: b.params };
  }
  const viewable = (k: string) => {
    const parts = actor.permissions.grants.map(
      (g) => `(${categoryViewSql(b, g, k)} AND ${scopeSql(b, g, actor.permissions, rec, links)})`,
    );
    return parts.length > 0 ? parts.join(' OR ') : 'false';
  };
  const some = `EXISTS (SELECT 1 FROM ${links.categoryTable} vc JOIN categories vk ON vk.id = vc.category_id
    WHERE vc.${links.foreignKey} = ${rec}.id AND (${viewable('vk')}))`;
  const restrictedOk = `NOT EXISTS (SELECT 1 FROM ${links.categoryTable} rc JOIN categories rk
    ON rk.id = rc.category_id WHERE rc.${links.foreignKey} = ${rec}.id AND rk.restricted
    AND NOT (${viewable('rk')}))`;
  return { sql: `(${mine} OR (${some} AND ${restrictedOk}))`, params: b.params };
}
