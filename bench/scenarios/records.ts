// Writing records at size for the reading scenarios (chronology.ts, search.ts, member-lists.ts). Records are written in bulk
// with the application's own sealing and blind index (src/platform/crypto, src/features/search/blind-index.ts),
// so what is read back is exactly what the API would have stored; only the HTTP path of writing
// is skipped. Readers are a DSL who stepped up with an authenticator code.
import type { SealedTextColumn } from '../../src/platform/crypto/sealed-columns.ts';
import { randomUUID } from 'node:crypto';
import { inSchool } from '../../src/platform/db/tenancy.ts';
import { concernTokens } from '../../src/features/concerns/service.ts';
import { INDEX_VERSION } from '../../src/features/search/blind-index.ts';
import { appendAuditEntries } from '../../src/platform/audit/chain.ts';
import { load, type Bench } from '../lib.ts';

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

/** How long each batch of bulkConcerns took: the records written before it, its size, ms. */
export type BatchTiming = { from: number; count: number; ms: number };

/**
 * Writes `count` sealed, indexed concerns about the given pupils, in batches of 500, each batch
 * as the API writes one record: the concern, its pupil and its category in one statement (so the
 * rollup triggers of 0075 fire once a batch, as they do once a request), and its
 * `concern.created` audit entry appended to the school's chain in the same transaction.
 * Statistics are refreshed as the table doubles (below).
 */
export async function bulkConcerns(
  b: Pick<Bench, 'services'>,
  schoolId: string,
  authorId: string,
  pupilOf: (i: number) => string,
  count: number,
  onBatch?: (t: BatchTiming) => void,
): Promise<void> {
  const [category] = await inSchool(b.services.db, schoolId, (q) =>
    q.query<{ id: string }>(
      'SELECT id FROM categories WHERE NOT restricted AND parent_id IS NULL ORDER BY sort_order LIMIT 1',
    ),
  );
  const actor = { actorId: authorId, actorLabel: 'Bench teacher', ip: null, userAgent: null };
  const BATCH = 500;
  const start = Date.now() - count * 60_000;
  for (let from = 0; from < count; from += BATCH) {
    const t0 = performance.now();
    const size = Math.min(BATCH, count - from);
    await inSchool(b.services.db, schoolId, async (q) => {
      const sealer = await b.services.keys.forSchool(q, schoolId);
      const rows = Array.from({ length: size }, (_, k) => {
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
      await q.query(
        `WITH r AS (SELECT * FROM json_populate_recordset(NULL::concerns, $1::json)),
           p AS (SELECT (e->>'id')::uuid AS id, (e->>'pupil_id')::uuid AS pupil_id
                   FROM json_array_elements($1::json) e),
           concern AS (
             INSERT INTO concerns (id, school_id, author_id, happened_at, recorded_at, body, search_tokens,
               index_version)
             SELECT id, school_id, author_id, happened_at, recorded_at, body, search_tokens,
               ${INDEX_VERSION} FROM r),
           linked AS (
             INSERT INTO concern_pupils (school_id, concern_id, pupil_id)
             SELECT $2, id, pupil_id FROM p)
         INSERT INTO concern_categories (school_id, concern_id, category_id)
         SELECT $2, id, $3 FROM p`,
        [JSON.stringify(rows), schoolId, category!.id],
      );
      await appendAuditEntries(
        q,
        schoolId,
        rows.map((r) => ({
          actor,
          event: {
            action: 'concern.created',
            targetType: 'concern',
            targetId: r.id,
            details: { pupils: [r.pupil_id], categories: [category!.id], bodyMapMarks: 0 },
          },
        })),
      );
    });
    onBatch?.({ from, count: size, ms: performance.now() - t0 });
    // Statistics as PostgreSQL's autovacuum (or the embedded server's hourly ANALYZE) would keep
    // them, so the triggers' and readers' plans are those of a table this size: at each doubling
    // (500, 1,000, 2,000 … records), never more often (ANALYZE every few seconds cost the
    // embedded engine, which runs one statement at a time, more than the writing).
    const done = from + size;
    if (done % BATCH === 0 && Number.isInteger(Math.log2(done / BATCH))) {
      await b.services.db.exec(
        'ANALYZE concerns, concern_pupils, concern_categories, report_records, report_pupil_days',
      );
    }
  }
}

/**
 * Writes the rest of a pupil's chronology as the application would have stored it: actions (half
 * completed with an outcome), referrals with their agency, conversations, cases opened and closed
 * with an outcome and rationale, and MIS events. Every text sealed under the school's key.
 */
export async function bulkCaseWork(
  b: Bench,
  schoolId: string,
  staffId: string,
  pupilId: string,
  n: { actions: number; referrals: number; conversations: number; cases: number; mis: number },
): Promise<void> {
  const start = Date.now() - 3_000 * 60_000;
  const at = (i: number) => new Date(start + i * 61_000).toISOString();
  await inSchool(b.services.db, schoolId, async (q) => {
    const sealer = await b.services.keys.forSchool(q, schoolId);
    const seal = (col: SealedTextColumn, id: string, text: string) => sealer.seal(col, id, text);
    const types = ['phone_call', 'meeting', 'letter', 'note', 'decision', 'referral'];
    for (let i = 0; i < n.actions; i++) {
      const id = randomUUID();
      const done = i % 2 === 0;
      await q.query(
        `INSERT INTO actions (id, school_id, pupil_id, type, text, assignee_id, created_by, created_at,
           due_at, completed_at, completed_by, outcome)
         VALUES ($1, $2, $3, $4, $5::bytea, $6, $6, $7, $7::timestamptz + interval '2 days',
           CASE WHEN $8 THEN $7::timestamptz + interval '1 day' END, CASE WHEN $8 THEN $6::uuid END, $9::bytea)`,
        [
          id,
          schoolId,
          pupilId,
          types[i % types.length],
          seal('actions.text', id, sentence(i)),
          staffId,
          at(i),
          done,
          done ? seal('actions.outcome', id, `Done: ${sentence(i + 1)}`) : null,
        ],
      );
    }
    const agencies = await q.query<{ id: string; expected_response_hours: number | null }>(
      'SELECT id, expected_response_hours FROM referral_agencies ORDER BY name',
    );
    for (let i = 0; i < n.referrals; i++) {
      const id = randomUUID();
      const agency = agencies[i % agencies.length]!;
      await q.query(
        `INSERT INTO referrals (id, school_id, pupil_id, agency_id, referred_at, expected_response_hours,
           due_at, contact, reference, details, created_by, created_at, responded_at)
         VALUES ($1, $2, $3, $4, $5, $6::int, $5::timestamptz + make_interval(hours => $6::int),
           $7::bytea, $8::bytea, $9::bytea, $10, $5, CASE WHEN $11 THEN $5::timestamptz + interval '1 day' END)`,
        [
          id,
          schoolId,
          pupilId,
          agency.id,
          at(i * 3),
          agency.expected_response_hours,
          seal('referrals.contact', id, `Duty worker ${i}`),
          seal('referrals.reference', id, `REF-${i}`),
          seal('referrals.details', id, sentence(i)),
          staffId,
          i % 3 !== 0,
        ],
      );
    }
    const withWhom = ['parent', 'carer', 'child', 'family', 'professional'];
    for (let i = 0; i < n.conversations; i++) {
      const id = randomUUID();
      await q.query(
        `INSERT INTO conversations (id, school_id, pupil_id, with_whom, decision, happened_at, text,
           author_id, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::bytea, $8, $6)`,
        [
          id,
          schoolId,
          pupilId,
          withWhom[i % withWhom.length],
          i % 10 === 0 ? 'early_help_assessment' : null,
          at(i * 2 + 1),
          seal('conversations.text', id, sentence(i)),
          staffId,
        ],
      );
    }
    // Each case is opened and closed: two entries.
    for (let i = 0; i < n.cases; i++) {
      const caseId = randomUUID();
      await q.query(
        `INSERT INTO cases (id, school_id, pupil_id, owner_id, status, opened_at)
         VALUES ($1, $2, $3, $4, 'closed', $5)`,
        [caseId, schoolId, pupilId, staffId, at(i * 20)],
      );
      const closeId = randomUUID();
      await q.query(
        `INSERT INTO case_events (id, school_id, case_id, kind, at, by_id, outcome, rationale)
         VALUES ($1, $2, $3, 'opened', $4, $5, NULL, NULL),
                ($6, $2, $3, 'closed', $4::timestamptz + interval '10 days', $5, $7::bytea, $8::bytea)`,
        [
          randomUUID(),
          schoolId,
          caseId,
          at(i * 20),
          staffId,
          closeId,
          seal('case_events.outcome', closeId, 'Support in place'),
          seal('case_events.rationale', closeId, sentence(i)),
        ],
      );
    }
    const kinds = ['joined', 'changed_form', 'changed_year'];
    for (let i = 0; i < n.mis; i++) {
      await q.query(
        `INSERT INTO pupil_events (school_id, pupil_id, kind, happened_at, from_value, to_value)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [schoolId, pupilId, kinds[i % kinds.length], at(i * 40), '9A', '9B'],
      );
    }
  });
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

export async function timeGets(
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
