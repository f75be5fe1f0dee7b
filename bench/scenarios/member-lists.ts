// Lists that must cost what they show, not what the school holds (issue 12): a class teacher's,
// a head of year's and a pastoral lead's concern list and dashboard in a school of N concerns
// spread over 1,000 pupils in 10 forms of 5 year groups. The teacher teaches one form, the head
// of year sees one year group, the pastoral lead the whole school (non-restricted). Each figure
// is printed beside its ceiling: the same page of rows read by raw SQL (no HTTP, sealing,
// permission filter or audit). Then the DSL's morning: their dashboard with `actions` open
// actions assigned to them and `cases` open cases (5,000 and 500 by default), beside the raw
// SQL of the same rows.
import { randomUUID } from 'node:crypto';
import { inSchool, unsafeAsOwner } from '../../src/platform/db/tenancy.ts';
import { bulkConcerns } from './records.ts';
import { recorder, slowestPlans } from './plans.ts';
import {
  benchSchool,
  benchUser,
  load,
  ms,
  percentile,
  signedIn,
  startBench,
  type Bench,
  type BenchUser,
  type Engine,
} from '../lib.ts';

const FORMS = ['7A', '7B', '8A', '8B', '9A', '9B', '10A', '10B', '11A', '11B'];

export async function memberLists(
  engine: Engine,
  o: { n: number; runs: number; actions: number; cases: number; explain?: number },
) {
  // With `explain`, each request is made once more while its statements are recorded, and the
  // plans of its `explain` slowest reads are printed (bench `member-plans`).
  const rec = recorder();
  const b = await startBench(engine, o.explain ? { wrap: rec.wrap } : {});
  try {
    const schoolId = await benchSchool(b);
    const author = await benchUser(b, schoolId, 'dsl');
    const kids = await inSchool(b.services.db, schoolId, (q) =>
      q.query<{ id: string; form: string }>(
        `INSERT INTO pupils (school_id, first_name, last_name, year_group, form)
         SELECT $1, 'Pupil', 'Bench' || g, 'Year ' || (7 + (g % 10) / 2), f.forms[1 + g % 10]
         FROM generate_series(0, 999) g, (SELECT $2::text[] AS forms) f
         RETURNING id, form`,
        [schoolId, FORMS],
      ),
    );
    const t0 = performance.now();
    await bulkConcerns(b, schoolId, author.id, (i) => kids[i % kids.length]!.id, o.n);
    const loadMs = performance.now() - t0;

    const teacher = await benchUser(b, schoolId, 'teacher');
    // A form of one pupil with two concerns: its teacher's page must look past the whole school.
    const sparse = await benchUser(b, schoolId, 'teacher');
    await inSchool(b.services.db, schoolId, async (q) => {
      const [p] = await q.query<{ id: string }>(
        `INSERT INTO pupils (school_id, first_name, last_name, year_group, form)
         VALUES ($1, 'Pupil', 'Alone', 'Year 12', '12A') RETURNING id`,
        [schoolId],
      );
      await q.query(
        `INSERT INTO concern_pupils (school_id, concern_id, pupil_id)
         SELECT $1, id, $2 FROM concerns ORDER BY happened_at LIMIT 2`,
        [schoolId, p!.id],
      );
    });
    const headOfYear = await benchUser(b, schoolId, 'head_of_year');
    const pastoral = await benchUser(b, schoolId, 'teacher');
    await unsafeAsOwner(b.services.db, async (q) => {
      await q.query(
        `INSERT INTO staff_teaching_groups (school_id, user_id, group_ref, source)
         VALUES ($1, $2, 'form:9B', 'mis'), ($1, $3, 'form:12A', 'mis')`,
        [schoolId, teacher.id, sparse.id],
      );
      // The head of year: Year 9 only (the default groups give one group per year).
      await q.query('DELETE FROM staff_group_members WHERE user_id = $1', [headOfYear.id]);
      await q.query(
        `INSERT INTO staff_group_members (school_id, group_id, user_id)
         SELECT $2, id, $1 FROM staff_groups WHERE school_id = $2 AND key IN ('all_staff', 'head_of_year_9')`,
        [headOfYear.id, schoolId],
      );
      await q.query(
        `INSERT INTO staff_group_members (school_id, group_id, user_id)
         SELECT $2, id, $1 FROM staff_groups WHERE school_id = $2 AND key = 'pastoral'
         ON CONFLICT DO NOTHING`,
        [pastoral.id, schoolId],
      );
    });
    // As autovacuum leaves tables in steady use: statistics, and pages marked all-visible.
    await b.services.db.exec('VACUUM ANALYZE');

    const p = (xs: number[]) => `p50 ${ms(percentile(xs, 50))}  p95 ${ms(percentile(xs, 95))}`;
    const out = [
      `${engine.padEnd(8)} ${o.n} concerns over 1,000 pupils written in ${(loadMs / 1000).toFixed(1)} s`,
    ];
    // The ceiling: the newest 50 concerns about pupils of form 9B, by raw SQL.
    const raw = await load(o.runs, 1, () =>
      inSchool(b.services.db, schoolId, (q) =>
        q.query(
          `SELECT c.id, c.body FROM concerns c
           WHERE EXISTS (SELECT 1 FROM concern_pupils cp JOIN pupils p ON p.id = cp.pupil_id
                         WHERE cp.concern_id = c.id AND p.form = '9B')
           ORDER BY c.recorded_at DESC LIMIT 50`,
        ),
      ).then(() => undefined),
    );
    out.push(`${engine.padEnd(8)} ceiling (raw SQL, one form's newest 50)  ${p(raw.latencies)}`);
    for (const [label, user] of [
      ['class teacher (form 9B)', teacher],
      ['class teacher (form of 1 pupil)', sparse],
      ['head of year (Year 9)', headOfYear],
      ['pastoral lead (whole school)', pastoral],
    ] as const) {
      const client = await signedIn(b, user, true);
      for (const url of ['/api/concerns', '/api/dashboard']) {
        let shown = 0;
        const r = await load(o.runs, 1, async () => {
          const res = await client.get(url);
          if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
          const body = (await res.json()) as { items?: unknown[]; recent?: unknown[] };
          shown = (body.items ?? body.recent ?? []).length;
        });
        out.push(
          `${engine.padEnd(8)} ${label.padEnd(30)} GET ${url.padEnd(15)} ${p(r.latencies)}  (${shown} shown, ${o.runs} runs)`,
        );
        if (o.explain) {
          rec.state.statements = [];
          rec.state.on = true;
          await (await client.get(url)).arrayBuffer();
          rec.state.on = false;
          out.push(`### ${engine} — ${label}: GET ${url}`);
          out.push(
            ...(await slowestPlans(
              b.services.db,
              engine,
              schoolId,
              rec.state.statements,
              o.explain,
            )),
          );
        }
      }
    }
    out.push(...(await dslMorning(b, schoolId, author, kids, o)));
    return out;
  } finally {
    await b.close();
  }
}

/** Open actions and open cases for the DSL, then their dashboard beside its raw SQL. */
async function dslMorning(
  b: Bench,
  schoolId: string,
  dsl: BenchUser,
  kids: { id: string }[],
  o: { runs: number; actions: number; cases: number },
): Promise<string[]> {
  const engine = b.engine;
  const BATCH = 1_000;
  for (let from = 0; from < o.actions; from += BATCH) {
    await inSchool(b.services.db, schoolId, async (q) => {
      const sealer = await b.services.keys.forSchool(q, schoolId);
      const rows = Array.from({ length: Math.min(BATCH, o.actions - from) }, (_, k) => {
        const id = randomUUID();
        const text = `Call home about attendance ${from + k}`;
        return {
          id,
          pupil_id: kids[(from + k) % kids.length]!.id,
          text: `\\x${sealer.seal('actions.text', id, text).toString('hex')}`,
          due_at: new Date(Date.now() + ((from + k) % 30) * 86_400_000).toISOString(),
        };
      });
      await q.query(
        `INSERT INTO actions (id, school_id, pupil_id, type, text, assignee_id, created_by, created_at, due_at)
         SELECT r.id, $2, r.pupil_id, 'phone_call', r.text, $3, $3, now(), r.due_at
         FROM json_populate_recordset(NULL::actions, $1::json) r`,
        [JSON.stringify(rows), schoolId, dsl.id],
      );
    });
  }
  await inSchool(b.services.db, schoolId, (q) =>
    q.query(
      `INSERT INTO cases (school_id, pupil_id, owner_id, status, opened_at, review_on)
       SELECT $1, p.id, $2, 'open', now() - (g || ' days')::interval, (now() + (g % 40 || ' days')::interval)::date
       FROM generate_series(1, $3::int) g JOIN LATERAL (SELECT $4::uuid[] AS ids) k ON true
       JOIN pupils p ON p.id = k.ids[1 + g % array_length(k.ids, 1)]`,
      [schoolId, dsl.id, o.cases, kids.slice(0, 1000).map((k) => k.id)],
    ),
  );
  await b.services.db.exec('VACUUM ANALYZE');
  const p = (xs: number[]) => `p50 ${ms(percentile(xs, 50))}  p95 ${ms(percentile(xs, 95))}`;
  const raw = await load(o.runs, 1, () =>
    inSchool(b.services.db, schoolId, async (q) => {
      await q.query(
        `SELECT id, text FROM actions WHERE assignee_id = $1 AND completed_at IS NULL
         ORDER BY due_at NULLS LAST, created_at LIMIT 100`,
        [dsl.id],
      );
      await q.query(
        'SELECT count(*) FROM actions WHERE assignee_id = $1 AND completed_at IS NULL',
        [dsl.id],
      );
      await q.query(
        `SELECT c.id, p.first_name FROM cases c JOIN pupils p ON p.id = c.pupil_id
         WHERE c.status = 'open' ORDER BY c.review_on NULLS LAST LIMIT 50`,
      );
      await q.query('SELECT id, body FROM concerns ORDER BY happened_at DESC LIMIT 10');
    }),
  );
  const client = await signedIn(b, dsl, true);
  let shown = '';
  const r = await load(o.runs, 1, async () => {
    const res = await client.get('/api/dashboard');
    if (!res.ok) throw new Error(`/api/dashboard: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as {
      actions: unknown[];
      actionsWaiting: number;
      openCases: unknown[];
      recent: unknown[];
    };
    shown = `${body.actions.length} of ${body.actionsWaiting} actions, ${body.openCases.length} cases, ${body.recent.length} concerns shown`;
  });
  return [
    `${engine.padEnd(8)} DSL's morning: ${o.actions} open actions, ${o.cases} open cases`,
    `${engine.padEnd(8)} ceiling (raw SQL, the same actions, count, cases and concerns)  ${p(raw.latencies)}`,
    `${engine.padEnd(8)} ${'DSL (whole school)'.padEnd(30)} GET /api/dashboard  ${p(r.latencies)}  (${shown}, ${o.runs} runs)`,
  ];
}
