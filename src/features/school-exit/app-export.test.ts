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
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
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
import { auditActions, drainWork, errorOf } from '../identity/identity-test-kit.ts';
import { sevenZip } from './archive.ts';
import { archiveOf, EXPORT_KEEP_MS, runAppExport } from './app-export.ts';
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

async function askAndWait(admin: Session): Promise<Asked> {
  const asked = await call(t.app, admin, 'POST', BASE);
  expect(asked.statusCode, asked.body).toBe(201);
  await drainWork(t);
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
    await drainWork(t);
    const ready = (await call(t.app, admin, 'GET', BASE)).json<Status>();
    expect(ready.job).toMatchObject({ id: asked.id, state: 'ready' });
    expect(ready.job!.progress).toBe(ready.job!.progressTotal);
    expect(ready.job!.progressTotal).toBeGreaterThan(100);
    expect(existsSync(archiveOf(t.services.config, asked.id))).toBe(true);

    // Neither the password nor the token is in any column of the job, or left in the queue.
    const stored = await unsafeAsOwner(t.services.db, async (q) => ({
      job: await q.query('SELECT * FROM school_export_jobs WHERE id = $1', [asked.id]),
      queue: await q.query<{ n: number }>('SELECT count(*)::int AS n FROM work_queue'),
    }));
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

  it('runs a job handed to two workers at once only once', async () => {
    const schoolId = await makeSchool(t.services);
    const user = await makeUser(t.services, schoolId, 'school_admin');
    const job = randomUUID();
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(
        `INSERT INTO school_export_jobs (id, school_id, requested_by, requested_at, state,
           updated_at, token_sha256) VALUES ($1, $2, $3, $4, 'queued', $4, $5)`,
        [job, schoolId, user.id, clock.now(), 'a'.repeat(64)],
      ),
    );
    const payload = { job, school: schoolId, password: 'two-workers', by: 'Test' };
    await Promise.all([runAppExport(payload, t.services), runAppExport(payload, t.services)]);
    const [exports] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ n: number }>('SELECT count(*)::int AS n FROM school_exports WHERE school_id = $1', [
        schoolId,
      ]),
    );
    expect(exports!.n).toBe(1);
    const actions = await auditActions(t, schoolId);
    expect(actions.filter((a) => a === 'school.export_ready')).toHaveLength(1);
    await rm(archiveOf(t.services.config, job), { force: true });
  }, 120_000);
});
