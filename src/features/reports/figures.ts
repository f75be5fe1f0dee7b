// The report's figures, each read from the school's own rows inside the member's transaction (so
// row-level security keeps them to the school) and counted as DEFINITIONS says. Records are
// filtered by the same rule every list uses: recordVisibleSql over the records, or, for a reader
// whose grants all cover the whole school, canViewRecord once per category set of the daily
// rollup (rollup.ts) — a figure never counts a record the reader could not open. Case work (cases, actions, referrals, alerts) is the DSL team's: it is
// counted only for a member who manages cases, whole-school, and withheld from anyone else.
import type { Tx } from '../../core/context.ts';
import { recordVisibleSql, restrictedTouchSql } from '../../core/access/record-filter.ts';
import {
  restrictedRecordSql,
  restrictedWorkSql,
} from '../../core/access/processing-restriction.ts';
import type { Report, ReportTable } from '../../shared/schemas/reports.ts';
import { ageBands, byMonth, byTerm, byWeek, percentile, type Row, type Term } from './buckets.ts';
import { daysBetween } from '../../shared/calendar.ts';
import { DEFINITIONS, GROUPS, SEX_NAMES, TITLES, type FigureId } from './definitions.ts';
import { seesCaseWork } from './policy.ts';
import { rollupAnswersFor, rollupCounts, schoolCategories, type RollupCounts } from './rollup.ts';

import type { Range } from './range.ts';

export type { Range };

/** The row of pupils on a record who have since left (archived): not on roll. */
export const LEFT = 'Left the school';

const table = (
  id: FigureId,
  chart: ReportTable['chart'],
  columns: string[],
  rows: Row[],
  total?: Row,
): ReportTable => ({
  id,
  title: TITLES[id],
  definition: DEFINITIONS[id],
  chart,
  columns,
  rows,
  ...(total ? { total } : {}),
});

const IN_RANGE = (col: string, from: string, to: string) =>
  `${col} >= (${from}::date)::timestamp AT TIME ZONE 'Europe/London'
   AND ${col} < (${to}::date + 1)::timestamp AT TIME ZONE 'Europe/London'`;

const share = (part: number, whole: number) =>
  whole === 0 ? null : Math.round((part / whole) * 1000) / 10;
const oneDecimal = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);

/** The records in range the reader may see, as a CTE body over concerns `c`; params from $3. */
function visibleRecords(t: Tx, range: Range): { sql: string; params: unknown[] } {
  const vis = recordVisibleSql(t.actor, 3, 'c');
  return {
    sql: `SELECT c.id, (c.happened_at AT TIME ZONE 'Europe/London')::date::text AS day
      FROM concerns c WHERE ${IN_RANGE('c.happened_at', '$1', '$2')} AND ${vis.sql}
        AND NOT ${restrictedRecordSql('c')}`,
    params: [range.from, range.to, ...vis.params],
  };
}

/**
 * The records in range the reader may open, counted by day and category, and their pupils: from
 * the daily rollup where it answers exactly for this reader (rollup.ts), else from the records.
 */
async function recordCounts(t: Tx, range: Range): Promise<RollupCounts> {
  const categories = await schoolCategories(t);
  // A record under a restriction of processing is left out of every report, the DSL team's too;
  // the rollup cannot tell it apart, so while any is in force the records are counted instead.
  const [restricting] = await t.q('SELECT 1 FROM dp_restrictions WHERE lifted_at IS NULL LIMIT 1');
  return rollupAnswersFor(t.actor, categories) && !restricting
    ? rollupCounts(t, range, categories)
    : liveCounts(t, range);
}

/** The same counts from the records themselves (rollup.test.ts holds the two equal). */
export async function liveCounts(t: Tx, range: Range): Promise<RollupCounts> {
  const rec = visibleRecords(t, range);
  const days = await t.q<{ day: string; n: number }>(
    `WITH rec AS (${rec.sql}) SELECT day, count(*)::int AS n FROM rec GROUP BY day`,
    rec.params,
  );
  const categories = await t.q<{ id: string; n: number }>(
    `WITH rec AS (${rec.sql})
     SELECT cc.category_id AS id, count(*)::int AS n FROM rec
       JOIN concern_categories cc ON cc.concern_id = rec.id GROUP BY cc.category_id`,
    rec.params,
  );
  const touched = await t.q<{ pupil_id: string }>(
    `WITH rec AS (${rec.sql})
     SELECT DISTINCT cp.pupil_id FROM rec JOIN concern_pupils cp ON cp.concern_id = rec.id`,
    rec.params,
  );
  return {
    days: new Map(days.map((d) => [d.day, Number(d.n)])),
    categories: new Map(categories.map((c) => [c.id, Number(c.n)])),
    pupils: new Set(touched.map((r) => r.pupil_id)),
  };
}

async function recordFigures(t: Tx, range: Range, rc: RollupCounts): Promise<ReportTable[]> {
  const counts = rc.days;
  const all = [...counts.values()].reduce((a, b) => a + b, 0);
  const names = await t.q<{ id: string; name: string }>('SELECT id, name FROM categories');
  const nameOf = new Map(names.map((k) => [k.id, k.name]));
  const byCategory = [...rc.categories.entries()]
    .filter(([, n]) => n > 0)
    .map(([id, n]) => ({ name: nameOf.get(id) ?? 'Category removed', n }))
    .sort((a, b) => b.n - a.n || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const terms = await t.q<{ name: string; starts_on: string; ends_on: string }>(
    'SELECT name, starts_on::text AS starts_on, ends_on::text AS ends_on FROM school_terms ORDER BY starts_on',
  );
  const termList: Term[] = terms.map((x) => ({
    name: x.name,
    startsOn: x.starts_on,
    endsOn: x.ends_on,
  }));
  return [
    table(
      'records_by_category',
      'bar',
      ['Category', 'Records'],
      byCategory.map((c) => ({ label: c.name, values: [Number(c.n)] })),
      { label: 'All records', values: [all] },
    ),
    table('records_by_month', 'line', ['Month', 'Records'], byMonth(counts, range.from, range.to)),
    table('records_by_week', 'line', ['Week', 'Records'], byWeek(counts, range.from, range.to)),
    table(
      'records_by_term',
      'bar',
      ['Term', 'Records'],
      byTerm(counts, termList, range.from, range.to),
      { label: 'All records', values: [all] },
    ),
  ];
}

type PupilRow = {
  id: string;
  year_group: string | null;
  gender: string | null;
  on_roll: boolean;
  with_record: boolean;
};

/**
 * Rows by a pupil's group: pupils on roll with a record, on roll, the share; then pupils who have
 * left (archived) but are on a record in the range, so no record's pupil is dropped.
 */
function breakdown(pupils: readonly PupilRow[], groupsOf: (p: PupilRow) => string[]): Row[] {
  const groups = new Map<string, { touched: number; roll: number }>();
  let leavers = 0;
  for (const p of pupils) {
    if (!p.on_roll) {
      if (p.with_record) leavers += 1;
      continue;
    }
    for (const key of groupsOf(p)) {
      const g = groups.get(key) ?? { touched: 0, roll: 0 };
      groups.set(key, g);
      g.roll += 1;
      if (p.with_record) g.touched += 1;
    }
  }
  const rows: Row[] = [...groups.entries()].map(([label, g]) => ({
    label,
    values: [g.touched, g.roll, share(g.touched, g.roll)],
  }));
  if (leavers > 0) rows.push({ label: LEFT, values: [leavers, null, null] });
  return rows;
}

const yearOrder = (label: string) => {
  if (label === 'Nursery') return -2;
  if (label === 'Reception') return -1;
  const m = /^Year (\d+)$/.exec(label);
  return m ? Number(m[1]) : 100;
};

async function pupilFigures(t: Tx, range: Range, rc: RollupCounts): Promise<ReportTable[]> {
  // Two plain reads joined here: the pupils on record in the range (recordCounts), and the pupils
  // on roll. One query joining them let a planner without fresh statistics rescan one against the
  // other for every pupil.
  const withRecord = rc.pupils;
  const roll = await t.q<Omit<PupilRow, 'with_record'>>(
    `SELECT p.id, p.year_group, p.gender, (p.archived_at IS NULL) AS on_roll FROM pupils p
      WHERE p.archived_at IS NULL OR p.id = ANY($1::uuid[])`,
    [[...withRecord]],
  );
  const pupils: PupilRow[] = roll.map((p) => ({ ...p, with_record: withRecord.has(p.id) }));
  const flags = await t.q<{
    id: string;
    pupil_id: string;
    kind_sealed: Buffer;
    starts_on: string | null;
    ends_on: string | null;
  }>(
    `SELECT id, pupil_id, kind_sealed, starts_on::text AS starts_on, ends_on::text AS ends_on
       FROM pupil_flags
      WHERE (starts_on IS NULL OR starts_on <= $2::date) AND (ends_on IS NULL OR ends_on >= $1::date)`,
    [range.from, range.to],
  );
  const sealer = await t.sealer();
  const kinds = new Map<string, Set<string>>();
  for (const f of flags) {
    const kind = sealer.open('pupil_flags.kind', f.id, f.kind_sealed);
    const set = kinds.get(f.pupil_id) ?? new Set<string>();
    kinds.set(f.pupil_id, set.add(kind));
  }
  const COLUMNS = ['With a record', 'On roll', 'Share (%)'];
  const years = breakdown(pupils, (p) => [p.year_group ?? 'Year group not recorded']);
  years.sort((a, b) =>
    a.label === LEFT ? 1 : b.label === LEFT ? -1 : yearOrder(a.label) - yearOrder(b.label),
  );
  const sexes = breakdown(pupils, (p) => [
    SEX_NAMES[(p.gender ?? '').trim().toLowerCase()] ?? 'Not recorded',
  ]);
  const groups = breakdown(pupils, (p) => {
    const own = kinds.get(p.id);
    return own ? GROUPS.filter((g) => g.flags.some((f) => own.has(f))).map((g) => g.label) : [];
  }).filter((r) => r.label !== LEFT);
  const groupRows = GROUPS.map(
    (g) => groups.find((r) => r.label === g.label) ?? { label: g.label, values: [0, 0, null] },
  );
  return [
    table('pupils_by_year', 'bar', ['Year group', ...COLUMNS], years),
    table('pupils_by_sex', 'bar', ['Sex', ...COLUMNS], sexes),
    table('pupils_by_group', 'bar', ['Group', 'With a record', 'In group', 'Share (%)'], groupRows),
  ];
}

async function caseWorkFigures(t: Tx, range: Range): Promise<ReportTable[]> {
  const today = t.now;
  // Case work on a restricted matter the reader is not granted is not counted (the same rule as
  // the lists of cases, actions, referrals and alerts: restrictedTouchSql), nor is work about a
  // record under a restriction of processing, whoever reads (restrictedWorkSql).
  const caseOk = restrictedTouchSql(t.actor, 1, { case: 'c.id' });
  const cases = await t.q<{ opened_at: Date }>(
    `SELECT c.opened_at FROM cases c WHERE c.status = 'open' AND ${caseOk.sql}
      AND NOT ${restrictedWorkSql({ case: 'c.id' })}`,
    caseOk.params,
  );
  const actionOk = restrictedTouchSql(t.actor, 2, { concern: 'a.concern_id', case: 'a.case_id' });
  const actions = await t.q<{ due_at: Date }>(
    `SELECT a.due_at FROM actions a
      WHERE a.due_at < $1 AND a.completed_at IS NULL AND a.cancelled_at IS NULL AND ${actionOk.sql}
        AND NOT ${restrictedWorkSql({ concern: 'a.concern_id', case: 'a.case_id' })}`,
    [today, ...actionOk.params],
  );
  const dayMs = 86_400_000;
  const age = (d: Date) => Math.floor((today.getTime() - new Date(d).getTime()) / dayMs);
  const referralOk = restrictedTouchSql(t.actor, 3, { concern: 'r.concern_id', case: 'r.case_id' });
  const referrals = await t.q<{
    agency: string;
    referred_at: Date;
    due_at: Date | null;
    responded_at: Date | null;
    happened_at: Date | null;
  }>(
    `SELECT a.name AS agency, r.referred_at, r.due_at, r.responded_at, c.happened_at
       FROM referrals r JOIN referral_agencies a ON a.id = r.agency_id
       LEFT JOIN concerns c ON c.id = r.concern_id
      WHERE ${IN_RANGE('r.referred_at', '$1', '$2')} AND ${referralOk.sql}
        AND NOT ${restrictedWorkSql({ concern: 'r.concern_id', case: 'r.case_id' })}`,
    [range.from, range.to, ...referralOk.params],
  );
  const agencies = new Map<string, typeof referrals>();
  for (const r of referrals) agencies.set(r.agency, [...(agencies.get(r.agency) ?? []), r]);
  const referralRow = (label: string, rs: typeof referrals): Row => {
    const responded = rs.filter((r) => r.responded_at !== null);
    // Judged once answered or once due: one not yet due is neither on time nor late.
    const timed = rs.filter(
      (r) => r.due_at !== null && (r.responded_at !== null || new Date(r.due_at) <= today),
    );
    const onTime = timed.filter(
      (r) => r.responded_at !== null && new Date(r.responded_at) <= new Date(r.due_at!),
    );
    const lead = rs
      .filter((r) => r.happened_at !== null)
      .map((r) => (new Date(r.referred_at).getTime() - new Date(r.happened_at!).getTime()) / dayMs);
    return {
      label,
      values: [
        rs.length,
        responded.length,
        onTime.length,
        share(onTime.length, timed.length),
        oneDecimal(percentile(lead, 50)),
      ],
    };
  };
  const alertOk = restrictedTouchSql(t.actor, 3, { concern: 'al.target_id' });
  const alerts = await t.q<{ kind: string; created_at: Date; acknowledged_at: Date | null }>(
    `SELECT al.kind, al.created_at, al.acknowledged_at FROM alerts al
      WHERE al.kind IN ('concern', 'escalation') AND al.target_type = 'concern'
        AND ${IN_RANGE('al.created_at', '$1', '$2')} AND ${alertOk.sql}
        AND NOT ${restrictedWorkSql({ concern: 'al.target_id' })}`,
    [range.from, range.to, ...alertOk.params],
  );
  const alertRow = (label: string, as: typeof alerts): Row => {
    const minutes = as
      .filter((a) => a.acknowledged_at !== null)
      .map(
        (a) => (new Date(a.acknowledged_at!).getTime() - new Date(a.created_at).getTime()) / 60_000,
      );
    return {
      label,
      values: [
        as.length,
        minutes.length,
        oneDecimal(percentile(minutes, 50)),
        oneDecimal(percentile(minutes, 90)),
      ],
    };
  };
  return [
    table(
      'open_cases_by_age',
      'bar',
      ['Age', 'Open cases'],
      ageBands(cases.map((c) => age(c.opened_at))),
      {
        label: 'All open cases',
        values: [cases.length],
      },
    ),
    table(
      'overdue_actions',
      'bar',
      ['Days overdue', 'Actions'],
      ageBands(actions.map((a) => age(a.due_at))),
      { label: 'All overdue actions', values: [actions.length] },
    ),
    table(
      'referrals_by_agency',
      'bar',
      [
        'Agency',
        'Referrals',
        'Responded',
        'On time',
        'Share on time (%)',
        'Days from concern to referral (median)',
      ],
      [...agencies.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, rs]) => referralRow(name, rs)),
      referralRow('All referrals', referrals),
    ),
    table(
      'alert_acknowledgement',
      'none',
      ['Alerts', 'Raised', 'Acknowledged', 'Median minutes', '90th percentile minutes'],
      [
        alertRow(
          'About a new concern',
          alerts.filter((a) => a.kind === 'concern'),
        ),
        alertRow(
          'Escalated (not acknowledged in time)',
          alerts.filter((a) => a.kind === 'escalation'),
        ),
      ],
      alertRow('All alerts', alerts),
    ),
  ];
}

/** Every figure the reader may be shown for the range, and the ones withheld from them. */
export async function buildReport(t: Tx, range: Range): Promise<Report> {
  const counts = await recordCounts(t, range);
  const tables = [
    ...(await recordFigures(t, range, counts)),
    ...(await pupilFigures(t, range, counts)),
  ];
  const withheld: string[] = [];
  if (seesCaseWork(t.actor)) tables.push(...(await caseWorkFigures(t, range)));
  else {
    withheld.push(
      `${TITLES.open_cases_by_age}, ${TITLES.overdue_actions.toLowerCase()}, ${TITLES.referrals_by_agency.toLowerCase()} and ${TITLES.alert_acknowledgement.toLowerCase()} are shown to those who manage cases (the DSL team).`,
    );
  }
  return { ...range, generatedAt: t.now.toISOString(), tables, withheld };
}

/** The days between two dates, for the range check. */
export const rangeDays = (r: Range) => daysBetween(r.from, r.to) + 1;
