// A pupil with N chronology entries: the chronology API's first page and the next by its cursor,
// beside a ceiling (raw SQL reading the same newest rows of the same sources and counting them, in
// the school's transaction with row-level security on, but no HTTP, visibility rules, sealing or
// audit), and the PDF export of every entry with the growth of heap and resident memory while it
// streams. Read by a DSL who stepped up with an authenticator code. Entries are written in bulk
// by records.ts.
import { inSchool, unsafeAsOwner } from '../../src/platform/db/tenancy.ts';
import {
  benchSchool,
  benchUser,
  ms,
  percentile,
  signedIn,
  startBench,
  type Client,
  type Engine,
} from '../lib.ts';
import { bulkCaseWork, bulkConcerns, pupils, timeGets } from './records.ts';

type Page = { entries: unknown[]; total: number; nextCursor?: string };

/** Requests timed per figure (fewer in a --quick run). */
let RUNS = 20;

/** The newest 100 rows of every source and their count: what the page reads, with nothing else. */
const CEILING = `
  SELECT * FROM (
    (SELECT c.id, c.happened_at AS at, c.body AS text FROM concerns c
      JOIN concern_pupils x ON x.concern_id = c.id AND x.pupil_id = $1
      ORDER BY c.happened_at DESC, c.id DESC LIMIT 101)
    UNION ALL (SELECT id, coalesce(completed_at, created_at), text FROM actions WHERE pupil_id = $1
      ORDER BY coalesce(completed_at, created_at) DESC, id DESC LIMIT 101)
    UNION ALL (SELECT id, referred_at, details FROM referrals WHERE pupil_id = $1
      ORDER BY referred_at DESC, id DESC LIMIT 101)
    UNION ALL (SELECT id, happened_at, text FROM conversations WHERE pupil_id = $1
      ORDER BY happened_at DESC, id DESC LIMIT 101)
    UNION ALL (SELECT e.id, e.at, e.rationale FROM case_events e JOIN cases k ON k.id = e.case_id
      WHERE k.pupil_id = $1 ORDER BY e.at DESC, e.id DESC LIMIT 101)
    UNION ALL (SELECT id, happened_at, NULL FROM pupil_events WHERE pupil_id = $1
      ORDER BY happened_at DESC, id DESC LIMIT 101)
  ) k ORDER BY at DESC, id DESC LIMIT 100`;
const CEILING_COUNT = `SELECT
  (SELECT count(*) FROM concern_pupils WHERE pupil_id = $1) + (SELECT count(*) FROM actions WHERE pupil_id = $1)
  + (SELECT count(*) FROM referrals WHERE pupil_id = $1) + (SELECT count(*) FROM conversations WHERE pupil_id = $1)
  + (SELECT count(*) FROM case_events e JOIN cases k ON k.id = e.case_id WHERE k.pupil_id = $1)
  + (SELECT count(*) FROM pupil_events WHERE pupil_id = $1) AS n`;

/** Each PDF read as a stream (bytes counted, never held), with memory sampled while it runs. */
async function timePdfs(client: Client, path: string, runs: number) {
  const latencies: number[] = [];
  let bytes = 0;
  const before = process.memoryUsage();
  let heap = before.heapUsed;
  let rss = before.rss;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    heap = Math.max(heap, m.heapUsed);
    rss = Math.max(rss, m.rss);
  }, 10);
  try {
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const res = await client.get(path);
      if (!res.ok || !res.body) throw new Error(`${res.status} ${await res.text()}`);
      bytes = 0;
      for await (const chunk of res.body) bytes += (chunk as Uint8Array).byteLength;
      latencies.push(performance.now() - t0);
    }
  } finally {
    clearInterval(timer);
  }
  return {
    latencies: latencies.sort((a, b) => a - b),
    bytes,
    heapMb: (heap - before.heapUsed) / 1048576,
    rssMb: (rss - before.rss) / 1048576,
  };
}

export async function chronology(
  engine: Engine,
  o: { entries: number; runs?: number },
): Promise<string[]> {
  RUNS = o.runs ?? 20;
  const b = await startBench(engine);
  try {
    const schoolId = await benchSchool(b);
    const dsl = await benchUser(b, schoolId, 'dsl');
    // Written by a teacher, read by the DSL: the visibility rules run for every row.
    const teacher = await benchUser(b, schoolId, 'teacher');
    const [pupil] = await pupils(b, schoolId, 1);
    // A realistic mix: 60% concerns; the rest actions, referrals, conversations, case events
    // and MIS events, so every source of the chronology is read at size.
    const mix = {
      actions: Math.round(o.entries * 0.15),
      referrals: Math.round(o.entries * 0.05),
      conversations: Math.round(o.entries * 0.125),
      cases: Math.round(o.entries * 0.025),
      mis: Math.round(o.entries * 0.025),
    };
    const concerns =
      o.entries - mix.actions - mix.referrals - mix.conversations - mix.cases * 2 - mix.mis;
    const t0 = performance.now();
    await bulkConcerns(b, schoolId, teacher.id, () => pupil!, concerns);
    await bulkCaseWork(b, schoolId, dsl.id, pupil!, mix);
    const loadMs = performance.now() - t0;
    await unsafeAsOwner(b.services.db, (q) => q.query('ANALYZE'));
    const client = await signedIn(b, dsl, true);
    const path = `/api/pupils/${pupil}/chronology`;
    const first = (await (await client.get(path)).json()) as Page;
    const next = `${path}?cursor=${encodeURIComponent(first.nextCursor ?? '')}`;
    const firstPage = await timeGets(() => client.get(path), RUNS);
    const nextPage = await timeGets(() => client.get(next), RUNS);
    const ceiling: number[] = [];
    let ceilingTotal = 0;
    for (let i = 0; i < RUNS; i++) {
      const c0 = performance.now();
      await inSchool(b.services.db, schoolId, async (q) => {
        await q.query(CEILING, [pupil]);
        const [row] = await q.query<{ n: string }>(CEILING_COUNT, [pupil]);
        ceilingTotal = Number(row?.n ?? 0);
      });
      ceiling.push(performance.now() - c0);
    }
    ceiling.sort((x, y) => x - y);
    const pdfRuns = o.entries > 5000 ? 3 : 5;
    const pdf = await timePdfs(client, `${path}.pdf`, pdfRuns);
    const p = (xs: number[]) => `p50 ${ms(percentile(xs, 50))}  p95 ${ms(percentile(xs, 95))}`;
    const e = engine.padEnd(8);
    return [
      `${e} ${o.entries} entries written in ${(loadMs / 1000).toFixed(1)} s (${concerns} concerns, ${mix.actions} actions, ${mix.referrals} referrals, ${mix.conversations} conversations, ${mix.cases * 2} case events, ${mix.mis} MIS events); the API's total ${first.total} (raw count ${ceilingTotal}), first page ${first.entries.length} entries`,
      `${e} chronology first page  ${p(firstPage.latencies)}  (${Math.round(firstPage.bytes / 1024)} KiB, ${RUNS} runs)`,
      `${e} chronology next page   ${p(nextPage.latencies)}  (${Math.round(nextPage.bytes / 1024)} KiB, by cursor, ${RUNS} runs)`,
      `${e} ceiling, raw SQL       ${p(ceiling)}  (the same newest 100 rows and the count; no HTTP, rules, sealing or audit)`,
      `${e} chronology PDF         ${p(pdf.latencies)}  (${Math.round(pdf.bytes / 1024)} KiB, ${pdfRuns} runs, streamed; heap +${pdf.heapMb.toFixed(0)} MB, rss +${pdf.rssMb.toFixed(0)} MB at peak)`,
    ];
  } finally {
    await b.close();
  }
}
