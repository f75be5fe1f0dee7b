// The reports page (issue 20) for a school of 2,000 pupils and N concerns (default 200,000, one a
// minute back from now, so most fall in this academic year): GET /api/reports as an elevated DSL,
// its CSV, and the DSL's "pupils whose records are rising", beside the ceiling — the records by
// category for the same range by raw SQL (no HTTP, permission filter, sealing or audit). Goal
// (issue 20): the page under 300 ms at p50 and p95.
import { loadavg } from 'node:os';
import { inSchool } from '../../src/platform/db/tenancy.ts';
import { bulkConcerns } from './records.ts';
import { byTenth } from './seeding.ts';
import { runRollupFold } from '../../src/jobs/report-rollup.ts';
import {
  benchSchool,
  benchUser,
  cpuMark,
  cpuPer,
  load,
  ms,
  percentile,
  signedIn,
  startBench,
  type Engine,
} from '../lib.ts';

export async function reportsBench(engine: Engine, o: { n: number; runs: number }) {
  const b = await startBench(engine);
  try {
    const schoolId = await benchSchool(b);
    const dsl = await benchUser(b, schoolId, 'dsl');
    // Teachers write most records and the DSL reads them; the DSL writes one in twenty, whose
    // own records the rollup path checks one by one (rollup.ts), so that cost is in the figure.
    const teacher = await benchUser(b, schoolId, 'teacher');
    const kids = await inSchool(b.services.db, schoolId, (q) =>
      q.query<{ id: string }>(
        `INSERT INTO pupils (school_id, first_name, last_name, year_group, form)
         SELECT $1, 'Pupil', 'Bench' || g, 'Year ' || (7 + g % 5), (7 + g % 5) || 'A'
         FROM generate_series(0, 1999) g RETURNING id`,
        [schoolId],
      ),
    );
    const seedLines: string[] = [];
    const t0 = performance.now();
    await bulkConcerns(
      b,
      schoolId,
      teacher.id,
      (i) => kids[(i * 7919) % kids.length]!.id,
      o.n - Math.floor(o.n / 20),
      byTenth(engine, o.n - Math.floor(o.n / 20), seedLines),
    );
    await bulkConcerns(
      b,
      schoolId,
      dsl.id,
      (i) => kids[(i * 104_729) % kids.length]!.id,
      Math.floor(o.n / 20),
    );
    const loadMs = performance.now() - t0;
    // The reports' fold, as the job does every five minutes (jobs/report-rollup.ts): the day rows
    // the records appended become one a key, and their months are counted (migration 0089).
    const f0 = performance.now();
    await runRollupFold(b.services, new Date(), [schoolId]);
    const foldMs = performance.now() - f0;
    // As the embedded server does after start and hourly (jobs/maintenance.ts); PostgreSQL's
    // autovacuum would, given a minute.
    await b.services.db.exec('VACUUM ANALYZE');
    const client = await signedIn(b, dsl, true);
    const p = (xs: number[]) => `p50 ${ms(percentile(xs, 50))}  p95 ${ms(percentile(xs, 95))}`;
    const out = [
      ...seedLines,
      `${engine.padEnd(8)} reports: ${o.n.toLocaleString('en-GB')} concerns about 2,000 pupils loaded in ${ms(loadMs)} (${(loadMs / o.n).toFixed(3)} ms a record, with their audit entries); the fold after it ${ms(foldMs)}`,
    ];
    let range = '';
    for (const url of ['/api/reports', '/api/reports/export.csv', '/api/patterns/rising']) {
      // The CPU each request cost (server, client and PostgreSQL's backends): steadier than
      // latency on a shared machine, so the figure to compare between runs.
      const cpu = cpuMark(b);
      const r = await load(o.runs, 1, async () => {
        const res = await client.get(url);
        if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
        if (url === '/api/reports') {
          const body = (await res.json()) as { from: string; to: string };
          range = `${body.from} to ${body.to}`;
        } else await res.arrayBuffer();
      });
      out.push(
        `${engine.padEnd(8)} GET ${url.padEnd(24)} ${p(r.latencies)}  (${o.runs} runs)  ${cpuPer(cpu, o.runs).replace('item', 'request')}`,
      );
    }
    const [from, to] = range.split(' to ');
    const raw = await load(o.runs, 1, () =>
      inSchool(b.services.db, schoolId, (q) =>
        q.query(
          `SELECT cc.category_id, count(*) FROM concerns c
             JOIN concern_categories cc ON cc.concern_id = c.id
            WHERE c.happened_at >= ($1::date)::timestamp AT TIME ZONE 'Europe/London'
              AND c.happened_at < ($2::date + 1)::timestamp AT TIME ZONE 'Europe/London'
            GROUP BY cc.category_id`,
          [from, to],
        ),
      ).then(() => undefined),
    );
    out.push(
      `${engine.padEnd(8)} ceiling: records by category for ${range} by raw SQL  ${p(raw.latencies)}`,
    );
    out.push(
      `${engine.padEnd(8)} machine load (1/5/15 min) ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    return out;
  } finally {
    await b.close();
  }
}
