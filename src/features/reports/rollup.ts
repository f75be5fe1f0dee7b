// The reports' daily rollup (migration 0075): records counted by England's day and category set,
// and by pupil, day and category set, kept by triggers on the records' links so no path that
// adds, edits or destroys a record can miss it. The reports read it for a reader whose every grant
// covers the whole school (the DSL team, the headteacher, the pastoral team): each category set is
// then judged once by canViewRecord, the same rule every list applies to one record, instead of
// each record of the year being probed by recordVisibleSql. A reader with a narrower grant (a year
// group, their own classes) is counted from the records themselves (figures.ts).
// Whole months are read from report_pupil_months (migration 0089), kept only by foldRollup's
// refoldMonths: each month row is the sum of its folded days.
// To change safely: keep the triggers in 0075, the months of 0089 and this reading together, and keep
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
  // Whole months inside the range from report_pupil_months (migration 0089), the part-months at
  // its ends from the days, and the days appended since the last fold wherever they fall: the
  // months hold exactly the folded days, so the sums are the days' (rollup.test.ts compares).
  const whole = wholeMonths(range);
  const pupils = await t.q<{ pupil_id: string; category_ids: string[] }>(
    `SELECT pupil_id, category_ids FROM (
       SELECT pupil_id, category_ids, n FROM report_pupil_months
        WHERE school_id = $1 AND month >= $4::date AND month < $5::date
       UNION ALL
       SELECT pupil_id, category_ids, n FROM report_pupil_days
        WHERE school_id = $1 AND day >= $2::date AND day < $4::date AND day <= $3::date
       UNION ALL
       SELECT pupil_id, category_ids, n FROM report_pupil_days
        WHERE school_id = $1 AND day >= $5::date AND day <= $3::date
       UNION ALL
       SELECT pupil_id, category_ids, n FROM report_pupil_days
        WHERE school_id = $1 AND NOT folded AND day >= $4::date AND day < $5::date
     ) counted
     GROUP BY pupil_id, category_ids HAVING sum(n) > 0`,
    [t.schoolId, range.from, range.to, whole.from, whole.until],
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
 * The whole months inside a range, as [from, until): from the first 1st on or after its start to
 * the first 1st after its end that a whole month ends on. Empty (from = until) when no month
 * fits; the days before `from` and from `until` on are read as days.
 */
export function wholeMonths(range: Range): { from: string; until: string } {
  const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  const start = day(range.from);
  const first =
    start.getUTCDate() === 1
      ? start
      : new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  const afterEnd = new Date(day(range.to).getTime() + 86_400_000);
  const until = new Date(Date.UTC(afterEnd.getUTCFullYear(), afterEnd.getUTCMonth(), 1));
  return until > first
    ? { from: iso(first), until: iso(until) }
    : { from: iso(first), until: iso(first) };
}

/** The fold's lock for a school: one fold at a time (see foldRollup). Taken again, it is a no-op. */
export async function lockFold(t: SchoolTx): Promise<void> {
  await t.q("SELECT pg_advisory_xact_lock(hashtext('lantern_report_fold'), hashtext($1::text))", [
    t.schoolId,
  ]);
}

type MonthKey = { month: string; pupil_id: string; category_ids: string[] };

/**
 * Folds the rows requests appended into one row per key, dropping keys that come to nothing (a
 * destroyed record's trace goes here), and brings report_pupil_months (migration 0089) up to date
 * for every month, pupil and category set whose days it folded: each month row is the sum of its
 * folded days, so months plus unfolded days always make every day. Only keys with unfolded rows
 * are rewritten; a row appended while this runs is left for the next fold. The months recounted
 * are those the fold statement itself returns (the months of the day rows it deleted and wrote
 * back folded), so a row another request commits between the statements is either folded and
 * its month recounted, or left unfolded and read as a day. One fold of a school at a time (the
 * job and retention's destruction may both fold): the second waits for the first's commit, then
 * sees what it did. Returns the day rows folded. `between` is for tests: it runs after the lock,
 * before the fold statements, and again before the months are recounted.
 */
export async function foldRollup(
  t: SchoolTx,
  between?: (step: 'before-fold' | 'before-months') => Promise<void>,
): Promise<number> {
  await lockFold(t);
  if (between) await between('before-fold');
  let folded = 0;
  let touched: MonthKey[] = [];
  for (const [table, key] of [
    ['report_days', 'day, category_ids'],
    ['report_pupil_days', 'day, pupil_id, category_ids'],
  ] as const) {
    const match = key
      .split(', ')
      .map((k) => `r.${k} = k.${k}`)
      .join(' AND ');
    const rows = await t.q<{ n: number; touched: MonthKey[] | null }>(
      `WITH k AS (SELECT DISTINCT ${key} FROM ${table} WHERE school_id = $1 AND NOT folded),
        gone AS (DELETE FROM ${table} r USING k WHERE r.school_id = $1 AND ${match}
                 RETURNING r.${key.split(', ').join(', r.')}, r.n),
        kept AS (INSERT INTO ${table} (school_id, ${key}, n, folded)
                 SELECT $1, ${key}, sum(n)::int, true FROM gone GROUP BY ${key} HAVING sum(n) <> 0
                 RETURNING 1)
       SELECT (SELECT count(*) FROM gone)::int AS n, ${
         table === 'report_pupil_days'
           ? `(SELECT jsonb_agg(jsonb_build_object('month', m.month, 'pupil_id', m.pupil_id,
                                                   'category_ids', to_jsonb(m.category_ids)))
                 FROM (SELECT DISTINCT date_trunc('month', day)::date::text AS month, pupil_id,
                              category_ids FROM gone) m)`
           : 'NULL::jsonb'
       } AS touched`,
      [t.schoolId],
    );
    folded += Number(rows[0]?.n ?? 0);
    if (table === 'report_pupil_days') touched = parseJson<MonthKey[]>(rows[0]?.touched) ?? [];
  }
  if (between) await between('before-months');
  if (touched.length > 0) await refoldMonths(t, touched);
  return folded;
}

/** jsonb as the driver gives it: parsed by node-postgres, perhaps a string elsewhere. */
function parseJson<T>(v: unknown): T | null {
  if (v === null || v === undefined) return null;
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

/** Recounts the given months' rows from the folded days (one statement), dropping those at 0. */
async function refoldMonths(t: SchoolTx, keys: readonly MonthKey[]): Promise<void> {
  // The keys travel as JSON: an array of arrays (category sets) is not a Postgres parameter.
  await t.q(
    `WITH k AS (
       SELECT DISTINCT (e->>'month')::date AS month, (e->>'pupil_id')::uuid AS pupil_id,
              -- in the set's own order: the month rows' key compares arrays element by element
              ARRAY(SELECT c.id::uuid
                      FROM jsonb_array_elements_text(e->'category_ids') WITH ORDINALITY AS c(id, i)
                     ORDER BY c.i) AS category_ids
         FROM jsonb_array_elements($2::jsonb) e),
     -- The folded days of the months touched (only those months, not every month between the
     -- earliest and the latest: a years-old record touched beside this month's would sum the
     -- whole history), summed once rather than looked up key by key (the days are found by day,
     -- and the fold after a load touches every pupil's months).
     months AS (SELECT DISTINCT month FROM k),
     folded AS (
       SELECT km.month, d.pupil_id, d.category_ids, sum(d.n)::int AS n
         FROM months km
         JOIN report_pupil_days d ON d.school_id = $1 AND d.folded AND d.day >= km.month
          AND d.day < km.month + interval '1 month'
        GROUP BY 1, 2, 3),
     now_is AS (
       SELECT k.month, k.pupil_id, k.category_ids, coalesce(f.n, 0) AS n
         FROM k LEFT JOIN folded f ON f.month = k.month AND f.pupil_id = k.pupil_id
          AND f.category_ids = k.category_ids),
     gone AS (
       DELETE FROM report_pupil_months m USING now_is
        WHERE m.school_id = $1 AND m.month = now_is.month AND m.pupil_id = now_is.pupil_id
          AND m.category_ids = now_is.category_ids AND now_is.n = 0)
     INSERT INTO report_pupil_months (school_id, month, pupil_id, category_ids, n)
     SELECT $1, month, pupil_id, category_ids, n FROM now_is WHERE n <> 0
     ON CONFLICT (school_id, month, pupil_id, category_ids) DO UPDATE SET n = EXCLUDED.n`,
    [t.schoolId, JSON.stringify(keys)],
  );
}
