// The reports' daily rollup (migration 0075): records counted by England's day and category set,
// and by pupil, day and category set, kept by triggers on the records' links so no path that
// adds, edits or destroys a record can miss it. The reports read it for a reader whose every grant
// covers the whole school (the DSL team, the headteacher, the pastoral team): each category set is
// then judged once by canViewRecord, the same rule every list applies to one record, instead of
// each record of the year being probed by recordVisibleSql. A reader with a narrower grant (a year
// group, their own classes) is counted from the records themselves (figures.ts).
// To change safely: keep the triggers in 0075 and this reading together, and keep
// rollup.test.ts (the rollup equals the records after adding, editing, moving and destroying, on
// both engines) and reports.test.ts passing.
import type { SchoolTx, Tx } from '../../core/context.ts';
import { canViewRecord, grantAccess, type CategoryRef } from '../../core/access/permissions.ts';
import { recordVisibleSql } from '../../core/access/record-filter.ts';
import type { Range } from './range.ts';

/** No member: the author that recordVisibleSql's own-records half is asked about. */
const NOBODY = '00000000-0000-0000-0000-000000000000';

/**
 * Whether the rollup can answer exactly for this reader: elevated, and every category a grant of
 * theirs views over part of the school (a year group, their classes) also viewed by a grant over
 * the whole school — so the part-school grant shows them nothing more, and each category set's
 * visibility does not depend on the record's pupils. The DSL team and the headteacher; a pastoral
 * lead who also teaches a class.
 */
export function rollupAnswersFor(actor: Tx['actor'], categories: readonly CategoryRef[]): boolean {
  if (!actor.elevated) return false;
  const whole = actor.permissions.grants.filter((g) => g.scope.kind === 'school');
  return actor.permissions.grants.every(
    (g) =>
      g.scope.kind === 'school' ||
      categories.every(
        (c) => grantAccess(g, c) !== 'view' || whole.some((h) => grantAccess(h, c) === 'view'),
      ),
  );
}

export type RollupCounts = {
  /** Records the reader may open, by England's day. */
  days: Map<string, number>;
  /** Records the reader may open, by category id (a record in two categories counts in each). */
  categories: Map<string, number>;
  /** Pupils on at least one record the reader may open. */
  pupils: Set<string>;
};

/** The school's categories, as the rules see them. */
export const schoolCategories = async (t: Tx): Promise<CategoryRef[]> =>
  t.q<{ id: string; restricted: boolean }>('SELECT id, restricted FROM categories');

/** Counts from the rollup for a reader of whom rollupAnswersFor holds. */
export async function rollupCounts(
  t: Tx,
  range: Range,
  categories: readonly CategoryRef[],
): Promise<RollupCounts> {
  const restricted = new Map(categories.map((c) => [c.id, c.restricted]));
  const judged = new Map<string, boolean>();
  const visible = (ids: readonly string[]) => {
    const key = ids.join(',');
    let ok = judged.get(key);
    if (ok === undefined) {
      ok = canViewRecord(t.actor.permissions, {
        // A category not found (cannot happen while links keep their foreign keys) is taken as
        // restricted: unknown means hidden.
        categories: ids.map((id) => ({ id, restricted: restricted.get(id) ?? true })),
        pupils: [],
      });
      judged.set(key, ok);
    }
    return ok;
  };
  const out: RollupCounts = { days: new Map(), categories: new Map(), pupils: new Set() };
  const count = (day: string, ids: readonly string[], n: number) => {
    out.days.set(day, (out.days.get(day) ?? 0) + n);
    for (const id of ids) out.categories.set(id, (out.categories.get(id) ?? 0) + n);
  };
  const days = await t.q<{ day: string; category_ids: string[]; n: number }>(
    `SELECT day::text AS day, category_ids, sum(n)::int AS n FROM report_days
      WHERE school_id = $1 AND day BETWEEN $2::date AND $3::date
      GROUP BY day, category_ids HAVING sum(n) > 0`,
    [t.schoolId, range.from, range.to],
  );
  for (const d of days) if (visible(d.category_ids)) count(d.day, d.category_ids, Number(d.n));
  const pupils = await t.q<{ pupil_id: string; category_ids: string[] }>(
    `SELECT pupil_id, category_ids FROM report_pupil_days
      WHERE school_id = $1 AND day BETWEEN $2::date AND $3::date
      GROUP BY pupil_id, category_ids HAVING sum(n) > 0`,
    [t.schoolId, range.from, range.to],
  );
  for (const p of pupils) if (visible(p.category_ids)) out.pupils.add(p.pupil_id);
  // The reader's own records, which they may always open: those their grants would not show
  // them (or with no category, which the rollup does not hold) are added from the records. The
  // grants' half of recordVisibleSql (asked for a member who wrote nothing) leaves the rest out.
  const byGrants = recordVisibleSql({ ...t.actor, userId: NOBODY }, 5, 'c');
  const own = await t.q<{ id: string; day: string; category_ids: string[]; pupil_ids: string[] }>(
    `SELECT c.id, (c.happened_at AT TIME ZONE 'Europe/London')::date::text AS day,
            ARRAY(SELECT cc.category_id FROM concern_categories cc WHERE cc.concern_id = c.id
                   ORDER BY cc.category_id) AS category_ids,
            ARRAY(SELECT cp.pupil_id FROM concern_pupils cp WHERE cp.concern_id = c.id) AS pupil_ids
       FROM concerns c
      WHERE c.school_id = $1 AND c.author_id = $2
        AND c.happened_at >= ($3::date)::timestamp AT TIME ZONE 'Europe/London'
        AND c.happened_at < ($4::date + 1)::timestamp AT TIME ZONE 'Europe/London'
        AND NOT ${byGrants.sql}`,
    [t.schoolId, t.actor.userId, range.from, range.to, ...byGrants.params],
  );
  for (const r of own) {
    count(r.day, r.category_ids, 1);
    for (const p of r.pupil_ids) out.pupils.add(p);
  }
  return out;
}

/**
 * Folds the rows requests appended into one row per key, dropping keys that come to nothing (a
 * destroyed record's trace goes here). Only keys with unfolded rows are rewritten; a row appended
 * while this runs is left for the next fold. Returns the rows folded.
 */
export async function foldRollup(t: SchoolTx): Promise<number> {
  let folded = 0;
  for (const [table, key] of [
    ['report_days', 'day, category_ids'],
    ['report_pupil_days', 'day, pupil_id, category_ids'],
  ] as const) {
    const match = key
      .split(', ')
      .map((k) => `r.${k} = k.${k}`)
      .join(' AND ');
    const rows = await t.q<{ n: number }>(
      `WITH k AS (SELECT DISTINCT ${key} FROM ${table} WHERE school_id = $1 AND NOT folded),
        gone AS (DELETE FROM ${table} r USING k WHERE r.school_id = $1 AND ${match}
                 RETURNING r.${key.split(', ').join(', r.')}, r.n),
        kept AS (INSERT INTO ${table} (school_id, ${key}, n, folded)
                 SELECT $1, ${key}, sum(n)::int, true FROM gone GROUP BY ${key} HAVING sum(n) <> 0
                 RETURNING 1)
       SELECT (SELECT count(*) FROM gone)::int AS n`,
      [t.schoolId],
    );
    folded += Number(rows[0]?.n ?? 0);
  }
  return folded;
}
