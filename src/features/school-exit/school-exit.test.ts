// A school's exit (issue 15), end to end on the real database and the real 7-Zip: a school with
// every kind of record (a concern and its correction, triage, an attachment, an action, a referral
// and its follow-up, a conversation, a closed case, MIS data pushed as an integrator would, a
// legal hold, child-protection files sent to and received from another school of its trust, and
// its audit chain) is exported; the archive is OPENED with 7-Zip and the password, its manifest
// checked against every file, a concern's text read in its JSON and the attachment's bytes in its
// file; the code from inside is typed back; the school is deleted; then every uuid column of every
// table is searched for its id (read from the catalogue, so a future table is covered), and none
// is found, nor a key; while the other school's rows, its file from the deleted school and its
// audit chain are intact. Bad input first: each refused with a clear message, nothing changed.
import { spawn } from 'node:child_process';
import { createHash, randomInt, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { asSystem } from '../../core/context.ts';
import { verifyAudit } from '../../platform/audit/verify.ts';
import { canonicalJson } from '../../platform/audit/chain.ts';
import { createSchool, createTrust } from '../administration/create-school.ts';
import { fullBatch, generateSchool, writeBatch } from '../mis/fixtures/generate.ts';
import {
  call,
  categoryIds,
  makePupil,
  makeUser,
  signIn,
  testApp,
  type Session,
  type TestApp,
} from '../../test/harness.ts';
import { exportSchool } from './export.ts';
import { confirmExport, listDeletions, requestDeletion, runDueDeletions } from './delete.ts';
import { sevenZip } from './archive.ts';
import { runLantern } from '../../test/cli-process.ts';

let t: TestApp;
let work: string;
let trustId: string;
const leaving = { id: '', pupilId: '', concernId: '', marker: '', fileBytes: Buffer.alloc(0) };
const staying = { id: '', concernId: '', unreceivedTransferId: '' };
let stayingDsl: Session;

const ok = (res: { statusCode: number; body: string }, status = 200) =>
  expect(res.statusCode, res.body).toBe(status);

/** Runs 7-Zip with the password on its standard input (as a school's operator would type it). */
function sevenZ(args: string[], password: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(sevenZip(), args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
    child.stdin.end(`${password}\n`);
  });
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** Every row anywhere whose uuid column holds `id`, by table.column (school_deletions aside). */
async function everyMention(id: string): Promise<Record<string, number>> {
  return unsafeAsOwner(t.services.db, async (q) => {
    const cols = await q.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
       JOIN information_schema.tables tb ON tb.table_name = c.table_name
         AND tb.table_schema = c.table_schema AND tb.table_type = 'BASE TABLE'
       WHERE c.table_schema = 'public' AND c.data_type IN ('uuid', 'ARRAY', 'jsonb', 'text')
         AND c.table_name <> 'school_deletions'`,
    );
    expect(cols.length).toBeGreaterThan(200);
    const found: Record<string, number> = {};
    for (const c of cols) {
      const test =
        c.data_type === 'uuid'
          ? `"${c.column_name}" = $1::uuid`
          : `"${c.column_name}"::text LIKE '%' || $1 || '%'`;
      const [r] = await q.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${c.table_name}" WHERE ${test}`,
        [id],
      );
      if (r!.n > 0) found[`${c.table_name}.${c.column_name}`] = r!.n;
    }
    return found;
  });
}

/** Rows of the school per tenant table. */
async function rowsOf(schoolId: string): Promise<Record<string, number>> {
  return unsafeAsOwner(t.services.db, async (q) => {
    const tables = await q.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.columns
       WHERE table_schema = 'public' AND column_name = 'school_id' ORDER BY 1`,
    );
    const out: Record<string, number> = {};
    for (const { table_name } of tables) {
      const [r] = await q.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${table_name}" WHERE school_id = $1`,
        [schoolId],
      );
      if (r!.n > 0) out[table_name] = r!.n;
    }
    return out;
  });
}

async function misPush(admin: Session): Promise<void> {
  const created = await call(t.app, admin, 'POST', '/api/admin/mis/keys', { label: 'Exit' });
  ok(created, 201);
  const dir = await mkdtemp(path.join(tmpdir(), 'lantern-exit-feed-'));
  const files: Record<string, unknown> = {};
  try {
    await writeBatch(
      'wonde',
      dir,
      fullBatch(generateSchool({ pupils: 6, staff: 2, groups: 3, days: 2, seed: 5 })),
    );
    for (const f of await readdir(dir))
      files[f] = JSON.parse(await readFile(path.join(dir, f), 'utf8'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const pushed = await t.app.inject({
    method: 'POST',
    url: '/api/mis/push',
    headers: { authorization: `Bearer ${created.json<{ key: string }>().key}` },
    payload: { batchId: 'exit', format: 'wonde', kind: 'full', files },
  });
  ok(pushed);
}

/** A file sent from `from` to `to` and accepted (or, with `accept` false, only sent). */
async function transfer(
  from: Session,
  to: Session,
  pupilId: string,
  urn: number,
  accept = true,
): Promise<string> {
  const opened = await call(t.app, from, 'POST', '/api/transfers', {
    pupilId,
    leavingOn: '2026-03-11',
    destinationUrn: urn,
  });
  ok(opened, 201);
  const id = opened.json<{ id: string }>().id;
  ok(await call(t.app, from, 'POST', `/api/transfers/${id}/send`, { withhold: [] }));
  if (!accept) return id;
  ok(await call(t.app, to, 'GET', `/api/transfers/inbox/${id}`));
  ok(
    await call(t.app, to, 'POST', `/api/transfers/inbox/${id}/accept`, {
      name: 'Dee',
      role: 'DSL',
    }),
  );
  return id;
}

beforeAll(async () => {
  t = await testApp();
  work = await mkdtemp(path.join(tmpdir(), 'lantern-exit-test-'));
  trustId = await createTrust(t.services.db, `Exit Trust ${randomUUID().slice(0, 8)}`);
  leaving.id = await createSchool(t.services, { name: 'Leaving Primary', trustId }, 'test');
  staying.id = await createSchool(t.services, { name: 'Staying Primary', trustId }, 'test');
  const { app, services } = t;
  const dslUser = await makeUser(services, leaving.id, 'dsl');
  const dsl = await signIn(app, dslUser, { elevated: true });
  const admin = await signIn(app, await makeUser(services, leaving.id, 'school_admin'), {
    elevated: true,
  });
  stayingDsl = await signIn(app, await makeUser(services, staying.id, 'dsl'), { elevated: true });
  const pupil = await makePupil(services, leaving.id);
  leaving.pupilId = pupil.id;
  const [cat] = (await categoryIds(services, leaving.id)).filter((c) => !c.restricted);
  const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
  leaving.marker = `Came in with a bruise ${randomUUID()}`;

  const concern = await call(app, dsl, 'POST', '/api/concerns', {
    pupils: [{ pupilId: pupil.id, role: 'subject' }],
    categoryIds: [cat!.id],
    happenedAt: hourAgo,
    location: 'Hall',
    body: 'First account',
    bodyMap: [{ side: 'front', x: 0.5, y: 0.5, type: 'bruise', description: 'left arm' }],
  });
  ok(concern, 201);
  leaving.concernId = concern.json<{ id: string }>().id;
  const url = `/api/concerns/${leaving.concernId}`;
  ok(await call(app, dsl, 'PATCH', url, { body: leaving.marker, reason: 'Corrected' }));
  ok(
    await call(app, dsl, 'POST', `${url}/triage`, {
      state: 'triaged',
      risk: 'low',
      reason: 'Weighed',
    }),
  );
  leaving.fileBytes = Buffer.from(`Notes of the meeting ${randomUUID()}\n`);
  const upload = await app.inject({
    method: 'POST',
    url: `${url}/attachments`,
    headers: {
      'x-file-name': 'meeting notes.txt',
      cookie: dsl.cookie,
      'x-csrf-token': dsl.csrf,
      'content-type': 'application/octet-stream',
    },
    payload: leaving.fileBytes,
  });
  ok(upload, 201);
  const action = await call(app, dsl, 'POST', '/api/actions', {
    pupilId: pupil.id,
    concernId: leaving.concernId,
    type: 'phone_call',
    text: 'Ring the parent',
    assigneeId: dslUser.id,
  });
  ok(action, 201);
  const agencies = await call(app, dsl, 'GET', '/api/referral-agencies');
  const referral = await call(app, dsl, 'POST', '/api/referrals', {
    pupilId: pupil.id,
    agencyId: agencies.json<{ items: { id: string }[] }>().items[0]!.id,
    referredAt: hourAgo,
    contact: 'Officer Smith',
    reference: 'REF-1',
    details: 'Referred to children’s social care',
    concernId: leaving.concernId,
  });
  ok(referral, 201);
  const followUp = await call(
    app,
    dsl,
    'POST',
    `/api/referrals/${referral.json<{ id: string }>().id}/followups`,
    { kind: 'call', note: 'Chased' },
  );
  expect([200, 201], followUp.body).toContain(followUp.statusCode);
  ok(
    await call(app, dsl, 'POST', '/api/conversations', {
      pupilId: pupil.id,
      withWhom: 'parent',
      happenedAt: hourAgo,
      text: 'Spoke to mum',
      concernId: leaving.concernId,
    }),
    201,
  );
  const opened = await call(app, dsl, 'POST', '/api/cases', {
    pupilId: pupil.id,
    concernId: leaving.concernId,
  });
  ok(opened, 201);
  ok(
    await call(app, dsl, 'POST', `/api/cases/${opened.json<{ id: string }>().id}/close`, {
      outcome: 'Support in place',
      rationale: 'Met the threshold for early help',
    }),
  );
  ok(
    await call(app, dsl, 'POST', '/api/retention/holds', {
      scope: 'pupil',
      pupilId: pupil.id,
      matter: 'litigation',
      reason: 'Police enquiry',
    }),
    201,
  );
  await misPush(admin);

  // The other school of the trust: a concern with a file of its own, and files both ways.
  const otherPupil = await makePupil(services, staying.id);
  const [otherCat] = await categoryIds(services, staying.id);
  const theirs = await call(app, stayingDsl, 'POST', '/api/concerns', {
    pupils: [{ pupilId: otherPupil.id, role: 'subject' }],
    categoryIds: [otherCat!.id],
    happenedAt: hourAgo,
    body: 'A record the staying school keeps',
  });
  ok(theirs, 201);
  staying.concernId = theirs.json<{ id: string }>().id;
  const urns = [randomInt(1e8, 1e9), randomInt(1e8, 1e9)] as const;
  await unsafeAsOwner(services.db, async (q) => {
    for (const [i, id] of [leaving.id, staying.id].entries()) {
      await q.query(
        `INSERT INTO establishments (urn, name, loaded_at) VALUES ($1, 'Exit', now())`,
        [urns[i]],
      );
      await q.query('UPDATE schools SET urn = $2 WHERE id = $1', [id, urns[i]]);
    }
  });
  await transfer(dsl, stayingDsl, pupil.id, urns[1]);
  await transfer(stayingDsl, dsl, otherPupil.id, urns[0]);
  // A second file the staying school sent, which the leaving school never accepted.
  const unreceivedPupil = await makePupil(services, staying.id);
  ok(
    await call(app, stayingDsl, 'POST', '/api/concerns', {
      pupils: [{ pupilId: unreceivedPupil.id, role: 'subject' }],
      categoryIds: [otherCat!.id],
      happenedAt: hourAgo,
      body: 'A record sent and never accepted',
    }),
    201,
  );
  staying.unreceivedTransferId = await transfer(
    stayingDsl,
    dsl,
    unreceivedPupil.id,
    urns[0],
    false,
  );
}, 240_000);

afterAll(async () => {
  await t?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("a school's exit", () => {
  it('has its commands on the operator tool, each with its options', async () => {
    const cases: [string[], RegExp[]][] = [
      [
        ['school', 'export', '--help'],
        [/--school <schoolId>/, /--out <file>/, /7-Zip\s+AES-256/],
      ],
      [['school', 'confirm-export', '--help'], [/--code <code>/]],
      [
        ['school', 'delete', '--help'],
        [/--now/, /--override <reason>/, /--yes-delete-without-confirmed-export/, /--in-days/],
      ],
      [['school', 'deletions', '--help'], [/--school <schoolId>/]],
    ];
    for (const [args, patterns] of cases) {
      const r = await runLantern(args, { NODE_ENV: 'test', LOG_LEVEL: 'silent' });
      expect(r.code, r.stderr).toBe(0);
      for (const p of patterns) expect(r.stdout, args.join(' ')).toMatch(p);
    }
  }, 60_000);

  it('refuses an unknown school, an existing file, a delete or confirmation before an export', async () => {
    const before = await rowsOf(leaving.id);
    const unknown = randomUUID();
    await expect(exportSchool(t.services, unknown, path.join(work, 'x.7z'), 'op')).rejects.toThrow(
      `There is no school with the id ${unknown}.`,
    );
    await expect(
      exportSchool(t.services, 'riverside', path.join(work, 'x.7z'), 'op'),
    ).rejects.toThrow(/riverside is not a school id/);
    expect(existsSync(path.join(work, 'x.7z'))).toBe(false);
    const taken = path.join(work, 'taken.7z');
    await writeFile(taken, 'mine');
    await expect(exportSchool(t.services, leaving.id, taken, 'op')).rejects.toThrow(
      /exists: choose a new file name/,
    );
    expect(await readFile(taken, 'utf8')).toBe('mine');

    await expect(requestDeletion(t.services, leaving.id, { now: true }, 'op')).rejects.toThrow(
      /has not confirmed it opened its export/,
    );
    await expect(
      requestDeletion(
        t.services,
        leaving.id,
        { now: true, override: { reason: 'The school asked by letter', confirmed: false } },
        'op',
      ),
    ).rejects.toThrow(/--yes-delete-without-confirmed-export/);
    await expect(
      confirmExport(t.services, leaving.id, 'ABCD-EFGH-JKLM-NPQR', 'op'),
    ).rejects.toThrow(/has not been exported/);
    // Nothing changed but the refusals on the school's own chain.
    const after = await rowsOf(leaving.id);
    expect(after.audit_events).toBe(before.audit_events! + 3);
    expect({ ...after, audit_events: 0 }).toEqual({ ...before, audit_events: 0 });
    expect((await listDeletions(t.services)).filter((d) => d.school === leaving.id)).toEqual([]);
    const refusals = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ action: string; details: Record<string, string> }>(
        `SELECT action, details FROM audit_events WHERE school_id = $1
         AND action IN ('school.delete_refused', 'school.export_confirm_refused') ORDER BY seq`,
        [leaving.id],
      ),
    );
    expect(refusals.map((r) => [r.action, r.details.reason])).toEqual([
      ['school.delete_refused', 'no_confirmed_export'],
      ['school.delete_refused', 'override_unconfirmed'],
      ['school.export_confirm_refused', 'no_export'],
    ]);
  }, 60_000);

  it('exports an archive that opens with 7-Zip, checks against its manifest, and then deletes the school alone', async () => {
    const stayingBefore = await rowsOf(staying.id);
    const out = path.join(work, 'leaving.7z');
    const r = await exportSchool(t.services, leaving.id, out, 'Olive Operator');
    expect(r.unopened).toBe(0);
    expect(r.password).toMatch(/^([a-z2-9]{5}-){7}[a-z2-9]{5}$/);
    for (const kind of [
      'concerns',
      'concern_versions',
      'attachments',
      'actions',
      'referrals',
      'referral_followups',
      'conversations',
      'cases',
      'case_events',
      'pupils',
      'contacts',
      'retention_holds',
      'transfers',
      'transfer_inbox',
      'staff_groups',
      'mis_groups',
      'users',
      'school_keys',
      'audit_events',
    ]) {
      expect(r.rows[kind] ?? 0, kind).toBeGreaterThan(0);
    }
    const raw = await readFile(out);
    expect(raw.subarray(0, 6).toString('hex')).toBe('377abcaf271c'); // 7z signature
    // Encrypted, headers too: neither the text nor a file name is visible.
    expect(raw.includes(Buffer.from(leaving.marker))).toBe(false);
    expect(raw.includes(Buffer.from('README.txt'))).toBe(false);
    expect((await sevenZ(['l', out], 'not-the-password')).code).not.toBe(0);

    const opened = path.join(work, 'opened');
    const x = await sevenZ(['x', `-o${opened}`, out], r.password);
    expect(x.code, x.out).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(opened, 'manifest.json'), 'utf8')) as {
      school: string;
      files: { path: string; bytes: number; sha256: string }[];
    };
    expect(manifest.school).toBe(leaving.id);
    expect(
      createHash('sha256')
        .update(await readFile(path.join(opened, 'manifest.json')))
        .digest('hex'),
    ).toBe(r.manifestSha256);
    // Every file listed, with its hash; nothing unlisted.
    const present = await filesUnder(opened);
    expect(present).toEqual([...manifest.files.map((f) => f.path), 'manifest.json'].sort());
    for (const f of manifest.files) {
      const bytes = await readFile(path.join(opened, f.path));
      expect(bytes.byteLength, f.path).toBe(f.bytes);
      expect(createHash('sha256').update(bytes).digest('hex'), f.path).toBe(f.sha256);
    }
    const concerns = JSON.parse(
      await readFile(path.join(opened, 'tables/concerns.json'), 'utf8'),
    ) as {
      id: string;
      body: string;
    }[];
    expect(concerns.find((c) => c.id === leaving.concernId)?.body).toBe(leaving.marker);
    const versions = await readFile(path.join(opened, 'tables/concern_versions.json'), 'utf8');
    expect(versions).toContain('First account');
    const blobs = JSON.parse(
      await readFile(path.join(opened, 'tables/attachment_blobs.json'), 'utf8'),
    ) as {
      content: { file: string };
    }[];
    expect(blobs).toHaveLength(1);
    expect(await readFile(path.join(opened, blobs[0]!.content.file))).toEqual(leaving.fileBytes);
    const chronology = present.find(
      (p) => p.startsWith('chronologies/') && p.includes(leaving.pupilId),
    );
    expect((await readFile(path.join(opened, chronology!))).subarray(0, 5).toString()).toBe(
      '%PDF-',
    );
    const readme = await readFile(path.join(opened, 'README.txt'), 'utf8');
    const code = /CONFIRMATION CODE\r\n {2}([A-Z2-9]{4}(?:-[A-Z2-9]{4}){3})/.exec(readme)?.[1];
    expect(code).toBeDefined();

    // Recorded and audited, never the code or the password.
    const [row] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<Record<string, unknown>>('SELECT * FROM school_exports WHERE school_id = $1', [
        leaving.id,
      ]),
    );
    expect(row).toMatchObject({
      manifest_sha256: r.manifestSha256,
      exported_by: 'Olive Operator',
      confirmed_at: null,
    });
    expect(String(row!.code_hash)).toMatch(/^\$argon2id\$/);
    const stored = JSON.stringify(
      await everyMentionOfText([code!, r.password, code!.replaceAll('-', '')]),
    );
    expect(stored).toBe('{}');

    // A wrong code is refused and changes nothing; the right one confirms.
    await expect(
      confirmExport(t.services, leaving.id, 'ABCD-EFGH-JKLM-NPQR', 'op'),
    ).rejects.toThrow(/does not match any export of this school/);
    await expect(confirmExport(t.services, leaving.id, 'not a code', 'op')).rejects.toThrow(
      /not a confirmation code/,
    );
    expect((await confirmExport(t.services, leaving.id, code!.toLowerCase(), 'op')).exportId).toBe(
      r.exportId,
    );

    const keysBefore = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ n: number }>('SELECT count(*)::int AS n FROM school_keys WHERE school_id = $1', [
        leaving.id,
      ]),
    );
    const { certificate } = await requestDeletion(
      t.services,
      leaving.id,
      { now: true },
      'Olive Operator',
    );
    expect(certificate).not.toBeNull();
    expect(certificate!.rows.concerns).toBe(1);
    expect(certificate!.files.attachments).toBe(1);
    expect(certificate!.keysDestroyed.length).toBe(keysBefore[0]!.n);
    expect(certificate!.keysDestroyed.map((k) => k.purpose).sort()).toEqual(['data', 'search']);
    // The file it sent keeps its sender's name; the file sent to it, its receiver's link.
    expect(certificate!.linksCleared).toEqual({
      'transfer_inbox.from_school_id': 1,
      'transfers.receiver_school_id': 2,
    });
    // The file it never accepted is marked failed for its sender (the duty to send it is still
    // open: the sender's DSL may close it once sent by other means), with the reason, audited in
    // the sender's trail.
    expect(certificate!.transfersClosed).toBe(1);
    const closed = await call(
      t.app,
      stayingDsl,
      'GET',
      `/api/transfers/${staying.unreceivedTransferId}`,
    );
    ok(closed);
    expect(
      closed.json<{ transfer: { state: string; closedReason: string } }>().transfer,
    ).toMatchObject({
      state: 'failed',
      closedReason: expect.stringContaining(
        'the receiving school, Leaving Primary, left Lantern and its data was deleted',
      ) as string,
    });
    const closedAudit = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ details: unknown }>(
        `SELECT details FROM audit_events WHERE school_id = $1 AND action = 'transfer.failed'
           AND target_id = $2`,
        [staying.id, staying.unreceivedTransferId],
      ),
    );
    expect(closedAudit.map((a) => a.details)).toEqual([{ from: 'sent', reason: 'receiver_left' }]);

    // Not a row of it anywhere: every uuid column of every table (and any text or JSON naming it).
    // Only the other school's own chain still names it (a file sent or received): its entries
    // cannot change without breaking that chain, and they are that school's record.
    expect(await everyMention(leaving.id)).toEqual({ 'audit_events.details': 5 });
    const naming = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ school_id: string }>(
        `SELECT DISTINCT school_id FROM audit_events WHERE details::text LIKE '%' || $1 || '%'`,
        [leaving.id],
      ),
    );
    expect(naming.map((n) => n.school_id)).toEqual([staying.id]);
    expect(await everyMention(leaving.concernId)).toEqual({});
    expect(await everyMention(leaving.pupilId)).toEqual({});
    // The certificate outlives it, its hash over its canonical JSON.
    const [kept] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ certificate: unknown; certificate_sha256: string }>(
        'SELECT certificate, certificate_sha256 FROM school_deletions WHERE school = $1',
        [leaving.id],
      ),
    );
    expect(createHash('sha256').update(canonicalJson(kept!.certificate)).digest('hex')).toBe(
      kept!.certificate_sha256,
    );
    // The other school is untouched: its rows (its file from the leaver kept, the link gone),
    // its chain, and its records still read.
    // (more audit entries: the unreceived file's closing, and the read of it above)
    const stayingAfter = await rowsOf(staying.id);
    expect({ ...stayingAfter, audit_events: 0 }).toEqual({ ...stayingBefore, audit_events: 0 });
    expect(stayingAfter.audit_events).toBeGreaterThan(stayingBefore.audit_events!);
    const audit = await verifyAudit(t.services.db, staying.id);
    expect(audit.breaks).toEqual([]);
    expect(audit.entries).toBeGreaterThan(3);
    const read = await call(t.app, stayingDsl, 'GET', `/api/concerns/${staying.concernId}`);
    ok(read);
    expect(read.json<{ body: string }>().body).toBe('A record the staying school keeps');
    const [inbox] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ from_school_id: string | null; from_school_name: string }>(
        'SELECT from_school_id, from_school_name FROM transfer_inbox WHERE school_id = $1',
        [staying.id],
      ),
    );
    expect(inbox).toEqual({ from_school_id: null, from_school_name: 'Leaving Primary' });
    const [trust] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ n: number }>('SELECT count(*)::int AS n FROM schools WHERE trust_id = $1', [
        trustId,
      ]),
    );
    expect(trust!.n).toBe(1);
    // Its archive can no longer be confirmed against anything, and a second delete is refused.
    await expect(requestDeletion(t.services, leaving.id, { now: true }, 'op')).rejects.toThrow(
      `There is no school with the id ${leaving.id}.`,
    );
  }, 300_000);

  it('refuses to delete on an export the school has used Lantern since, when asked and when due', async () => {
    const id = await createSchool(t.services, { name: 'Still Busy Primary' }, 'test');
    await makePupil(t.services, id);
    // A confirmed export as `school export` and `confirm-export` leave it (the archive itself is
    // the test above's), taken at `at`.
    const exportAt = (at: Date) =>
      unsafeAsOwner(t.services.db, (q) =>
        q.query(
          `INSERT INTO school_exports (id, school_id, exported_at, exported_by, manifest_sha256,
             code_hash, files, archive_bytes, confirmed_at)
           VALUES ($1, $2, $3, 'op', $4, 'not a hash', 1, 1, $3)`,
          [randomUUID(), id, at, 'a'.repeat(64)],
        ),
      );
    const now = t.services.clock.now();
    await exportAt(new Date(now.getTime() - 3_600_000));
    await expect(requestDeletion(t.services, id, { now: true }, 'op')).rejects.toThrow(
      /used Lantern since the export it confirmed/,
    );
    expect((await rowsOf(id)).pupils).toBe(1);

    // Exported after everything so far: scheduled. A pupil added while it waits stops the job.
    await exportAt(new Date(Date.now() + 300));
    const { certificate } = await requestDeletion(t.services, id, {}, 'op');
    expect(certificate).toBeNull();
    await new Promise((r) => setTimeout(r, 600));
    // The school goes on using Lantern while the deletion waits (here: its URN set, audited).
    await asSystem(t.services, id, 'operator', 'test').tx((x) =>
      x.audit({
        action: 'school.urn_set',
        targetType: 'school',
        targetId: id,
        details: { urn: '123456' },
      }),
    );
    const later = new Date(Date.now() + 31 * 86_400_000);
    expect(await runDueDeletions(t.services, later, [id])).not.toContain(id);
    expect((await rowsOf(id)).pupils).toBe(1);
    expect((await listDeletions(t.services)).find((d) => d.school === id)?.deletedAt).toBeNull();
  }, 120_000);

  it('is not stopped by Lantern’s own upkeep while it waits (the search re-index after an upgrade)', async () => {
    const id = await createSchool(t.services, { name: 'Upgraded Primary' }, 'test');
    await makePupil(t.services, id);
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(
        `INSERT INTO school_exports (id, school_id, exported_at, exported_by, manifest_sha256,
           code_hash, files, archive_bytes, confirmed_at)
         VALUES ($1, $2, $3, 'op', $4, 'not a hash', 1, 1, $3)`,
        [randomUUID(), id, new Date(Date.now() + 300), 'a'.repeat(64)],
      ),
    );
    await requestDeletion(t.services, id, {}, 'op');
    await new Promise((r) => setTimeout(r, 600));
    // What the background re-index writes into every school with records after the upgrade.
    await asSystem(t.services, id, 'scheduled').tx((x) =>
      x.audit({
        action: 'search.reindexed',
        details: { indexVersion: 2, concerns: 1, actions: 0, conversations: 0, unreadable: 0 },
      }),
    );
    const later = new Date(Date.now() + 31 * 86_400_000);
    expect(await runDueDeletions(t.services, later, [id])).toContain(id);
    expect((await rowsOf(id)).pupils ?? 0).toBe(0);
  }, 120_000);

  it('schedules a deletion within 30 days, shows it, and the nightly job carries it out when due', async () => {
    const id = await createSchool(t.services, { name: 'Scheduled Primary' }, 'test');
    await makePupil(t.services, id);
    const { scheduled, certificate } = await requestDeletion(
      t.services,
      id,
      { override: { reason: 'Closed: the local authority asked in writing', confirmed: true } },
      'op',
    );
    expect(certificate).toBeNull();
    const days = (scheduled.dueBy.getTime() - scheduled.requestedAt.getTime()) / 86_400_000;
    expect(days).toBe(30);
    expect((await listDeletions(t.services)).find((d) => d.school === id)).toMatchObject({
      basis: 'override',
      deletedAt: null,
    });
    const now = t.services.clock.now();
    expect(await runDueDeletions(t.services, now, [id])).not.toContain(id);
    expect((await rowsOf(id)).pupils).toBe(1);
    expect(
      await runDueDeletions(t.services, new Date(now.getTime() + 31 * 86_400_000), [id]),
    ).toContain(id);
    expect(await everyMention(id)).toEqual({});
    expect(
      (await listDeletions(t.services)).find((d) => d.school === id)?.deletedAt,
    ).not.toBeNull();
  }, 120_000);
});

/** Any stored text (text, JSON, arrays) holding one of `needles`, by table.column. */
async function everyMentionOfText(needles: string[]): Promise<Record<string, number>> {
  return unsafeAsOwner(t.services.db, async (q) => {
    const cols = await q.query<{ table_name: string; column_name: string }>(
      `SELECT c.table_name, c.column_name FROM information_schema.columns c
       JOIN information_schema.tables tb ON tb.table_name = c.table_name
         AND tb.table_schema = c.table_schema AND tb.table_type = 'BASE TABLE'
       WHERE c.table_schema = 'public' AND c.data_type IN ('text', 'jsonb', 'ARRAY')`,
    );
    const found: Record<string, number> = {};
    for (const c of cols) {
      for (const n of needles) {
        const [r] = await q.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM "${c.table_name}" WHERE "${c.column_name}"::text LIKE '%' || $1 || '%'`,
          [n],
        );
        if (r!.n > 0) found[`${c.table_name}.${c.column_name}`] = r!.n;
      }
    }
    return found;
  });
}
