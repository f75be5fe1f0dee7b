// Retention (issue 15): the nightly sweep over a school with N records (default 200,000) about
// 1,000 pupils, a few of whom turn 25 within the month so that `batch` of their records are due;
// the same sweep the next night (nothing new to queue: the steady cost); concerns logged over HTTP
// while the first sweep runs, beside the same without a sweep (does the sweep hold locks that
// block logging?); then destroying the due records as one batch over HTTP (approved in bulk by
// SQL first, as two approvers would have), with its certificate. Records are written in bulk by
// records.ts, sealed and indexed as the API would store them (no attachments or case work).
import { inSchool, unsafeAsOwner } from '../../src/platform/db/tenancy.ts';
import { runRetentionSweep } from '../../src/jobs/retention-sweep.ts';
import { addYears } from '../../src/features/retention/rules.ts';
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
import { bulkConcerns, pupils } from './records.ts';

const PUPILS = 1_000;
const DAY = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** Logs concerns one after another until `until` resolves; answers each one's latency. */
async function logWhile(
  client: Client,
  body: () => object,
  until: Promise<unknown> | null,
  count?: number,
): Promise<number[]> {
  const latencies: number[] = [];
  let done = false;
  void until?.then(() => (done = true));
  while (count !== undefined ? latencies.length < count : !done) {
    const t0 = performance.now();
    const res = await client.post('/api/concerns', body());
    if (res.status !== 201) throw new Error(`logging refused: ${res.status} ${await res.text()}`);
    await res.text();
    latencies.push(performance.now() - t0);
  }
  return latencies.sort((x, y) => x - y);
}

const figures = (l: number[]) =>
  `${l.length} logged, p50 ${ms(percentile(l, 50))}  p95 ${ms(percentile(l, 95))}  max ${ms(l.at(-1) ?? NaN)}`;

export async function retention(
  engine: Engine,
  o: { n: number; batch: number },
): Promise<string[]> {
  const b = await startBench(engine);
  try {
    const schoolId = await benchSchool(b);
    const author = await benchUser(b, schoolId, 'teacher');
    const dsl = await benchUser(b, schoolId, 'dsl');
    const dpo = await benchUser(b, schoolId, 'dpo');
    const kids = await pupils(b, schoolId, PUPILS);
    const now = new Date();
    const perPupil = Math.max(1, Math.floor(o.n / PUPILS));
    const duePupils = Math.min(PUPILS, Math.ceil(o.batch / perPupil));
    // The due pupils turn 25 in ten days (their records are queued); the rest are young.
    const dueBirth = addYears(isoDay(new Date(now.getTime() + 10 * DAY)), -25);
    await unsafeAsOwner(b.services.db, (q) =>
      q.query(
        `UPDATE pupils SET date_of_birth = CASE WHEN id = ANY($2::uuid[]) THEN $3::date
           ELSE DATE '2015-01-01' END WHERE school_id = $1`,
        [schoolId, kids.slice(0, duePupils), dueBirth],
      ),
    );
    const t0 = performance.now();
    await bulkConcerns(b, schoolId, author.id, (i) => kids[i % kids.length]!, o.n);
    const loadMs = performance.now() - t0;
    await unsafeAsOwner(b.services.db, (q) => q.query('ANALYZE'));
    const out = [
      `${engine.padEnd(8)} ${o.n} concerns about ${PUPILS} pupils written in ${(loadMs / 1000).toFixed(1)} s; ${duePupils} pupils due (${perPupil} records each)`,
    ];

    const teacher = await signedIn(b, author);
    const [category] = await inSchool(b.services.db, schoolId, (q) =>
      q.query<{ id: string }>(
        `SELECT id FROM categories WHERE NOT restricted AND parent_id IS NULL
         ORDER BY sort_order LIMIT 1`,
      ),
    );
    let i = 0;
    const body = () => ({
      pupils: [{ pupilId: kids[PUPILS - 1 - (i++ % 100)], role: 'subject' }],
      categoryIds: [category!.id],
      happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
      body: `Logged while the sweep runs (${i}).`,
    });
    await logWhile(teacher, body, null, 5); // warm up
    const quiet = await logWhile(teacher, body, null, 20);
    out.push(`${engine.padEnd(8)} logging a concern, no sweep running:     ${figures(quiet)}`);

    // The first night: queues the due records, while a teacher logs concerns.
    const s0 = performance.now();
    const sweep = runRetentionSweep(b.services, now, [schoolId]).then((queued) => ({
      queued,
      ms: performance.now() - s0,
    }));
    const during = await logWhile(teacher, body, sweep);
    const first = await sweep;
    out.push(
      `${engine.padEnd(8)} sweep, first night:  ${ms(first.ms)}  (${first.queued} records queued of ${o.n})`,
    );
    out.push(`${engine.padEnd(8)} logging a concern during the sweep:       ${figures(during)}`);
    const s1 = performance.now();
    const next = await runRetentionSweep(b.services, new Date(now.getTime() + DAY), [schoolId]);
    out.push(
      `${engine.padEnd(8)} sweep, next night:   ${ms(performance.now() - s1)}  (${next} queued)`,
    );

    // Approved by the DSL and the DPO (in bulk, as the two approvals would have been given).
    const reviews = await unsafeAsOwner(b.services.db, async (q) => {
      const rows = await q.query<{ id: string }>(
        `SELECT id FROM retention_reviews WHERE school_id = $1 AND status = 'pending'
         ORDER BY id LIMIT $2`,
        [schoolId, o.batch],
      );
      const ids = rows.map((r) => r.id);
      await q.query(
        `INSERT INTO retention_approvals (school_id, review_id, approver_id, capacity, approved_at)
         SELECT $1::uuid, r, $3::uuid, 'dsl_team', now() FROM unnest($2::uuid[]) r
         UNION ALL SELECT $1::uuid, r, $4::uuid, 'dpo', now() FROM unnest($2::uuid[]) r`,
        [schoolId, ids, dsl.id, dpo.id],
      );
      await q.query(`UPDATE retention_reviews SET status = 'approved' WHERE id = ANY($1::uuid[])`, [
        ids,
      ]);
      return ids;
    });
    const client = await signedIn(b, dsl, true);
    const d0 = performance.now();
    const res = await client.post('/api/retention/destructions', { reviews });
    const destroyMs = performance.now() - d0;
    if (res.status !== 201)
      throw new Error(`destruction refused: ${res.status} ${await res.text()}`);
    const done = (await res.json()) as { records: number };
    out.push(
      `${engine.padEnd(8)} destroying a batch of ${done.records} records (one transaction, certificate, audit): ${ms(destroyMs)}`,
    );
    return out;
  } finally {
    await b.close();
  }
}
