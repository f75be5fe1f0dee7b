// The unusual-access rules' cost on logging a concern (issue 20; goal: no more than 5 % slower).
// The scan runs off the request path (jobs/unusual-access.ts, every five minutes under a lease),
// so logging a concern pays only for sharing the machine and the database with it. To bound that
// from above, the "on" phases run the scan over the school back to back (a 100 ms pause between
// scans, some 3,000 times more often than in service) with every rule on, the wide-grant rule
// included (each teacher teaches a form and holds the pastoral team's school-wide grant, so the
// rule loads their permissions and looks at what they opened). Phases alternate off and on,
// so drift on a shared machine falls on both; each phase logs N concerns with C teachers. The
// phases run off, on, on, off, so a drift that grows through the run (the tables grow) falls on
// both alike; and PostgreSQL's statistics are kept current throughout (ANALYZE every 5 s, in
// both kinds of phase, as autovacuum or the embedded maintenance would on a live server): planned
// on a near-empty trail, both the scan and the concern's rollup triggers scanned a whole table per
// entry, a cost no live school with current statistics pays.
import { loadavg } from 'node:os';
import { unsafeAsOwner } from '../../src/platform/db/tenancy.ts';
import { runUnusualAccessScan } from '../../src/jobs/unusual-access.ts';
import {
  analyzeWhileSeeding,
  benchSchool,
  benchUser,
  cpuMark,
  cpuPer,
  load,
  percentile,
  pupilsAndCategory,
  signedIn,
  startBench,
  summary,
  type Engine,
} from '../lib.ts';

const TEXT = 'Upset at break; said home was loud last night. Ate lunch alone.';

export async function unusualAccessBench(
  engine: Engine,
  o: { n: number; c: number },
): Promise<string[]> {
  const b = await startBench(engine);
  try {
    const schoolId = await benchSchool(b);
    const teachers = await Promise.all(
      Array.from({ length: o.c }, () => benchUser(b, schoolId, 'teacher')),
    );
    const { pupils, category } = await pupilsAndCategory(b.services.db, schoolId, 200);
    await unsafeAsOwner(b.services.db, async (q) => {
      for (const t of teachers) {
        await q.query(
          `INSERT INTO staff_teaching_groups (school_id, user_id, group_ref, source)
           VALUES ($1, $2, 'form:8A', 'mis')`,
          [schoolId, t.id],
        );
        await q.query(
          `INSERT INTO staff_group_members (school_id, group_id, user_id)
           SELECT $1, id, $2 FROM staff_groups WHERE school_id = $1 AND key = 'pastoral'`,
          [schoolId, t.id],
        );
      }
    });
    const clients = await Promise.all(teachers.map((u) => signedIn(b, u, true)));
    const body = (i: number) => ({
      pupils: [{ pupilId: pupils[i % pupils.length], role: 'subject' }],
      categoryIds: [category],
      happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
      body: `${TEXT} (${i})`,
    });
    const scan = () => runUnusualAccessScan(b.services, new Date(), [schoolId]);
    await scan(); // starts watching
    await Promise.all(clients.map(async (c, i) => (await c.post('/api/concerns', body(i))).text()));

    const phase = async (on: boolean, offset: number) => {
      let scanning = on;
      let scans = 0;
      const looping = (async () => {
        while (scanning) {
          await scan();
          scans++;
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      const cpu = cpuMark(b);
      const run = await load(o.n, o.c, async (w, i) => {
        const res = await clients[w]!.post('/api/concerns', body(offset + i));
        if (res.status !== 201) throw new Error(`a concern was refused: ${res.status}`);
        await res.text();
      });
      const cpuLine = cpuPer(cpu, o.n);
      scanning = false;
      await looping;
      return { run, cpuLine, scans };
    };
    const stopAnalyze = analyzeWhileSeeding(b, 5_000, [
      'concerns',
      'concern_pupils',
      'concern_categories',
      'report_records',
      'audit_events',
    ]);
    const before = loadavg();
    type Phase = { on: boolean } & Awaited<ReturnType<typeof phase>>;
    const phases: Phase[] = [];
    for (const [k, on] of [false, true, true, false].entries())
      phases.push({ on, ...(await phase(on, (k + 1) * o.n)) });
    await stopAnalyze();
    const after = loadavg();
    const label = `${engine.padEnd(8)} n=${o.n} c=${o.c}`;
    const lines = phases.map(
      (p) =>
        `${label}  scan ${p.on ? `on (${String(p.scans).padStart(3)} scans)` : 'off           '}  ${summary(p.run.latencies, p.run.wallMs)}  ${p.cpuLine}`,
    );
    const mean = (on: boolean, f: (p: Phase) => number) => {
      const xs = phases.filter((p) => p.on === on).map(f);
      return xs.reduce((a, x) => a + x, 0) / xs.length;
    };
    const p50 = (p: Phase) => percentile(p.run.latencies, 50);
    const rate = (p: Phase) => (o.n / p.run.wallMs) * 1000;
    const slower = (mean(true, p50) / mean(false, p50) - 1) * 100;
    const fewer = (1 - mean(true, rate) / mean(false, rate)) * 100;
    lines.push(
      `${label}  scan on vs off: p50 ${slower >= 0 ? '+' : ''}${slower.toFixed(1)} %, throughput ${fewer >= 0 ? '-' : '+'}${Math.abs(fewer).toFixed(1)} % (goal: no more than 5 % slower)`,
      `${label}  machine load (1/5/15 min) before ${before.map((x) => x.toFixed(2)).join(' ')}, after ${after.map((x) => x.toFixed(2)).join(' ')}`,
    );
    return lines;
  } finally {
    await b.close();
  }
}
