// A pupil with N chronology entries: the chronology API and its PDF export, read by a DSL who
// stepped up with an authenticator code. Entries are written in bulk by records.ts.
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
import { bulkCaseWork, bulkConcerns, pupils, timeGets } from './records.ts';

export async function chronology(engine: Engine, o: { entries: number }): Promise<string[]> {
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
    const first = await client.get(`/api/pupils/${pupil}/chronology`);
    const shown = ((await first.json()) as { entries?: unknown[]; items?: unknown[] }) ?? {};
    const count = (shown.entries ?? shown.items ?? []).length;
    const api = await timeGets(() => client.get(`/api/pupils/${pupil}/chronology`), 20);
    const pdf = await timeGets(() => client.get(`/api/pupils/${pupil}/chronology.pdf`), 8);
    const p = (xs: number[]) => `p50 ${ms(percentile(xs, 50))}  p95 ${ms(percentile(xs, 95))}`;
    return [
      `${engine.padEnd(8)} ${o.entries} entries written in ${(loadMs / 1000).toFixed(1)} s (${concerns} concerns, ${mix.actions} actions, ${mix.referrals} referrals, ${mix.conversations} conversations, ${mix.cases * 2} case events, ${mix.mis} MIS events); the API returns ${count}`,
      `${engine.padEnd(8)} chronology API  ${p(api.latencies)}  (${Math.round(api.bytes / 1024)} KiB, 20 runs)`,
      `${engine.padEnd(8)} chronology PDF  ${p(pdf.latencies)}  (${Math.round(pdf.bytes / 1024)} KiB, 8 runs)`,
    ];
  } finally {
    await b.close();
  }
}
