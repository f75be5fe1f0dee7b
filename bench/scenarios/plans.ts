// The query plans behind the record reads at size: a school with N concerns over 1,000 pupils
// plus one pupil with 2,000 chronology entries. Each request (chronology, search, dashboard) is
// made once over HTTP by an elevated DSL while every statement the application sends is recorded
// with its time; the slowest are then run again under EXPLAIN (ANALYZE, BUFFERS) as the
// application role in that school (row-level security on), and their plans are printed. This is
// how the indexes in src/platform/db/migrations/0005_indexes.sql were chosen.
import type { Database, Queryable, Row } from '../../src/platform/db/engine.ts';
import { inSchool, unsafeAsOwner } from '../../src/platform/db/tenancy.ts';
import { benchSchool, benchUser, signedIn, startBench, type Engine } from '../lib.ts';
import { bulkConcerns, pupils } from './records.ts';

type Statement = { sql: string; params: readonly unknown[]; ms: number };

/** The database, recording every statement run in a transaction while `on` is set. */
export function recorder() {
  const state = { on: false, statements: [] as Statement[] };
  const track = (tx: Queryable): Queryable => ({
    exec: (sql) => tx.exec(sql),
    query: async <T extends Row>(sql: string, params: readonly unknown[] = []) => {
      const t0 = performance.now();
      const rows = await tx.query<T>(sql, params);
      if (state.on) state.statements.push({ sql, params, ms: performance.now() - t0 });
      return rows;
    },
  });
  const wrap = (db: Database): Database => ({
    engine: db.engine,
    limits: db.limits,
    query: (sql, params) => db.query(sql, params),
    exec: (sql) => db.exec(sql),
    lookup: (sql, lane) => db.lookup(sql, lane),
    transaction: (fn, lane) => db.transaction((tx) => fn(track(tx)), lane),
    close: () => db.close(),
  });
  return { state, wrap };
}

const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').trim();

export async function plans(
  engine: Engine,
  o: { n: number; top: number; keep: boolean },
): Promise<string[]> {
  const rec = recorder();
  const b = await startBench(engine, { wrap: rec.wrap, keep: o.keep });
  const out: string[] = [];
  try {
    const schoolId = await benchSchool(b);
    const dsl = await benchUser(b, schoolId, 'dsl');
    // Written by a teacher, read by the DSL: the visibility rules run for every row.
    const teacher = await benchUser(b, schoolId, 'teacher');
    const kids = await pupils(b, schoolId, 1000);
    const [one] = await pupils(b, schoolId, 1);
    const t0 = performance.now();
    await bulkConcerns(b, schoolId, teacher.id, (i) => kids[i % kids.length]!, o.n);
    await bulkConcerns(b, schoolId, teacher.id, () => one!, 2000);
    await unsafeAsOwner(b.services.db, (q) => q.query('ANALYZE'));
    out.push(
      `${engine}: ${o.n} concerns over 1000 pupils + 2000 on one pupil, loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const client = await signedIn(b, dsl, true);
    // A search's words go in a POST body (never in the URL); the other reads are GETs.
    const requests: [string, string, { q: string }?][] = [
      ['chronology', `/api/pupils/${one}/chronology`],
      ['search "bruise"', '/api/search', { q: 'bruise' }],
      ['search "social worker"', '/api/search', { q: 'social worker' }],
      ['search "Ref 4242" (one match)', '/api/search', { q: 'Ref 4242' }],
      ['search "zebra" (no match)', '/api/search', { q: 'zebra' }],
      ['dashboard', '/api/dashboard'],
    ];
    for (const [label, path, body] of requests) {
      const send = () => (body ? client.post(path, body) : client.get(path));
      await (await send()).arrayBuffer(); // warm: plans, keys
      rec.state.statements = [];
      rec.state.on = true;
      const r0 = performance.now();
      const res = await send();
      await res.arrayBuffer();
      const total = performance.now() - r0;
      rec.state.on = false;
      if (!res.ok) throw new Error(`${label}: ${res.status}`);
      out.push('', `### ${engine} — ${label}: ${total.toFixed(1)} ms over HTTP`);
      out.push(
        ...(await slowestPlans(b.services.db, engine, schoolId, rec.state.statements, o.top)),
      );
    }
    return out;
  } finally {
    await b.close();
  }
}

/** EXPLAIN ANALYZE of the `top` slowest reads among `statements`, as the application role. */
export async function slowestPlans(
  db: Database,
  engine: Engine,
  schoolId: string,
  statements: Statement[],
  top: number,
): Promise<string[]> {
  const out: string[] = [];
  const slow = statements
    .filter((s) => /^\s*(SELECT|WITH)\b/i.test(s.sql) && !/set_config/.test(s.sql))
    .sort((x, y) => y.ms - x.ms)
    .slice(0, top);
  for (const s of slow) {
    const plan = await inSchool(db, schoolId, (q) =>
      q.query<Record<string, string>>(`EXPLAIN (ANALYZE, BUFFERS) ${s.sql}`, s.params),
    );
    out.push(
      `-- ${s.ms.toFixed(1)} ms in the request: ${oneLine(s.sql).slice(0, 160)}…`,
      ...plan.map((row) => `   ${Object.values(row)[0]}`),
    );
    if (engine === 'postgres') {
      // Just-in-time compilation is on by default on a server and costs more than it saves
      // on these short queries: the same statement without it, for comparison.
      const noJit = await inSchool(db, schoolId, async (q) => {
        await q.query('SET LOCAL jit = off');
        return q.query<Record<string, string>>(`EXPLAIN (ANALYZE) ${s.sql}`, s.params);
      });
      const last = noJit.map((row) => Object.values(row)[0]).at(-1);
      out.push(`   … the same with jit = off: ${last}`);
    }
  }
  return out;
}
