// Seeding the benchmark school (issues 16 and 20): 2,000 pupils and N records (default 200,000)
// written as the API writes them (records.ts: one statement a batch of 500, the rollup triggers
// of 0075 firing once a batch, each record's audit entry), the time per record printed by tenth
// of the load so that growth shows: flat means the triggers find each record by its key however
// many are already there (migration 0089). `report-plans` then prints the plans of the
// triggers' and the reports' reads at that size (EXPLAIN ANALYZE).
import { loadavg } from 'node:os';
import { inSchool } from '../../src/platform/db/tenancy.ts';
import { bulkConcerns, type BatchTiming } from './records.ts';
import { benchSchool, benchUser, startBench, type Engine } from '../lib.ts';

const load = () =>
  `machine load (1/5/15 min) ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`;

/** A bulkConcerns callback that adds a line to `out` for each tenth of `n`: its ms a record. */
export function byTenth(engine: Engine, n: number, out: string[]): (t: BatchTiming) => void {
  const tenth = Math.max(500, Math.ceil(n / 10 / 500) * 500);
  let part = { records: 0, ms: 0 };
  return (t) => {
    part = { records: part.records + t.count, ms: part.ms + t.ms };
    const done = t.from + t.count;
    if (done % tenth === 0 || done === n) {
      // Also on stderr as it goes: a 200,000-record load takes minutes.
      const line = `${engine.padEnd(8)} seeding records ${String(done - part.records + 1).padStart(7)}–${String(done).padEnd(7)} ${(part.ms / part.records).toFixed(3)} ms a record`;
      out.push(line);
      process.stderr.write(`${line}\n`);
      part = { records: 0, ms: 0 };
    }
  };
}

export async function seeding(engine: Engine, o: { n: number; plans: boolean }): Promise<string[]> {
  const b = await startBench(engine);
  const out: string[] = [];
  try {
    const schoolId = await benchSchool(b);
    const teacher = await benchUser(b, schoolId, 'teacher');
    const kids = await inSchool(b.services.db, schoolId, (q) =>
      q.query<{ id: string }>(
        `INSERT INTO pupils (school_id, first_name, last_name, year_group, form)
         SELECT $1, 'Pupil', 'Bench' || g, 'Year ' || (7 + g % 5), (7 + g % 5) || 'A'
         FROM generate_series(0, 1999) g RETURNING id`,
        [schoolId],
      ),
    );
    const t0 = performance.now();
    await bulkConcerns(
      b,
      schoolId,
      teacher.id,
      (i) => kids[(i * 7919) % kids.length]!.id,
      o.n,
      byTenth(engine, o.n, out),
    );
    const total = performance.now() - t0;
    out.push(
      `${engine.padEnd(8)} seeded ${o.n.toLocaleString('en-GB')} records (with pupils, categories, rollup and audit entries) in ${(total / 1000).toFixed(1)} s, ${(total / o.n).toFixed(3)} ms a record`,
    );
    if (o.plans) {
      await b.services.db.exec('VACUUM ANALYZE');
      out.push(...(await reportPlans(b, engine, schoolId)));
    }
    out.push(`${engine.padEnd(8)} ${load()}`);
    return out;
  } finally {
    await b.close();
  }
}

/** EXPLAIN ANALYZE of what the rollup's triggers and the reports read, at the seeded size. */
async function reportPlans(
  b: Awaited<ReturnType<typeof startBench>>,
  engine: Engine,
  schoolId: string,
): Promise<string[]> {
  const out: string[] = [];
  const [some] = await inSchool(b.services.db, schoolId, (q) =>
    q.query<{ id: string }>('SELECT id FROM concerns ORDER BY happened_at DESC LIMIT 1'),
  );
  const today = new Date().toISOString().slice(0, 10);
  const yearAgo = new Date(Date.now() - 365 * 86_400_000).toISOString().slice(0, 10);
  const statements: [string, string, unknown[]][] = [
    [
      "a trigger's categories of one record (lantern_report_categories)",
      'SELECT lantern_report_categories($1::uuid)',
      [some!.id],
    ],
    [
      'the categories read inside it',
      'SELECT array_agg(category_id ORDER BY category_id) FROM concern_categories WHERE concern_id = $1',
      [some!.id],
    ],
    [
      'the pupils read inside it',
      'SELECT array_agg(pupil_id ORDER BY pupil_id) FROM concern_pupils WHERE concern_id = $1',
      [some!.id],
    ],
    [
      "the reports' days (a year)",
      `SELECT day, category_ids, sum(n) FROM report_days WHERE school_id = $1
        AND day BETWEEN $2::date AND $3::date GROUP BY day, category_ids HAVING sum(n) > 0`,
      [schoolId, yearAgo, today],
    ],
    [
      // As rollupCounts reads them since 0089: whole months from report_pupil_months, plus the
      // days not yet folded (the part-months at the ends are left out of this plan).
      "the reports' pupils (a year of months and unfolded days)",
      `SELECT pupil_id, category_ids FROM (
         SELECT pupil_id, category_ids, n FROM report_pupil_months
          WHERE school_id = $1 AND month >= date_trunc('month', $2::date)::date
            AND month <= $3::date
         UNION ALL
         SELECT pupil_id, category_ids, n FROM report_pupil_days
          WHERE school_id = $1 AND NOT folded AND day BETWEEN $2::date AND $3::date
       ) counted GROUP BY pupil_id, category_ids HAVING sum(n) > 0`,
      [schoolId, yearAgo, today],
    ],
  ];
  for (const [what, sql, params] of statements) {
    try {
      const rows = await inSchool(b.services.db, schoolId, (q) =>
        q.query<Record<string, string>>(`EXPLAIN (ANALYZE, COSTS OFF) ${sql}`, params),
      );
      out.push(`${engine.padEnd(8)} plan: ${what}`);
      for (const r of rows) out.push(`${engine.padEnd(8)}   ${Object.values(r)[0]}`);
    } catch (err) {
      out.push(`${engine.padEnd(8)} plan: ${what}: ${(err as Error).message}`);
    }
  }
  return out;
}
