// Search over N concerns in one school by an elevated DSL: rare words, pairs and common words.
// Concerns are written in bulk by records.ts, sealed and indexed as the API would store them.
import { unsafeAsOwner } from '../../src/platform/db/tenancy.ts';
import {
  benchSchool,
  benchUser,
  ms,
  percentile,
  signedIn,
  startBench,
  type Engine,
} from '../lib.ts';
import { bulkConcerns, pupils, timeGets } from './records.ts';

export async function search(engine: Engine, o: { n: number }): Promise<string[]> {
  const b = await startBench(engine);
  try {
    const schoolId = await benchSchool(b);
    const dsl = await benchUser(b, schoolId, 'dsl');
    const teacher = await benchUser(b, schoolId, 'teacher');
    const kids = await pupils(b, schoolId, 1000);
    const t0 = performance.now();
    await bulkConcerns(b, schoolId, teacher.id, (i) => kids[i % kids.length]!, o.n);
    const loadMs = performance.now() - t0;
    await unsafeAsOwner(b.services.db, (q) => q.query('ANALYZE'));
    const client = await signedIn(b, dsl, true);
    const queries = ['bruise', 'hungry breakfast', 'social worker', 'Ref 4242', 'police hospital'];
    const out = [
      `${engine.padEnd(8)} ${o.n} concerns written (sealed, indexed) in ${(loadMs / 1000).toFixed(1)} s`,
    ];
    for (const q of queries) {
      let hits = 0;
      const r = await timeGets(async () => {
        const res = await client.post('/api/search', { q });
        const copy = res.clone();
        hits = ((await copy.json()) as { items: unknown[] }).items.length;
        return res;
      }, 15);
      out.push(
        `${engine.padEnd(8)} search "${q}"  p50 ${ms(percentile(r.latencies, 50))}  p95 ${ms(percentile(r.latencies, 95))}  (${hits} results shown)`,
      );
    }
    return out;
  } finally {
    await b.close();
  }
}
