// Logging concerns through the HTTP API with C concurrent signed-in teachers (issue 2), and the
// same with each concern alerting five members of staff (issue 4). Beside the API's figures, the
// ceiling: the same rows (with the alert rows) inserted straight into the database, C at a time,
// with no HTTP, sessions, encryption, search index, email or audit — and the ratio of the two.
import { randomUUID } from 'node:crypto';
import { unsafeAsOwner } from '../../src/platform/db/tenancy.ts';
import {
  benchSchool,
  benchUser,
  cpuMark,
  cpuPer,
  load,
  pupilsAndCategory,
  signedIn,
  startBench,
  summary,
  type Engine,
} from '../lib.ts';

export type LogOptions = { n: number; c: number; alert: number };

const TEXT =
  'At break she said "I don\'t want to go home tonight, dad shouts when he has been drinking". ' +
  'Quiet in lessons all morning; arrived without breakfast.';

export async function logConcerns(engine: Engine, o: LogOptions): Promise<string[]> {
  const b = await startBench(engine);
  try {
    const schoolId = await benchSchool(b);
    const teachers = await Promise.all(
      Array.from({ length: o.c }, () => benchUser(b, schoolId, 'teacher')),
    );
    const alerted = await Promise.all(
      Array.from({ length: o.alert }, () => benchUser(b, schoolId, 'deputy_dsl')),
    );
    const clients = await Promise.all(teachers.map((u) => signedIn(b, u)));
    const { pupils, category } = await pupilsAndCategory(b.services.db, schoolId, 200);
    const body = (i: number) => ({
      pupils: [{ pupilId: pupils[i % pupils.length], role: 'subject' }],
      categoryIds: [category],
      happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
      location: 'Playground',
      body: `${TEXT} (${i})`,
      ...(o.alert > 0 ? { alertUserIds: alerted.map((u) => u.id) } : {}),
    });
    // Warm up each client once (JIT, plans, the school's keys), then measure.
    await Promise.all(clients.map(async (c, i) => (await c.post('/api/concerns', body(i))).text()));
    let failures = 0;
    const apiCpu = cpuMark(b);
    const api = await load(o.n, o.c, async (w, i) => {
      const res = await clients[w]!.post('/api/concerns', body(i));
      if (res.status !== 201) failures++;
      await res.text();
    });
    if (failures > 0) throw new Error(`${failures} concerns were refused`);
    const apiCpuLine = cpuPer(apiCpu, o.n);

    const author = teachers[0]!.id;
    const rawCpu = cpuMark(b);
    const raw = await load(o.n, o.c, async (_w, i) => {
      const id = randomUUID();
      await unsafeAsOwner(b.services.db, async (q) => {
        await q.query(
          `INSERT INTO concerns (id, school_id, author_id, happened_at, recorded_at, location, body)
           VALUES ($1, $2, $3, now() - interval '1 hour', now(), $4, $5)`,
          [id, schoolId, author, Buffer.from('Playground'), Buffer.from(`${TEXT} (${i})`)],
        );
        await q.query(
          'INSERT INTO concern_pupils (school_id, concern_id, pupil_id) VALUES ($1, $2, $3)',
          [schoolId, id, pupils[i % pupils.length]],
        );
        await q.query(
          'INSERT INTO concern_categories (school_id, concern_id, category_id) VALUES ($1, $2, $3)',
          [schoolId, id, category],
        );
        if (o.alert > 0) {
          await q.query(
            `INSERT INTO alerts (school_id, recipient_id, kind, target_type, target_id, created_at)
             SELECT $1, r, 'concern', 'concern', $2, now() FROM unnest($3::uuid[]) r`,
            [schoolId, id, alerted.map((u) => u.id)],
          );
        }
      });
    });
    const rawCpuLine = cpuPer(rawCpu, o.n);
    const apiRate = (o.n / api.wallMs) * 1000;
    const rawRate = (o.n / raw.wallMs) * 1000;
    const label = `${engine.padEnd(8)} n=${o.n} c=${o.c}${o.alert ? ` alerting ${o.alert}` : ''}`;
    return [
      `${label}  API      ${summary(api.latencies, api.wallMs)}  ${apiCpuLine}`,
      `${label}  ceiling  ${summary(raw.latencies, raw.wallMs)}  ${rawCpuLine}`,
      `${label}  ratio    API throughput is ${((apiRate / rawRate) * 100).toFixed(1)}% of the raw-insert ceiling`,
    ];
  } finally {
    await b.close();
  }
}
