// A school's exit in the app (issue 15), through HTTP on the real database, the real work queue and
// the real 7-Zip: who may ask (signed out 401, a teacher 403, an administrator without a second
// factor 403 step_up_required with a message that says what to do); an administrator asks, the
// background job writes the archive (progress to the end), the archive is downloaded ONCE and
// opened with 7-Zip and the password answered when it was asked, its manifest checked against
// every file; a second download is refused 410 and the file is gone from the server; the code
// from inside is typed back; an archive not downloaded within 24 hours is refused 410 and deleted,
// by the download and by the minute job's sweep; a job handed to two workers at once runs once;
// the password and the token are in no column. Each step audited.
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  testClock,
  type Session,
  type TestApp,
} from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { auditActions, errorOf } from '../identity/identity-test-kit.ts';
import { sevenZip } from './archive.ts';
import {
  archiveOf,
  EXPORT_KEEP_MS,
  expireAppExports,
  exportsFolder,
  runNextExport,
  STALE_MS,
} from './app-export.ts';
import { runDueDeletions } from './delete.ts';

const clock = testClock();
let t: TestApp;
let dataDir: string;
let work: string;
const BASE = '/api/admin/school-export';

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'lantern-app-export-data-'));
  work = await mkdtemp(path.join(tmpdir(), 'lantern-app-export-test-'));
  t = await testApp({ clock, config: { dataDir } });
});
afterAll(async () => {
  await t?.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

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

type Asked = { id: string; password: string; token: string };
type Status = {
  job: null | {
    id: string;
    state: string;
    progress: number;
    progressTotal: number;
    expiresAt: string | null;
  };
  confirmedAt: string | null;
};

async function schoolWithAdmin(): Promise<{
  schoolId: string;
  admin: Session;
  /** Signs the administrator in afresh (after the clock has moved past a session's life). */
  again: () => Promise<Session>;
}> {
  const schoolId = await makeSchool(t.services);
  await makePupil(t.services, schoolId);
  const user = await makeUser(t.services, schoolId, 'school_admin');
  const again = () => signIn(t.app, user, { elevated: true });
  return { schoolId, admin: await again(), again };
}

/** The export runner's work, as src/main.ts's runner does it: every queued job, one by one. */
async function runExports(): Promise<void> {
  while (await runNextExport(t.services)) {
    /* the next */
  }
}

async function askAndWait(admin: Session): Promise<Asked> {
  const asked = await call(t.app, admin, 'POST', BASE);
  expect(asked.statusCode, asked.body).toBe(201);
  await runExports();
  const status = (await call(t.app, admin, 'GET', BASE)).json<Status>();
  expect(status.job?.state).toBe('ready');
  return asked.json<Asked>();
}

const download = (admin: Session, a: Pick<Asked, 'id' | 'token'>) =>
  call(t.app, admin, 'POST', `${BASE}/${a.id}/download`, { token: a.token });

describe("an administrator's export in the app", () => {
  it('is refused signed out, to a non-administrator, and without a step-up (with a clear message)', async () => {
    const schoolId = await makeSchool(t.services);
    const teacher = await signIn(t.app, await makeUser(t.services, schoolId, 'teacher'), {
      elevated: true,
    });
    const adminUser = await makeUser(t.services, schoolId, 'school_admin');
    const passwordOnly = await signIn(t.app, adminUser);
    expect((await call(t.app, null, 'POST', BASE)).statusCode).toBe(401);
    for (const [method, url, body] of [
      ['GET', BASE, undefined],
      ['POST', BASE, undefined],
      ['POST', `${BASE}/${randomUUID()}/download`, { token: 'x' }],
      ['POST', `${BASE}/confirm`, { code: 'AAAA-BBBB-CCCC-DDDD' }],
    ] as const) {
      const byTeacher = await call(t.app, teacher, method, url, body);
      expect([byTeacher.statusCode, errorOf(byTeacher).code], url).toEqual([403, 'forbidden']);
      const notElevated = await call(t.app, passwordOnly, method, url, body);
      expect([notElevated.statusCode, errorOf(notElevated).code], url).toEqual([
        403,
        'step_up_required',
      ]);
      expect(errorOf(notElevated).message).toMatch(/Confirm it is you with your second factor/);
    }
    const jobs = await unsafeAsOwner(t.services.db, (q) =>
      q.query('SELECT id FROM school_export_jobs WHERE school_id = $1', [schoolId]),
    );
    expect(jobs).toEqual([]);
  });

  it('prepares the archive in the background, offers it once, opens with 7-Zip, and is confirmed by the code inside', async () => {
    const { schoolId, admin } = await schoolWithAdmin();
    expect((await call(t.app, admin, 'GET', BASE)).json<Status>()).toEqual({
      job: null,
      confirmedAt: null,
    });
    const askedRes = await call(t.app, admin, 'POST', BASE);
    expect(askedRes.statusCode, askedRes.body).toBe(201);
    const asked = askedRes.json<Asked>();
    expect(asked.password).toMatch(/^([a-z2-9]{5}-){7}[a-z2-9]{5}$/);
    expect(asked.token.length).toBeGreaterThanOrEqual(43);
    // A second request while the first is prepared is refused, and changes nothing.
    const again = await call(t.app, admin, 'POST', BASE);
    expect([again.statusCode, errorOf(again).code]).toEqual([409, 'export_in_progress']);
    // Queued: the password is in the row only sealed (not as text), and in no queued work.
    const [queued] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ password_sealed: Uint8Array | null }>(
        'SELECT password_sealed FROM school_export_jobs WHERE id = $1',
        [asked.id],
      ),
    );
    expect(queued!.password_sealed).not.toBeNull();
    expect(Buffer.from(queued!.password_sealed!).toString('latin1')).not.toContain(asked.password);
    await runExports();
    const ready = (await call(t.app, admin, 'GET', BASE)).json<Status>();
    expect(ready.job).toMatchObject({ id: asked.id, state: 'ready' });
    expect(ready.job!.progress).toBe(ready.job!.progressTotal);
    expect(ready.job!.progressTotal).toBeGreaterThan(100);
    expect(existsSync(archiveOf(t.services.config, asked.id))).toBe(true);

    // Once claimed, the sealed password is cleared; the token is only a hash; no queued work.
    const stored = await unsafeAsOwner(t.services.db, async (q) => ({
      job: await q.query<{ password_sealed: unknown; password_key_id: unknown }>(
        'SELECT * FROM school_export_jobs WHERE id = $1',
        [asked.id],
      ),
      queue: await q.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM work_queue WHERE kind LIKE 'school_exit.%'",
      ),
    }));
    expect(stored.queue[0]!.n).toBe(0);
    expect(stored.job[0]).toMatchObject({ password_sealed: null, password_key_id: null });
    const text = JSON.stringify(stored.job);
    expect(text).not.toContain(asked.password);
    expect(text).not.toContain(asked.token);
    expect(text).toContain(createHash('sha256').update(asked.token).digest('hex'));

    // A wrong token is refused and the archive stays offered.
    const wrong = await download(admin, { id: asked.id, token: 'not-the-token' });
    expect([wrong.statusCode, errorOf(wrong).code]).toEqual([400, 'wrong_token']);

    const got = await download(admin, asked);
    expect(got.statusCode, got.body.slice(0, 200)).toBe(200);
    expect(got.headers['content-type']).toBe('application/x-7z-compressed');
    expect(got.headers['content-disposition']).toMatch(/^attachment; filename="school-export-/);
    const file = path.join(work, 'downloaded.7z');
    await writeFile(file, got.rawPayload);
    // Deleted from the server once sent.
    await expect.poll(() => existsSync(archiveOf(t.services.config, asked.id))).toBe(false);

    // Offered once: a second download is gone.
    const second = await download(admin, asked);
    expect([second.statusCode, errorOf(second).code]).toEqual([410, 'already_downloaded']);
    expect(errorOf(second).message).toMatch(/already been downloaded/);

    // Opened with the documented tool and the password shown once; the manifest checked.
    const out = path.join(work, 'opened');
    const opened = await sevenZ(['x', '-y', `-o${out}`, file], asked.password);
    expect(opened.code, opened.out).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as {
      school: string;
      files: { path: string; bytes: number; sha256: string }[];
    };
    expect(manifest.school).toBe(schoolId);
    const listed = manifest.files.map((f) => f.path).sort();
    const onDisk = (await readdir(out, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => path.relative(out, path.join(e.parentPath, e.name)))
      .filter((p) => p !== 'manifest.json')
      .sort();
    expect(onDisk).toEqual(listed);
    for (const f of manifest.files) {
      const bytes = await readFile(path.join(out, f.path));
      expect(createHash('sha256').update(bytes).digest('hex'), f.path).toBe(f.sha256);
      expect(bytes.byteLength).toBe(f.bytes);
    }
    expect(listed).toContain('tables/pupils.json');
    expect(listed).toContain('tables/school_export_jobs.json');

    // The school types back the code found inside; a wrong one first.
    const readme = await readFile(path.join(out, 'README.txt'), 'utf8');
    const code = /[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}/.exec(readme)![0];
    const bad = await call(t.app, admin, 'POST', `${BASE}/confirm`, {
      code: 'AAAA-BBBB-CCCC-DDDD',
    });
    expect([bad.statusCode, errorOf(bad).code]).toEqual([400, 'wrong_code']);
    const confirmed = await call(t.app, admin, 'POST', `${BASE}/confirm`, { code });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect((await call(t.app, admin, 'GET', BASE)).json<Status>().confirmedAt).not.toBeNull();

    const actions = await auditActions(t, schoolId);
    for (const a of [
      'school.export_requested',
      'school.exported',
      'school.export_ready',
      'school.export_downloaded',
      'school.export_confirm_refused',
      'school.export_confirmed',
    ]) {
      expect(actions, a).toContain(a);
    }
    expect(actions.filter((a) => a === 'school.export_downloaded')).toHaveLength(1);
  }, 120_000);

  it('refuses an archive not downloaded within 24 hours, and the minute job deletes such archives', async () => {
    const { schoolId, admin: firstAdmin, again } = await schoolWithAdmin();
    const first = await askAndWait(firstAdmin);
    clock.advance(EXPORT_KEEP_MS + 1000);
    let admin = await again();
    const late = await download(admin, first);
    expect([late.statusCode, errorOf(late).code]).toEqual([410, 'export_expired']);
    expect(errorOf(late).message).toMatch(/not downloaded within 24 hours/);
    expect(existsSync(archiveOf(t.services.config, first.id))).toBe(false);
    expect((await call(t.app, admin, 'GET', BASE)).json<Status>().job?.state).toBe('expired');

    const second = await askAndWait(admin);
    expect(existsSync(archiveOf(t.services.config, second.id))).toBe(true);
    clock.advance(EXPORT_KEEP_MS + 1000);
    await runDueDeletions(t.services, clock.now(), [schoolId]);
    admin = await again();
    expect(existsSync(archiveOf(t.services.config, second.id))).toBe(false);
    expect((await call(t.app, admin, 'GET', BASE)).json<Status>().job?.state).toBe('expired');
    const refused = await download(admin, second);
    expect([refused.statusCode, errorOf(refused).code]).toEqual([410, 'export_expired']);
    const actions = await auditActions(t, schoolId);
    expect(actions.filter((a) => a === 'school.export_expired')).toHaveLength(2);
    expect(actions).not.toContain('school.export_downloaded');
  }, 120_000);

  it('runs a job handed to two runners at once only once, and refuses two requests at once', async () => {
    const { schoolId, admin } = await schoolWithAdmin();
    const both = await Promise.all([
      call(t.app, admin, 'POST', BASE),
      call(t.app, admin, 'POST', BASE),
    ]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(errorOf(both.find((r) => r.statusCode === 409)!).code).toBe('export_in_progress');
    const took = await Promise.all([runNextExport(t.services), runNextExport(t.services)]);
    expect(took.filter(Boolean)).toHaveLength(1);
    const [exports] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ n: number }>('SELECT count(*)::int AS n FROM school_exports WHERE school_id = $1', [
        schoolId,
      ]),
    );
    expect(exports!.n).toBe(1);
    const actions = await auditActions(t, schoolId);
    expect(actions.filter((a) => a === 'school.export_ready')).toHaveLength(1);
    expect(actions.filter((a) => a === 'school.export_requested')).toHaveLength(1);
  }, 120_000);

  it('offers the archive only to the administrator who asked; refusals are audited; a new request expires the earlier archive', async () => {
    const { schoolId, admin } = await schoolWithAdmin();
    const other = await signIn(t.app, await makeUser(t.services, schoolId, 'school_admin'), {
      elevated: true,
    });
    const first = await askAndWait(admin);
    const byOther = await download(other, first);
    expect([byOther.statusCode, errorOf(byOther).code]).toEqual([403, 'not_requester']);
    expect(errorOf(byOther).message).toMatch(/only by the administrator who prepared it/);
    const wrong = await download(admin, { id: first.id, token: 'nope' });
    expect([wrong.statusCode, errorOf(wrong).code]).toEqual([400, 'wrong_token']);
    const missing = await download(admin, { id: randomUUID(), token: first.token });
    expect(missing.statusCode).toBe(404);
    const refused = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ details: { reason: string } }>(
        `SELECT details FROM audit_events WHERE school_id = $1
          AND action = 'school.export_download_refused' ORDER BY seq`,
        [schoolId],
      ),
    );
    expect(refused.map((r) => r.details.reason)).toEqual([
      'not_requester',
      'wrong_token',
      'not_found',
    ]);
    // Still offered to the one who asked, until a new request replaces it.
    expect(existsSync(archiveOf(t.services.config, first.id))).toBe(true);
    const second = await call(t.app, admin, 'POST', BASE);
    expect(second.statusCode, second.body).toBe(201);
    expect(existsSync(archiveOf(t.services.config, first.id))).toBe(false);
    const late = await download(admin, first);
    expect([late.statusCode, errorOf(late).code]).toEqual([410, 'export_expired']);
    await runExports();
    const got = await download(admin, second.json<Asked>());
    expect(got.statusCode).toBe(200);
  }, 120_000);

  it('fails a job a stopped process left running (files removed), so a new request is accepted', async () => {
    const { schoolId, admin, again } = await schoolWithAdmin();
    const asked = (await call(t.app, admin, 'POST', BASE)).json<Asked>();
    // A process claimed it, wrote part of the archive and was killed.
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(
        `UPDATE school_export_jobs SET state = 'running', password_sealed = NULL,
           password_key_id = NULL, updated_at = $2 WHERE id = $1`,
        [asked.id, new Date(clock.now().getTime() - 60_000)],
      ),
    );
    await mkdir(exportsFolder(t.services.config), { recursive: true });
    const partial = `${archiveOf(t.services.config, asked.id)}.partial-999999.7z`;
    await writeFile(partial, 'half');
    const busy = await call(t.app, admin, 'POST', BASE);
    expect([busy.statusCode, errorOf(busy).code]).toEqual([409, 'export_in_progress']);
    clock.advance(STALE_MS);
    await expireAppExports(t.services, clock.now(), [schoolId]);
    const [row] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ state: string; failure: string }>(
        'SELECT state, failure FROM school_export_jobs WHERE id = $1',
        [asked.id],
      ),
    );
    expect(row).toEqual({ state: 'failed', failure: 'stopped' });
    expect(existsSync(partial)).toBe(false);
    const admin2 = await again();
    const next = await call(t.app, admin2, 'POST', BASE);
    expect(next.statusCode, next.body).toBe(201);
    await runExports();
  }, 120_000);

  it('stopped mid-export: aborts between steps, removes the staging folder and partial, fails the job', async () => {
    const { admin } = await schoolWithAdmin();
    const asked = (await call(t.app, admin, 'POST', BASE)).json<Asked>();
    const before = new Set(await readdir(tmpdir()));
    const stop = new AbortController();
    const run = runNextExport(t.services, stop.signal);
    await expect
      .poll(async () => (await call(t.app, admin, 'GET', BASE)).json<Status>().job?.progress ?? 0, {
        interval: 10,
        timeout: 30_000,
      })
      .toBeGreaterThan(0);
    stop.abort();
    expect(await run).toBe(true);
    const status = (await call(t.app, admin, 'GET', BASE)).json<Status>();
    expect(status.job).toMatchObject({ id: asked.id, state: 'failed' });
    const [row] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ failure: string }>('SELECT failure FROM school_export_jobs WHERE id = $1', [
        asked.id,
      ]),
    );
    expect(row!.failure).toBe('stopped');
    const leftNow = (await readdir(tmpdir())).filter(
      (n) => n.startsWith('lantern-export-') && !before.has(n),
    );
    expect(leftNow).toEqual([]);
    const files = (await readdir(exportsFolder(t.services.config))).filter((n) =>
      n.startsWith(asked.id),
    );
    expect(files).toEqual([]);
  }, 120_000);
});
