// A school's exit in the app (issue 15): an administrator, stepped up, asks for the school's
// export; this feature's own runner (startExportRunner, started by src/main.ts, never the work
// queue's single worker, so mail never waits behind an export) writes it with export.ts into the
// data folder; the page shows its progress and offers the archive ONCE, to the administrator who
// asked.
// What this protects:
// - The archive's password is made when the administrator asks and answered to that page once.
//   The runner needs it, so until the job is claimed it is kept in the job's row sealed
//   (AES-256-GCM, a key derived from the master key, bound to the job's id); the statement that
//   claims the job clears it, and a job that fails or is swept clears it. It is never in a log or
//   an email. (A database backup taken while a job is queued holds it sealed.)
// - The download token (256 bits) is answered with the password, and only its SHA-256 is kept:
//   the archive goes to the administrator who asked, holding the token and a stepped-up session,
//   once. A second download, or one after the archive's 24 hours, is refused (410) and the file
//   is deleted as soon as it has been sent or has expired (expireAppExports, the minute job).
//   Every refused download is audited (school.export_download_refused, with its reason).
// - One job per school at a time (a partial unique index); claimed by one runner (FOR UPDATE SKIP
//   LOCKED). A job left running by a process that stopped (not moved for STALE_MS), or queued
//   and never taken, is marked failed by the sweep and its files removed; stop() aborts a run
//   between steps, stops 7-Zip, removes the staging folder and partial and marks the job failed.
// - Asked, ready, downloaded, refused and expired are audited in the school's chain.
// To change safely: never add the password or the token to a log line, keep the password sealed
// and cleared at claim; keep app-export.test.ts passing on both engines.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, type ReadStream } from 'node:fs';
import { hkdfSync } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Services } from '../../platform/services.ts';
import type { Config } from '../../config.ts';
import { processKeyring } from '../../platform/services.ts';
import { open, seal } from '../../platform/crypto/aead.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { asSystem, type Tx } from '../../core/context.ts';
import { DomainError } from '../../core/errors.ts';
import { newArchivePassword, partialOf, stopArchiving } from './archive.ts';
import { exportSchool } from './export.ts';

/** How long a ready archive waits for its one download before it is deleted. */
export const EXPORT_KEEP_MS = 24 * 3_600_000;
/** A running job that has not moved for this long was left by a process that stopped. */
export const STALE_MS = 15 * 60_000;
/** A queued job not taken for this long (no runner) is failed by the sweep. */
export const QUEUED_STALE_MS = EXPORT_KEEP_MS;

export type ExportJobState = 'queued' | 'running' | 'ready' | 'downloaded' | 'expired' | 'failed';

export type ExportJobView = {
  id: string;
  state: ExportJobState;
  progress: number;
  progressTotal: number;
  requestedAt: string;
  readyAt: string | null;
  expiresAt: string | null;
  downloadedAt: string | null;
  archiveBytes: number | null;
};

/** Where the job's archive lies until it is downloaded or expires (the data folder, 0700). */
export function exportsFolder(config: Pick<Config, 'dataDir'>): string {
  return path.join(config.dataDir, 'school-exports');
}
export function archiveOf(config: Pick<Config, 'dataDir'>, jobId: string): string {
  if (!/^[0-9a-f-]{36}$/.test(jobId)) throw new Error('archiveOf: not a job id');
  return path.join(exportsFolder(config), `${jobId}.7z`);
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

type JobRow = {
  id: string;
  state: ExportJobState;
  progress: number;
  progress_total: number;
  requested_at: Date;
  ready_at: Date | null;
  expires_at: Date | null;
  downloaded_at: Date | null;
  archive_bytes: string | number | null;
  token_sha256: string;
  requested_by: string;
};

const view = (r: JobRow): ExportJobView => ({
  id: r.id,
  state: r.state,
  progress: r.progress,
  progressTotal: r.progress_total,
  requestedAt: r.requested_at.toISOString(),
  readyAt: r.ready_at?.toISOString() ?? null,
  expiresAt: r.expires_at?.toISOString() ?? null,
  downloadedAt: r.downloaded_at?.toISOString() ?? null,
  archiveBytes: r.archive_bytes === null ? null : Number(r.archive_bytes),
});

/** The school's latest export asked for in the app, and whether any export has been confirmed. */
export async function exportStatus(
  t: Tx,
): Promise<{ job: ExportJobView | null; confirmedAt: string | null }> {
  const [job] = await t.q<JobRow>(
    'SELECT * FROM school_export_jobs WHERE school_id = $1 ORDER BY requested_at DESC LIMIT 1',
    [t.schoolId],
  );
  const [confirmed] = await t.q<{ confirmed_at: Date }>(
    `SELECT confirmed_at FROM school_exports WHERE school_id = $1 AND confirmed_at IS NOT NULL
     ORDER BY confirmed_at DESC LIMIT 1`,
    [t.schoolId],
  );
  return {
    job: job ? view(job) : null,
    confirmedAt: confirmed?.confirmed_at.toISOString() ?? null,
  };
}

/** The key the password is sealed under in a queued job's row: HKDF of the master key. */
function passwordKey(master: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'lantern:school-export:v1', 32));
}
const passwordAad = (job: string) => `lantern:school-export:${job}`;

const busyError = () =>
  new DomainError(
    'conflict',
    'export_in_progress',
    "The school's export is already being prepared: wait for it to be ready on this page.",
  );

/**
 * Asks for the export: refused while another is being prepared (a job left by a stopped process
 * is failed first); an earlier archive not yet downloaded is expired and deleted; otherwise a
 * queued job with the password sealed in it, audited. Answers the password and the download
 * token: the only time either is seen.
 */
export async function requestAppExport(
  services: Services,
  t: Tx,
): Promise<{ id: string; password: string; token: string }> {
  const staleBefore = new Date(t.now.getTime() - STALE_MS);
  const left = await t.q<{ id: string }>(
    `UPDATE school_export_jobs SET state = 'failed', failure = 'stopped', updated_at = $2,
       password_sealed = NULL, password_key_id = NULL
      WHERE school_id = $1 AND state = 'running' AND updated_at < $3 RETURNING id`,
    [t.schoolId, t.now, staleBefore],
  );
  for (const j of left) await removeJobFiles(services, j.id);
  const busy = await t.q(
    `SELECT id FROM school_export_jobs WHERE school_id = $1 AND state IN ('queued', 'running')`,
    [t.schoolId],
  );
  if (busy.length > 0) throw busyError();
  const earlier = await t.q<{ id: string }>(
    `SELECT id FROM school_export_jobs WHERE school_id = $1 AND state = 'ready'`,
    [t.schoolId],
  );
  for (const j of earlier) await expireOne(services, t, j.id, t.schoolId);
  const id = randomUUID();
  const password = newArchivePassword();
  const token = randomBytes(32).toString('base64url');
  const master = processKeyring(services.config, services.log)().current;
  const sealed = seal(passwordKey(master.key), 1, Buffer.from(password, 'utf8'), passwordAad(id));
  try {
    await t.q(
      `INSERT INTO school_export_jobs (id, school_id, requested_by, requested_by_name,
         requested_at, state, updated_at, token_sha256, password_sealed, password_key_id)
       VALUES ($1, $2, $3, $4, $5, 'queued', $5, $6, $7, $8)`,
      [id, t.schoolId, t.actor.userId, t.actor.name, t.now, sha256(token), sealed, master.id],
    );
  } catch (err) {
    // Two requests at once: the second meets the one-busy-job index.
    if ((err as { code?: string }).code === '23505') throw busyError();
    throw err;
  }
  await t.audit({
    action: 'school.export_requested',
    targetType: 'school',
    targetId: t.schoolId,
    details: { job: id },
  });
  return { id, password, token };
}

/** Removes a job's archive and any partial of it (this process's or another's). */
async function removeJobFiles(services: Pick<Services, 'config'>, job: string): Promise<void> {
  const out = archiveOf(services.config, job);
  await rm(out, { force: true });
  const folder = exportsFolder(services.config);
  const names = await readdir(folder).catch(() => [] as string[]);
  for (const n of names) {
    if (n.startsWith(`${job}.7z.partial-`)) await rm(path.join(folder, n), { force: true });
  }
}

type Claimed = {
  id: string;
  school_id: string;
  requested_by_name: string;
  password_sealed: Buffer | Uint8Array;
  password_key_id: string;
};

/**
 * Claims the oldest queued job (one runner gets it: FOR UPDATE SKIP LOCKED), clearing its sealed
 * password in the same statement; answers the job and the password, or null when none is queued.
 */
async function claimJob(
  services: Services,
  now: Date,
): Promise<{ job: string; school: string; by: string; password: string | null } | null> {
  const [row] = await unsafeAsOwner(services.db, (q) =>
    q.query<Claimed>(
      `WITH c AS (
         SELECT id, password_sealed, password_key_id FROM school_export_jobs
          WHERE state = 'queued' ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       UPDATE school_export_jobs j SET state = 'running', updated_at = $1, progress = 0,
              password_sealed = NULL, password_key_id = NULL
         FROM c WHERE j.id = c.id
       RETURNING j.id, j.school_id, j.requested_by_name, c.password_sealed, c.password_key_id`,
      [now],
    ),
  );
  if (!row) return null;
  const master = processKeyring(services.config, services.log)().byId.get(row.password_key_id);
  let password: string | null = null;
  try {
    if (master) {
      password = open(
        passwordKey(master.key),
        Buffer.from(row.password_sealed),
        passwordAad(row.id),
      ).toString('utf8');
    }
  } catch {
    password = null;
  }
  return { job: row.id, school: row.school_id, by: row.requested_by_name, password };
}

/** Thrown between steps when the runner is stopped. */
class Stopped extends Error {
  constructor() {
    super('stopped');
  }
}

async function failJob(services: Services, job: string, code: string): Promise<void> {
  await unsafeAsOwner(services.db, (q) =>
    q.query(
      `UPDATE school_export_jobs SET state = 'failed', failure = $2, updated_at = $3,
         password_sealed = NULL, password_key_id = NULL
        WHERE id = $1 AND state IN ('queued', 'running')`,
      [job, /^[a-z0-9_]{1,40}$/.test(code) ? code : 'export_failed', services.clock.now()],
    ),
  );
}

/**
 * Runs the oldest queued job, if any: writes the archive, then marks the job ready (audited).
 * Everything after the claim is inside the try, so a throw marks the job failed and removes its
 * files; `signal` aborts between steps and stops 7-Zip. Answers whether a job was taken.
 */
export async function runNextExport(services: Services, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return false;
  const claimed = await claimJob(services, services.clock.now());
  if (!claimed) return false;
  const { job, school, by, password } = claimed;
  const out = archiveOf(services.config, job);
  const staged: string[] = [];
  const onAbort = () => {
    // 7-Zip is used by this process only for exports; the CLI runs in its own process.
    stopArchiving();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (password === null) throw new DomainError('conflict', 'password_unreadable', 'unreadable');
    await mkdir(exportsFolder(services.config), { recursive: true, mode: 0o700 });
    await rm(out, { force: true });
    const setProgress = async (done: number, total: number) => {
      if (signal?.aborted) throw new Stopped();
      await unsafeAsOwner(services.db, (q) =>
        q.query(
          `UPDATE school_export_jobs SET progress = $2, progress_total = $3, updated_at = $4
            WHERE id = $1 AND state = 'running'`,
          [job, done, total, services.clock.now()],
        ),
      );
    };
    const r = await exportSchool(services, school, out, `${by} (an administrator, in the app)`, {
      onProgress: setProgress,
      onStaging: (dir) => staged.push(dir),
      password,
    });
    if (signal?.aborted) throw new Stopped();
    const now = services.clock.now();
    const moved = await asSystem(services, school, 'scheduled', 'school export').tx(async (t) => {
      const rows = await t.q(
        `UPDATE school_export_jobs SET state = 'ready', ready_at = $2, expires_at = $3,
           export_id = $4, archive_bytes = $5, updated_at = $2
          WHERE id = $1 AND state = 'running' RETURNING id`,
        [job, now, new Date(now.getTime() + EXPORT_KEEP_MS), r.exportId, r.archiveBytes],
      );
      if (rows.length === 0) return false;
      await t.audit({
        action: 'school.export_ready',
        targetType: 'school',
        targetId: school,
        details: { job, export: r.exportId, files: r.files },
      });
      return true;
    });
    // Failed by the sweep meanwhile (taken for stopped): its archive is not offered.
    if (!moved) await rm(out, { force: true });
  } catch (err) {
    const code =
      err instanceof Stopped || signal?.aborted
        ? 'stopped'
        : err instanceof DomainError
          ? err.code.slice(0, 40)
          : 'export_failed';
    services.log.error(`school export in the app failed (${code})`);
    await removeJobFiles(services, job).catch(() => undefined);
    await rm(partialOf(out), { force: true }).catch(() => undefined);
    await failJob(services, job, code).catch(() => undefined);
    // Not tried again: the administrator sees it failed and may ask again.
  } finally {
    signal?.removeEventListener('abort', onAbort);
    for (const dir of staged) await rm(dir, { recursive: true, force: true });
  }
  return true;
}

/** When this process started (wall clock), to tell its own files from a predecessor's. */
const PROCESS_STARTED_MS = Date.now() - process.uptime() * 1000;

/**
 * Whether a file named for process `pid` and last changed at `mtimeMs` belongs to a process still
 * running. A file of this process's own id changed before it started is a predecessor's (in a
 * container every server is process 1); one changed since is this process's own, in use.
 */
function ownerAlive(pid: number, mtimeMs: number): boolean {
  if (pid === process.pid) return mtimeMs >= PROCESS_STARTED_MS;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * At start-up: staging folders (`tmpdir()/lantern-export-<pid>-*`) whose process is gone, which a
 * killed process left with plain tables in them (a folder of an older name without a process id:
 * once not touched for STALE_MS), and partial archives in the exports folder whose process is
 * gone. A running export's folder — a `lantern school export` beside the server, say — is kept.
 */
export async function removeLeftExportFiles(services: Pick<Services, 'config' | 'clock'>) {
  const now = services.clock.now().getTime();
  const tmp = tmpdir();
  for (const n of await readdir(tmp).catch(() => [] as string[])) {
    if (!n.startsWith('lantern-export-')) continue;
    const p = path.join(tmp, n);
    const st = await stat(p).catch(() => null);
    if (!st?.isDirectory()) continue;
    const owner = /^lantern-export-(\d+)-/.exec(n);
    const left = owner ? !ownerAlive(Number(owner[1]), st.mtimeMs) : now - st.mtimeMs > STALE_MS;
    if (left) await rm(p, { recursive: true, force: true });
  }
  const folder = exportsFolder(services.config);
  for (const n of await readdir(folder).catch(() => [] as string[])) {
    const m = /\.partial-(\d+)\.7z$/.exec(n);
    if (!m) continue;
    const p = path.join(folder, n);
    const st = await stat(p).catch(() => null);
    if (st && !ownerAlive(Number(m[1]), st.mtimeMs)) await rm(p, { force: true });
  }
}

/**
 * The export runner of this process: every `everyMs` (and when woken) runs queued jobs one after
 * another. stop() aborts a run between steps (7-Zip stopped, staging and partial removed, the job
 * failed) and waits for it.
 */
let wakeCurrent: (() => void) | null = null;
/** Wakes this process's runner, if it has one (after a request queued a job). */
export function wakeExportRunner(): void {
  wakeCurrent?.();
}

export function startExportRunner(
  services: Services,
  opts: { everyMs?: number } = {},
): { wake: () => void; stop: () => Promise<void> } {
  const abort = new AbortController();
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running || abort.signal.aborted) return;
    running = (async () => {
      while (!abort.signal.aborted && (await runNextExport(services, abort.signal))) {
        /* the next one */
      }
    })()
      .catch((err: unknown) =>
        services.log.error(`school export runner failed (will retry): ${(err as Error).message}`),
      )
      .finally(() => {
        running = null;
      });
  };
  void removeLeftExportFiles(services).catch(() => undefined);
  const every = setInterval(tick, opts.everyMs ?? 5_000);
  every.unref();
  wakeCurrent = tick;
  return {
    wake: tick,
    stop: async () => {
      clearInterval(every);
      if (wakeCurrent === tick) wakeCurrent = null;
      abort.abort();
      await running;
    },
  };
}

/** Downloaded already, or expired: the route answers 410 Gone with the message. */
const gone = (code: string, message: string) => ({
  gone: new DomainError('conflict', code, message),
});

/** Marks a ready job expired (in the caller's transaction, audited) and deletes its file. */
async function expireOne(
  services: Pick<Services, 'config'>,
  t: { q: Tx['q']; now: Date; audit: Tx['audit'] },
  jobId: string,
  schoolId: string,
): Promise<void> {
  await t.q(
    `UPDATE school_export_jobs SET state = 'expired', expired_at = $2, updated_at = $2
      WHERE id = $1 AND state = 'ready'`,
    [jobId, t.now],
  );
  await t.audit({
    action: 'school.export_expired',
    targetType: 'school',
    targetId: schoolId,
    details: { job: jobId },
  });
  await rm(archiveOf(services.config, jobId), { force: true });
}

/**
 * The one download: the token checked against its hash, the job moved to downloaded and audited in
 * one transaction, then the file handed over as a stream that deletes it once sent. A second
 * attempt, or one after expiry, is answered `gone` (the route says 410); an expiry found here is
 * recorded and audited as the sweep would.
 */
export async function takeDownload(
  services: Services,
  t: Tx,
  jobId: string,
  token: string,
): Promise<
  | { stream: ReadStream; bytes: number; name: string }
  | { gone: DomainError }
  | { refused: DomainError }
> {
  // A refusal is answered, not thrown, so its audit commits with it.
  const refuse = async (
    reason: 'not_found' | 'wrong_token' | 'not_requester' | 'not_ready' | 'missing',
    error: DomainError,
  ) => {
    await t.audit({
      action: 'school.export_download_refused',
      targetType: 'school',
      targetId: t.schoolId,
      details: { job: jobId, reason },
    });
    return { refused: error };
  };
  const [row] = await t.q<JobRow>(
    'SELECT * FROM school_export_jobs WHERE school_id = $1 AND id = $2 FOR UPDATE',
    [t.schoolId, jobId],
  );
  if (!row) {
    return refuse(
      'not_found',
      new DomainError('not_found', 'not_found', 'That export was not found.'),
    );
  }
  const given = Buffer.from(sha256(token), 'hex');
  if (!timingSafeEqual(given, Buffer.from(row.token_sha256, 'hex'))) {
    return refuse(
      'wrong_token',
      new DomainError(
        'invalid',
        'wrong_token',
        'This download was offered to another page: prepare the export again from this page.',
      ),
    );
  }
  if (row.requested_by !== t.actor.userId) {
    return refuse(
      'not_requester',
      new DomainError(
        'forbidden',
        'not_requester',
        'This export can be downloaded only by the administrator who prepared it. Prepare the export again if you need a copy.',
      ),
    );
  }
  if (row.state === 'downloaded') {
    return gone(
      'already_downloaded',
      'This export has already been downloaded, and was then deleted from the server. Prepare the export again if you need another copy.',
    );
  }
  if (row.state === 'expired' || (row.expires_at && row.expires_at <= t.now)) {
    // Answered, not thrown, so the expiry found here commits with the refusal.
    if (row.state === 'ready') await expireOne(services, t, row.id, t.schoolId);
    return gone(
      'export_expired',
      'This export was not downloaded within 24 hours, so it was deleted from the server. Prepare the export again.',
    );
  }
  if (row.state !== 'ready') {
    return refuse(
      'not_ready',
      new DomainError(
        'conflict',
        'export_not_ready',
        'The export is not ready yet: wait until this page says it is ready.',
      ),
    );
  }
  const file = archiveOf(services.config, row.id);
  if (!existsSync(file)) {
    return refuse(
      'missing',
      new DomainError(
        'conflict',
        'export_missing',
        'The archive is no longer on the server. Prepare the export again.',
      ),
    );
  }
  await t.q(
    `UPDATE school_export_jobs SET state = 'downloaded', downloaded_at = $2, updated_at = $2
      WHERE id = $1`,
    [row.id, t.now],
  );
  await t.audit({
    action: 'school.export_downloaded',
    targetType: 'school',
    targetId: t.schoolId,
    details: { job: row.id },
  });
  const stream = createReadStream(file);
  // Deleted once sent (or once the reader gave up): the archive is offered once.
  stream.once('close', () => void rm(file, { force: true }));
  return {
    stream,
    bytes: Number(row.archive_bytes ?? 0),
    name: `school-export-${row.ready_at!.toISOString().slice(0, 10)}.7z`,
  };
}

/**
 * The minute job's sweep: every ready archive past its 24 hours is deleted and its job marked
 * expired (audited in its school's chain). A job left running by a stopped process (not moved for
 * STALE_MS) or queued and never taken (QUEUED_STALE_MS) is marked failed ('stopped'), its sealed
 * password cleared and its archive and partials deleted. Answers how many expired. Also removes a
 * downloaded or failed job's file that a stopped process left behind.
 */
export async function expireAppExports(
  services: Services,
  now: Date,
  only?: readonly string[],
): Promise<number> {
  const stale = await unsafeAsOwner(services.db, (q) =>
    q.query<{ id: string }>(
      `UPDATE school_export_jobs SET state = 'failed', failure = 'stopped', updated_at = $1,
         password_sealed = NULL, password_key_id = NULL
        WHERE ((state = 'running' AND updated_at < $2) OR (state = 'queued' AND updated_at < $3))
        ${only ? 'AND school_id = ANY($4::uuid[])' : ''} RETURNING id`,
      [
        now,
        new Date(now.getTime() - STALE_MS),
        new Date(now.getTime() - QUEUED_STALE_MS),
        ...(only ? [[...only]] : []),
      ],
    ),
  );
  for (const j of stale) await removeJobFiles(services, j.id);
  const due = await unsafeAsOwner(services.db, (q) =>
    q.query<{ id: string; school_id: string; state: ExportJobState }>(
      `SELECT id, school_id, state FROM school_export_jobs
        WHERE ((state = 'ready' AND expires_at <= $1)
           OR (state IN ('downloaded', 'failed') AND updated_at > $2))
        ${only ? 'AND school_id = ANY($3::uuid[])' : ''}`,
      only
        ? [now, new Date(now.getTime() - 2 * EXPORT_KEEP_MS), [...only]]
        : [now, new Date(now.getTime() - 2 * EXPORT_KEEP_MS)],
    ),
  );
  let expired = 0;
  for (const j of due) {
    if (j.state !== 'ready') {
      await removeJobFiles(services, j.id);
      continue;
    }
    await asSystem(services, j.school_id, 'scheduled', 'school export expiry').tx((t) =>
      expireOne(services, t, j.id, j.school_id),
    );
    expired += 1;
  }
  return expired;
}
