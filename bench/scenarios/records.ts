// Reading records at size (issue 4): a pupil with 2,000 chronology entries — the chronology API
// and its PDF export — and search over N concerns in one school. Records are written in bulk
// with the application's own sealing and blind index (src/crypto, src/records/search-index.ts),
// so what is read back is exactly what the API would have stored; only the HTTP path of writing
// is skipped. Readers are a DSL who stepped up with an authenticator code.
import { randomUUID } from 'node:crypto';
import { inSchool, unsafeAsOwner } from '../../src/db/tenancy.ts';
import { concernTokens } from '../../src/concerns/service.ts';
import {
  benchSchool,
  benchUser,
  load,
  ms,
  percentile,
  signedIn,
  startBench,
  type Bench,
  type Engine,
} from '../lib.ts';

const WORDS = (
  'arrived late hungry tired upset crying bruise arm leg playground lunch break classroom ' +
  'mother father carer sister brother uncle grandmother phone online message group chat ' +
  'bullying fight pushed hit scared worried quiet withdrawn angry shouting police social worker ' +
  'hospital doctor medication absent attendance uniform dirty coat shoes money food breakfast'
).split(' ');

function sentence(i: number): string {
  const pick = (k: number) => WORDS[(i * 7 + k * 13 + ((i >> k) & 7)) % WORDS.length]!;
  return `Noticed the child was ${pick(1)} and ${pick(2)} after ${pick(3)}; said ${pick(4)} ${pick(5)} at home. Spoke about ${pick(6)} and ${pick(7)}. Ref ${i}.`;
}

/** Writes `count` sealed, indexed concerns about the given pupils, in batches. */
export async function bulkConcerns(
  b: Bench,
  schoolId: string,
  authorId: string,
  pupilOf: (i: number) => string,
  count: number,
): Promise<void> {
  const [category] = await inSchool(b.services.db, schoolId, (q) =>
    q.query<{ id: string }>(
      'SELECT id FROM categories WHERE NOT restricted AND parent_id IS NULL ORDER BY sort_order LIMIT 1',
    ),
  );
  const BATCH = 500;
  const start = Date.now() - count * 60_000;
  for (let from = 0; from < count; from += BATCH) {
    await inSchool(b.services.db, schoolId, async (q) => {
      const sealer = await b.services.keys.forSchool(q, schoolId);
      const rows = Array.from({ length: Math.min(BATCH, count - from) }, (_, k) => {
        const i = from + k;
        const id = randomUUID();
        const text = sentence(i);
        return {
          id,
          school_id: schoolId,
          author_id: authorId,
          happened_at: new Date(start + i * 60_000).toISOString(),
          recorded_at: new Date(start + i * 60_000 + 5_000).toISOString(),
          body: `\\x${sealer.seal('concerns.body', id, text).toString('hex')}`,
          search_tokens: concernTokens(sealer.searchKey, text, null),
          pupil_id: pupilOf(i),
        };
      });
      const json = JSON.stringify(rows);
      await q.query(
        `INSERT INTO concerns (id, school_id, author_id, happened_at, recorded_at, body, search_tokens)
         SELECT id, school_id, author_id, happened_at, recorded_at, body, search_tokens
         FROM json_populate_recordset(NULL::concerns, $1::json)`,
        [json],
      );
      await q.query(
        `INSERT INTO concern_pupils (school_id, concern_id, pupil_id)
         SELECT (r->>'school_id')::uuid, (r->>'id')::uuid, (r->>'pupil_id')::uuid
         FROM json_array_elements($1::json) r`,
        [json],
      );
      await q.query(
        `INSERT INTO concern_categories (school_id, concern_id, category_id)
         SELECT (r->>'school_id')::uuid, (r->>'id')::uuid, $2 FROM json_array_elements($1::json) r`,
        [json, category!.id],
      );
    });
  }
}

export async function pupils(b: Bench, schoolId: string, count: number): Promise<string[]> {
  const rows = await inSchool(b.services.db, schoolId, (q) =>
    q.query<{ id: string }>(
      `INSERT INTO pupils (school_id, first_name, last_name, year_group, form)
       SELECT $1, 'Pupil', 'Bench' || g, 'Year 9', '9B' FROM generate_series(1, $2::int) g
       RETURNING id`,
      [schoolId, count],
    ),
  );
  return rows.map((r) => r.id);
}

async function timeGets(
  get: () => Promise<Response>,
  runs: number,
): Promise<{ latencies: number[]; bytes: number }> {
  let bytes = 0;
  const { latencies } = await load(runs, 1, async () => {
    const res = await get();
    if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
    bytes = (await res.arrayBuffer()).byteLength;
  });
  return { latencies, bytes };
}

export async function chronology(engine: Engine, o: { entries: number }): Promise<string[]> {
  const b = await startBench(engine);
  try {
    const schoolId = await benchSchool(b);
    const dsl = await benchUser(b, schoolId, 'dsl');
    // Written by a teacher, read by the DSL: the visibility rules run for every row.
    const teacher = await benchUser(b, schoolId, 'teacher');
    const [pupil] = await pupils(b, schoolId, 1);
    const t0 = performance.now();
    await bulkConcerns(b, schoolId, teacher.id, () => pupil!, o.entries);
    const loadMs = performance.now() - t0;
    await unsafeAsOwner(b.services.db, (q) => q.query('ANALYZE'));
    const client = await signedIn(b, dsl, true);
    const api = await timeGets(() => client.get(`/api/pupils/${pupil}/chronology`), 20);
    const pdf = await timeGets(() => client.get(`/api/pupils/${pupil}/chronology.pdf`), 8);
    const p = (xs: number[]) => `p50 ${ms(percentile(xs, 50))}  p95 ${ms(percentile(xs, 95))}`;
    return [
      `${engine.padEnd(8)} ${o.entries} entries written in ${(loadMs / 1000).toFixed(1)} s`,
      `${engine.padEnd(8)} chronology API  ${p(api.latencies)}  (${Math.round(api.bytes / 1024)} KiB, 20 runs)`,
      `${engine.padEnd(8)} chronology PDF  ${p(pdf.latencies)}  (${Math.round(pdf.bytes / 1024)} KiB, 8 runs)`,
    ];
  } finally {
    await b.close();
  }
}

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
        const res = await client.get(`/api/search?q=${encodeURIComponent(q)}`);
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
