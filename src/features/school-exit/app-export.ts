// A school's exit in the app (issue 15): an administrator, stepped up, asks for the school's
// export; a background job (the platform's work queue) writes it with export.ts into the data
// folder; the page shows its progress and offers the archive ONCE.
// What this protects:
// - The archive's password is made when the administrator asks, answered to that page once, and
//   handed to the job inside its queued work, which the queue seals under a key derived from the
//   master key and deletes once the work is done. It is never in a column, a log or an email.
// - The download token (256 bits) is answered with the password, and only its SHA-256 is kept:
//   the archive goes to whoever holds both the token and an administrator's stepped-up session,
//   once. A second download, or one after the archive's 24 hours, is refused (410) and the file
//   is deleted as soon as it has been sent or has expired (expireAppExports, the minute job).
// - The job runs once: the queue claims it under a lease (FOR UPDATE SKIP LOCKED), and the job's
//   own row moves from queued to running in one statement, so a second process that is handed the
//   same work (a lease ran out) finds it taken and does nothing. A job left running by a process
//   that stopped is taken over after STALE_MS without moving.
// - Asked, ready, downloaded and expired are audited in the school's chain.
// To change safely: never add the password or the token to a column, a payload other than the
// queued work, or a log line; keep app-export.test.ts passing on both engines.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, type ReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Services } from '../../platform/services.ts';
import type { Config } from '../../config.ts';
import { enqueue, WorkFailed, type WorkHandler } from '../../platform/queue/work-queue.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { asSystem, type Tx } from '../../core/context.ts';
import { DomainError } from '../../core/errors.ts';
import { newArchivePassword } from './archive.ts';
import { exportSchool } from './export.ts';

/** How long a ready archive waits for its one download before it is deleted. */
export const EXPORT_KEEP_MS = 24 * 3_600_000;
/** A running job that has not moved for this long was left by a process that stopped. */
export const STALE_MS = 15 * 60_000;
export const EXPORT_WORK_KIND = 'school_exit.export';

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

/**
 * Asks for the export: refused while another is being prepared; otherwise a queued job, its work
 * queued in the same transaction (so it exists if and only if the request commits), audited.
 * Answers the password and the download token: the only time either is seen.
 */
export async function requestAppExport(
  services: Services,
  t: Tx,
): Promise<{ id: string; password: string; token: string }> {
  const busy = await t.q(
    `SELECT id FROM school_export_jobs WHERE school_id = $1 AND state IN ('queued', 'running')`,
    [t.schoolId],
  );
  if (busy.length > 0) {
    throw new DomainError(
      'conflict',
      'export_in_progress',
      "The school's export is already being prepared: wait for it to be ready on this page.",
    );
  }
  const id = randomUUID();
  const password = newArchivePassword();
  const token = randomBytes(32).toString('base64url');
  await t.q(
    `INSERT INTO school_export_jobs (id, school_id, requested_by, requested_at, state, updated_at,
       token_sha256) VALUES ($1, $2, $3, $4, 'queued', $4, $5)`,
    [id, t.schoolId, t.actor.userId, t.now, sha256(token)],
  );
  await enqueue(t.db, services, {
    kind: EXPORT_WORK_KIND,
    payload: { job: id, school: t.schoolId, password, by: t.actor.name },
    now: t.now,
  });
  await t.audit({
    action: 'school.export_requested',
    targetType: 'school',
    targetId: t.schoolId,
    details: { job: id },
  });
  return { id, password, token };
}

type Payload = { job: string; school: string; password: string; by: string };
function isPayload(p: unknown): p is Payload {
  if (typeof p !== 'object' || p === null) return false;
  const o = p as Record<string, unknown>;
  return ['job', 'school', 'password', 'by'].every((k) => typeof o[k] === 'string');
}

/** Moves the job to running, once: answers false when another process has it (or it is done). */
async function takeJob(services: Services, job: string, now: Date): Promise<boolean> {
  const rows = await unsafeAsOwner(services.db, (q) =>
    q.query(
      `UPDATE school_export_jobs SET state = 'running', updated_at = $2, progress = 0
        WHERE id = $1 AND (state = 'queued' OR (state = 'running' AND updated_at < $3))
        RETURNING id`,
      [job, now, new Date(now.getTime() - STALE_MS)],
    ),
  );
  return rows.length > 0;
}

/** The queued work's handler: writes the archive, then marks the job ready (audited). */
export const runAppExport: WorkHandler = async (payload, services) => {
  if (!isPayload(payload)) throw new WorkFailed('bad_payload', { permanent: true });
  const { job, school, password, by } = payload;
  if (!(await takeJob(services, job, services.clock.now()))) return;
  const folder = exportsFolder(services.config);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const out = archiveOf(services.config, job);
  await rm(out, { force: true });
  const setProgress = async (done: number, total: number) => {
    await unsafeAsOwner(services.db, (q) =>
      q.query(
        `UPDATE school_export_jobs SET progress = $2, progress_total = $3, updated_at = $4
          WHERE id = $1 AND state = 'running'`,
        [job, done, total, services.clock.now()],
      ),
    );
  };
  try {
    const r = await exportSchool(services, school, out, `${by} (an administrator, in the app)`, {
      onProgress: setProgress,
      password,
    });
    const now = services.clock.now();
    await asSystem(services, school, 'scheduled', 'school export').tx(async (t) => {
      await t.q(
        `UPDATE school_export_jobs SET state = 'ready', ready_at = $2, expires_at = $3,
           export_id = $4, archive_bytes = $5, updated_at = $2 WHERE id = $1`,
        [job, now, new Date(now.getTime() + EXPORT_KEEP_MS), r.exportId, r.archiveBytes],
      );
      await t.audit({
        action: 'school.export_ready',
        targetType: 'school',
        targetId: school,
        details: { job, export: r.exportId, files: r.files },
      });
    });
  } catch (err) {
    await rm(out, { force: true });
    const code = err instanceof DomainError ? err.code.slice(0, 40) : 'export_failed';
    services.log.error(`school export in the app failed (${code})`);
    await unsafeAsOwner(services.db, (q) =>
      q.query(
        `UPDATE school_export_jobs SET state = 'failed', failure = $2, updated_at = $3
          WHERE id = $1`,
        [job, /^[a-z0-9_]{1,40}$/.test(code) ? code : 'export_failed', services.clock.now()],
      ),
    );
    // Not tried again: the administrator sees it failed and may ask again.
  }
};

export const SCHOOL_EXIT_WORK = { [EXPORT_WORK_KIND]: runAppExport } as const;

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
): Promise<{ stream: ReadStream; bytes: number; name: string } | { gone: DomainError }> {
  const [row] = await t.q<JobRow>(
    'SELECT * FROM school_export_jobs WHERE school_id = $1 AND id = $2 FOR UPDATE',
    [t.schoolId, jobId],
  );
  if (!row) throw new DomainError('not_found', 'not_found', 'That export was not found.');
  const given = Buffer.from(sha256(token), 'hex');
  if (!timingSafeEqual(given, Buffer.from(row.token_sha256, 'hex'))) {
    throw new DomainError(
      'invalid',
      'wrong_token',
      'This download was offered to another page: prepare the export again from this page.',
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
    throw new DomainError(
      'conflict',
      'export_not_ready',
      'The export is not ready yet: wait until this page says it is ready.',
    );
  }
  const file = archiveOf(services.config, row.id);
  if (!existsSync(file)) {
    throw new DomainError(
      'conflict',
      'export_missing',
      'The archive is no longer on the server. Prepare the export again.',
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
 * expired (audited in its school's chain). Answers how many. Also removes a downloaded job's file
 * that a stopped process left behind.
 */
export async function expireAppExports(
  services: Services,
  now: Date,
  only?: readonly string[],
): Promise<number> {
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
      await rm(archiveOf(services.config, j.id), { force: true });
      continue;
    }
    await asSystem(services, j.school_id, 'scheduled', 'school export expiry').tx((t) =>
      expireOne(services, t, j.id, j.school_id),
    );
    expired += 1;
  }
  return expired;
}
