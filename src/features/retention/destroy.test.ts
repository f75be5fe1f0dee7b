// Destroying an approved batch (issue 15): all or none, in one transaction, only approved records
// under no hold, with a certificate of destruction chained into the audit trail. Afterwards no
// table holds the record's id but the lasting account of it (its review, its certificate and the
// audit trail, ids only), it has left the chronology, its PDF, search and every list, and the
// audit chain still verifies. Each refusal — a held record, one approver, a record not in the
// queue, another school's — changes nothing and is audited.
import { randomUUID } from 'node:crypto';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { extractText } from 'unpdf';
import {
  call,
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  type Session,
  type TestApp,
} from '../../test/harness.ts';
import { inSchool, unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { verifyAudit } from '../../platform/audit/verify.ts';
import { auditRows, errorOf } from '../identity/identity-test-kit.ts';
import type { CertificateList, Destroyed, ReviewList } from '../../shared/schemas/retention.ts';
import { runRetentionSweep } from '../../jobs/retention-sweep.ts';
import { addYears } from './rules.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' } });
  t.services.mailer = { send: () => Promise.resolve() };
});
afterAll(async () => t.close());

const DAY = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const SECRET = 'Zebrawordy bruise seen on the left arm';

async function scene() {
  const schoolId = await makeSchool(t.services);
  const as = async (role: 'dpo' | 'dsl' | 'headteacher' | 'teacher') => {
    const user = await makeUser(t.services, schoolId, role, `Staff ${role}`);
    return { user, s: await signIn(t.app, user, { elevated: true }) };
  };
  const [dpo, dsl, head, teacher] = [
    await as('dpo'),
    await as('dsl'),
    await as('headteacher'),
    await as('teacher'),
  ];
  const now = t.services.clock.now();
  const ava = await makePupil(t.services, schoolId, { firstName: 'Ava' });
  const birth = addYears(isoDay(new Date(now.getTime() + 10 * DAY)), -25);
  await unsafeAsOwner(t.services.db, (q) =>
    q.query('UPDATE pupils SET date_of_birth = $2 WHERE id = $1', [ava.id, birth]),
  );
  const cats = await categoryIds(t.services, schoolId);
  const cat = (name: string) => cats.find((c) => c.name === name)!.id;
  const made = async (who: Session, url: string, body: object) => {
    const res = await call(t.app, who, 'POST', url, body);
    expect(res.statusCode, `${url}: ${res.body}`).toBe(201);
    return res.json<{ id: string }>().id;
  };
  const happenedAt = new Date(now.getTime() - DAY).toISOString();
  const log = (body: string, category: string, extra: object = {}) =>
    made(dsl.s, '/api/concerns', {
      pupils: [{ pupilId: ava.id, role: 'subject' }],
      categoryIds: [cat(category)],
      happenedAt,
      body,
      ...extra,
    });
  return { schoolId, dpo, dsl, head, teacher, now, ava, log, made, happenedAt };
}

type Scene = Awaited<ReturnType<typeof scene>>;

/** A record with everything that can hang from it: versions, body map, attachment, work, case. */
async function fullRecord(s: Scene) {
  const id = await s.log(SECRET, 'Neglect', {
    bodyMap: [{ side: 'front', x: 0.4, y: 0.5, type: 'bruise', description: 'Left arm' }],
    alertUserIds: [s.head.user.id],
  });
  const edit = await call(t.app, s.dsl.s, 'PATCH', `/api/concerns/${id}`, {
    reason: 'Spelling',
    body: `${SECRET}, corrected`,
  });
  expect(edit.statusCode, edit.body).toBe(200);
  const upload = await t.app.inject({
    method: 'POST',
    url: `/api/concerns/${id}/attachments`,
    headers: {
      'content-type': 'application/octet-stream',
      'x-file-name': 'letter.txt',
      cookie: s.dsl.s.cookie,
      'x-csrf-token': s.dsl.s.csrf,
    },
    payload: Buffer.from('Letter from the GP.\n'),
  });
  expect(upload.statusCode, upload.body).toBe(201);
  const triage = await call(t.app, s.dsl.s, 'POST', `/api/concerns/${id}/triage`, {
    state: 'triaged',
    risk: 'medium',
    reason: 'Seen before',
  });
  expect(triage.statusCode, triage.body).toBe(200);
  const caseId = await s.made(s.dsl.s, '/api/cases', { pupilId: s.ava.id, concernId: id });
  const agencies = await call(t.app, s.dsl.s, 'GET', '/api/referral-agencies');
  const agencyId = agencies.json<{ items: { id: string }[] }>().items[0]!.id;
  const referralId = await s.made(s.dsl.s, '/api/referrals', {
    pupilId: s.ava.id,
    agencyId,
    concernId: id,
    referredAt: s.happenedAt,
  });
  const followup = await call(t.app, s.dsl.s, 'POST', `/api/referrals/${referralId}/followups`, {
    kind: 'call',
    note: 'Rang them',
  });
  expect(followup.statusCode, followup.body).toBe(200);
  const actionId = await s.made(s.dsl.s, '/api/actions', {
    pupilId: s.ava.id,
    concernId: id,
    type: 'note',
    text: 'Call home',
    assigneeId: s.head.user.id,
  });
  const conversationId = await s.made(s.dsl.s, '/api/conversations', {
    pupilId: s.ava.id,
    concernId: id,
    withWhom: 'parent',
    happenedAt: s.happenedAt,
    text: 'Spoke to mum',
  });
  return { id, caseId, referralId, actionId, conversationId };
}

async function queue(s: Scene) {
  return (await call(t.app, s.dpo.s, 'GET', '/api/retention/reviews')).json<ReviewList>().items;
}

async function approve(s: Scene, reviewId: string, who: Session[]) {
  for (const w of who) {
    const res = await call(t.app, w, 'POST', `/api/retention/reviews/${reviewId}/approve`);
    expect(res.statusCode, res.body).toBe(200);
  }
}

const destroy = (who: Session, reviews: string[]) =>
  call(t.app, who, 'POST', '/api/retention/destructions', { reviews });

/** Every table and column (uuid, text, jsonb, arrays of them) of the database holding `id`. */
async function tablesHolding(id: string): Promise<string[]> {
  return unsafeAsOwner(t.services.db, async (q) => {
    const cols = await q.query<{ table_name: string; column_name: string }>(
      `SELECT c.table_name, c.column_name FROM information_schema.columns c
       JOIN information_schema.tables tb ON tb.table_name = c.table_name
         AND tb.table_schema = c.table_schema AND tb.table_type = 'BASE TABLE'
       WHERE c.table_schema = 'public'
         AND c.udt_name IN ('uuid', '_uuid', 'text', '_text', 'jsonb', 'json')
       ORDER BY 1, 2`,
    );
    const found = new Set<string>();
    for (const c of cols) {
      const [hit] = await q.query(
        `SELECT 1 FROM "${c.table_name}" WHERE "${c.column_name}"::text LIKE $1 LIMIT 1`,
        [`%${id}%`],
      );
      if (hit) found.add(c.table_name);
    }
    return [...found].sort();
  });
}

/** Every column that references concerns by a foreign key, from the catalogue: rows naming id. */
async function rowsReferencing(id: string): Promise<Record<string, number>> {
  return unsafeAsOwner(t.services.db, async (q) => {
    const refs = await q.query<{ table_name: string; column_name: string }>(
      `SELECT cl.relname AS table_name, a.attname AS column_name
       FROM pg_constraint k
       JOIN pg_class cl ON cl.oid = k.conrelid
       JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
       JOIN pg_attribute ra ON ra.attrelid = k.confrelid
         AND ra.attnum = k.confkey[array_position(k.conkey, a.attnum)]
       WHERE k.contype = 'f' AND k.confrelid = 'concerns'::regclass AND ra.attname = 'id'`,
    );
    expect(refs.length).toBeGreaterThanOrEqual(9);
    const out: Record<string, number> = {};
    for (const r of refs) {
      const [row] = await q.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${r.table_name}" WHERE "${r.column_name}" = $1`,
        [id],
      );
      out[`${r.table_name}.${r.column_name}`] = row!.n;
    }
    return out;
  });
}

const refusalCodes = async (schoolId: string) =>
  (await auditRows(t, schoolId))
    .filter((r) => r.action === 'retention.refused')
    .map((r) => r.details.code);

async function pdfText(res: { rawPayload: Buffer }) {
  const { text } = await extractText(new Uint8Array(res.rawPayload), { mergePages: true });
  return text;
}

describe('destroying an approved batch', () => {
  it('destroys all of a record, certifies it, and leaves only ids behind', async () => {
    const s = await scene();
    const full = await fullRecord(s);
    const kept = await s.log('Another record that stays', 'Bullying');
    const before = await rowsReferencing(full.id);
    expect(Object.values(before).some((n) => n > 0)).toBe(true);
    expect(await runRetentionSweep(t.services, s.now, [s.schoolId])).toBe(2);
    const reviews = await queue(s);
    const review = reviews.find((r) => r.concernId === full.id)!;
    const other = reviews.find((r) => r.concernId === kept)!;
    await approve(s, review.id, [s.dpo.s, s.dsl.s]);
    await approve(s, other.id, [s.dpo.s]);
    expect((await queue(s)).find((r) => r.id === review.id)!.allowed).toContain('destroy');

    // One approver only: refused, and the whole batch with it.
    const one = await destroy(s.head.s, [review.id, other.id]);
    expect(one.statusCode).toBe(409);
    expect(errorOf(one)).toMatchObject({ code: 'not_approved' });
    expect(errorOf(one).message).toMatch(/two different people\. Nothing was destroyed/);
    expect(await rowsReferencing(full.id)).toEqual(before);

    const found = await call(t.app, s.dsl.s, 'POST', '/api/search', { q: 'zebrawordy' });
    expect(found.json<{ items: unknown[] }>().items).toHaveLength(1);

    // The head destroys the approved one.
    const res = await destroy(s.head.s, [review.id]);
    expect(res.statusCode, res.body).toBe(201);
    const done = res.json<Destroyed>();
    expect(done.records).toBe(1);

    // Every row referencing the record is gone; only its lasting account names it.
    const after = await rowsReferencing(full.id);
    expect(Object.values(after).every((n) => n === 0)).toBe(true);
    expect(await tablesHolding(full.id)).toEqual([
      'audit_events',
      'retention_certificates',
      'retention_reviews',
    ]);
    for (const gone of [full.caseId, full.referralId, full.actionId, full.conversationId])
      expect(await tablesHolding(gone)).toEqual(['audit_events']);
    // The record that stays is untouched.
    expect((await call(t.app, s.dsl.s, 'GET', `/api/concerns/${kept}`)).statusCode).toBe(200);
    // The reports' rollup was folded in the destroying transaction: it counts exactly the pupil's
    // records left, with nothing of the destroyed one waiting for a later fold.
    const [rollup] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ unfolded: number; counted: number; records: number }>(
        `SELECT (SELECT count(*) FROM report_pupil_days WHERE school_id = $1 AND NOT folded)::int
                  + (SELECT count(*) FROM report_days WHERE school_id = $1 AND NOT folded)::int
                  AS unfolded,
                (SELECT coalesce(sum(n), 0) FROM report_pupil_days
                  WHERE school_id = $1 AND pupil_id = $2)::int AS counted,
                (SELECT count(*) FROM concern_pupils cp WHERE cp.pupil_id = $2 AND EXISTS
                  (SELECT 1 FROM concern_categories cc WHERE cc.concern_id = cp.concern_id))::int
                  AS records`,
        [s.schoolId, s.ava.id],
      ),
    );
    expect(rollup).toEqual({ unfolded: 0, counted: rollup!.records, records: rollup!.records });
    expect(rollup!.records).toBeGreaterThan(0);

    // Gone from the record's page, the chronology, its PDF, search, every list.
    expect((await call(t.app, s.dsl.s, 'GET', `/api/concerns/${full.id}`)).statusCode).toBe(404);
    const chronology = await call(t.app, s.dsl.s, 'GET', `/api/pupils/${s.ava.id}/chronology`);
    expect(chronology.statusCode).toBe(200);
    expect(chronology.body).not.toContain(full.id);
    expect(chronology.body).toContain(kept);
    const pdf = await call(t.app, s.dsl.s, 'GET', `/api/pupils/${s.ava.id}/chronology.pdf`);
    expect(pdf.statusCode).toBe(200);
    const pdfWords = await pdfText(pdf);
    expect(pdfWords).toContain('Another record that stays');
    expect(pdfWords).not.toContain('Zebrawordy');
    const search = await call(t.app, s.dsl.s, 'POST', '/api/search', { q: 'zebrawordy' });
    expect(search.statusCode).toBe(200);
    expect(search.json<{ items: unknown[] }>().items).toEqual([]);
    for (const url of ['/api/concerns', '/api/actions', '/api/referrals', '/api/dashboard']) {
      const list = await call(t.app, s.dsl.s, 'GET', url);
      expect(list.statusCode, url).toBe(200);
      expect(list.body, url).not.toContain(full.id);
    }
    const alerts = await call(t.app, s.head.s, 'GET', '/api/alerts');
    expect(alerts.body).not.toContain(full.id);
    expect((await queue(s)).map((r) => r.id)).toEqual([other.id]);

    // Destroying it again: refused, audited.
    const again = await destroy(s.head.s, [review.id]);
    expect(again.statusCode).toBe(409);
    expect(errorOf(again).code).toBe('already_destroyed');

    // The certificate: ids, kinds, pseudonymous subject, rule, approvers, method, digest.
    const [cert] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ body: string; sha256: string }>(
        'SELECT body, sha256 FROM retention_certificates WHERE id = $1',
        [done.certificateId],
      ),
    );
    expect(createHash('sha256').update(cert!.body).digest('hex')).toBe(cert!.sha256);
    expect(cert!.sha256).toBe(done.sha256);
    const body = JSON.parse(cert!.body) as {
      method: string;
      records: {
        record: string;
        kind: string;
        subjects: string[];
        rule: { years: number };
        approvals: { approver: string; capacity: string }[];
      }[];
    };
    expect(body.method).toMatch(/backups keep sealed copies until they expire/);
    expect(body.records).toHaveLength(1);
    expect(body.records[0]).toMatchObject({
      record: full.id,
      kind: 'cp_pupil',
      rule: { years: 25 },
    });
    expect(body.records[0]!.approvals.map((a) => [a.approver, a.capacity])).toEqual([
      [s.dpo.user.id, 'dpo'],
      [s.dsl.user.id, 'dsl_team'],
    ]);
    const [subject] = body.records[0]!.subjects;
    expect(subject).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const secret of [s.ava.id, 'Ava', 'Zebrawordy', 'Left arm', 'Spoke to mum'])
      expect(cert!.body).not.toContain(secret);

    // Chained into the audit trail, which still verifies.
    const destroyed = (await auditRows(t, s.schoolId)).filter(
      (r) => r.action === 'retention.destroyed',
    );
    expect(destroyed).toHaveLength(1);
    expect(destroyed[0]!.details).toMatchObject({
      certificate: done.certificateId,
      sha256: done.sha256,
      records: [full.id],
    });
    expect((await verifyAudit(t.services.db, s.schoolId)).breaks).toEqual([]);

    // Listed and downloadable as a PDF by the DPO, each audited.
    const list = await call(t.app, s.dpo.s, 'GET', '/api/retention/certificates');
    expect(list.json<CertificateList>().items).toEqual([
      expect.objectContaining({
        id: done.certificateId,
        records: 1,
        destroyedBy: 'Staff headteacher',
      }),
    ]);
    const file = await call(
      t.app,
      s.dpo.s,
      'GET',
      `/api/retention/certificates/${done.certificateId}/pdf`,
    );
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    const words = (await pdfText(file)).replace(/\s+/g, ' ');
    expect(words).toContain('Certificate of destruction');
    expect(words).toContain('1 record destroyed');
    expect(words).toContain(done.sha256);
    expect(words).not.toContain('Zebrawordy');
    const missing = await call(
      t.app,
      s.dpo.s,
      'GET',
      `/api/retention/certificates/${randomUUID()}/pdf`,
    );
    expect(missing.statusCode).toBe(404);
    const actions = (await auditRows(t, s.schoolId)).map((r) => r.action);
    expect(actions).toContain('retention.certificates_viewed');
    expect(actions.filter((a) => a === 'retention.certificate_downloaded')).toHaveLength(1);
    expect(await refusalCodes(s.schoolId)).toEqual(['not_approved', 'already_destroyed']);
  });

  it.runIf(inject('engine') === 'postgres')(
    "waits for a running reports fold before taking the school's audit head",
    async () => {
      const s = await scene();
      const id = await s.log('A record for the fold lock', 'Bullying');
      expect(await runRetentionSweep(t.services, s.now, [s.schoolId])).toBe(1);
      const review = (await queue(s)).find((r) => r.concernId === id)!;
      await approve(s, review.id, [s.dpo.s, s.dsl.s]);
      // A fold (the job) holds the school's fold lock while the destruction starts.
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => (locked = r));
      const fold = unsafeAsOwner(t.services.db, async (q) => {
        await q.query(
          "SELECT pg_advisory_xact_lock(hashtext('lantern_report_fold'), hashtext($1::text))",
          [s.schoolId],
        );
        locked();
        await released;
      });
      await isLocked;
      const destroying = destroy(s.head.s, [review.id]);
      await new Promise((r) => setTimeout(r, 700));
      // Meanwhile the school's audit head is free: audited writes are not stalled behind the fold.
      const head = await unsafeAsOwner(t.services.db, (q) =>
        q.query('SELECT 1 FROM audit_heads WHERE school_id = $1 FOR UPDATE NOWAIT', [s.schoolId]),
      );
      expect(head).toHaveLength(1);
      release();
      await fold;
      const res = await destroying;
      expect(res.statusCode, res.body).toBe(201);
    },
    60_000,
  );

  it('refuses a held record, a record not in the queue, another school and a teacher', async () => {
    const s = await scene();
    const a = await s.log('First record', 'Bullying');
    const b = await s.log('Second record', 'Neglect');
    await runRetentionSweep(t.services, s.now, [s.schoolId]);
    const reviews = await queue(s);
    const ra = reviews.find((r) => r.concernId === a)!;
    const rb = reviews.find((r) => r.concernId === b)!;
    await approve(s, ra.id, [s.dsl.s, s.head.s]);
    await approve(s, rb.id, [s.dsl.s, s.dpo.s]);

    // A hold placed after the approvals wins: the batch is refused whole, naming the hold.
    const placed = await call(t.app, s.dpo.s, 'POST', '/api/retention/holds', {
      scope: 'record',
      concernId: b,
      matter: 'police',
      reason: 'Police asked',
    });
    expect(placed.statusCode).toBe(201);
    const shown = (await queue(s)).find((r) => r.id === rb.id)!;
    expect(shown.holds).toEqual([
      expect.objectContaining({ matter: 'police', placedBy: 'Staff dpo' }),
    ]);
    expect(shown.allowed).not.toContain('destroy');
    const held = await destroy(s.dsl.s, [ra.id, rb.id]);
    expect(held.statusCode).toBe(409);
    expect(errorOf(held)).toMatchObject({ code: 'held' });
    expect(errorOf(held).message).toMatch(/legal hold \(police, placed by Staff dpo\)/);
    expect((await rowsReferencing(a))['concern_pupils.concern_id']).toBe(1);

    // Not in the queue: an unknown review, and a concern's id instead of a review's.
    const unknown = await destroy(s.dsl.s, [ra.id, randomUUID()]);
    expect(unknown.statusCode).toBe(404);
    expect(errorOf(unknown)).toMatchObject({ code: 'not_in_queue' });
    expect(errorOf(unknown).message).toMatch(/not in this school’s review queue/);

    // Another school's DSL, and a teacher: refused, nothing destroyed.
    const o = await scene();
    const theirs = await destroy(o.dsl.s, [ra.id]);
    expect(theirs.statusCode).toBe(404);
    expect(await refusalCodes(o.schoolId)).toEqual(['not_in_queue']);
    expect((await destroy(s.teacher.s, [ra.id])).statusCode).toBe(403);
    expect((await destroy(s.dsl.s, [])).statusCode).toBe(400);
    expect((await rowsReferencing(a))['concern_pupils.concern_id']).toBe(1);
    expect(await refusalCodes(s.schoolId)).toEqual(['held', 'not_in_queue']);

    // The database's own wall: the function refuses what the application would, as lantern_app
    // in the school — a record under a hold the application was not asked about, and a batch its
    // certificate does not list.
    const direct = (listed: string[], batch: string[]) =>
      inSchool(t.services.db, s.schoolId, async (q) => {
        const [cert] = await q.query<{ id: string }>(
          `INSERT INTO retention_certificates (id, school_id, destroyed_at, destroyed_by, records,
             body, sha256) VALUES ($1, $2, now(), $3, $4, $5, $6) RETURNING id`,
          [
            randomUUID(),
            s.schoolId,
            s.dsl.user.id,
            listed.length,
            JSON.stringify({ records: listed.map((review) => ({ review })) }),
            'a'.repeat(64),
          ],
        );
        await q.query('SELECT lantern_destroy_records($1::uuid[], $2, $3, now())', [
          batch,
          cert!.id,
          s.dsl.user.id,
        ]);
      });
    await expect(direct([rb.id], [rb.id])).rejects.toThrow(/legal hold/);
    await expect(direct([rb.id], [ra.id])).rejects.toThrow(/certificate/);
    // And lantern_app may not delete a record itself.
    await expect(
      inSchool(t.services.db, s.schoolId, (q) =>
        q.query('DELETE FROM concerns WHERE id = $1', [a]),
      ),
    ).rejects.toThrow(/permission denied/);

    // Lifting the hold lets both go, as one batch with one certificate.
    const lift = await call(
      t.app,
      s.dpo.s,
      'POST',
      `/api/retention/holds/${placed.json<{ id: string }>().id}/lift`,
      { reason: 'Police done' },
    );
    expect(lift.statusCode).toBe(200);
    const both = await destroy(s.dsl.s, [ra.id, rb.id]);
    expect(both.statusCode, both.body).toBe(201);
    expect(both.json<Destroyed>().records).toBe(2);
    for (const id of [a, b])
      expect(Object.values(await rowsReferencing(id)).every((n) => n === 0)).toBe(true);
    // The lifted hold is kept, still naming the record it held.
    expect(await tablesHolding(b)).toContain('retention_holds');
    expect((await verifyAudit(t.services.db, s.schoolId)).breaks).toEqual([]);
  });
});
