// One run at a time, about once a period, across every Lantern process on one database (issue 16).
// Every periodic job (src/jobs/due-work.ts's minute work, the MIS scheduler, the retention sweep,
// the embedded engine's statistics) runs through runLeased: the process first claims the job's row
// in job_runs (migration 0028) with one conditional upsert, decided by PostgreSQL's row lock, so of
// two processes ticking at the same moment exactly one wins and the other skips; the winner's
// lease is renewed while the run lasts and expires on its own within a minute of the process
// dying mid-run. Times are the database's clock, never a process's, so processes whose clocks
// disagree still agree. The same SQL runs on the embedded
// engine (one process; the claim then only keeps a slow run from overlapping the next tick).
// This is the coarse wall; the jobs' own writes stay idempotent (each row is claimed by a
// conditional UPDATE … RETURNING), so a run repeated after a lease expired mid-run does nothing
// twice. To change safely: keep the claim a single statement, and keep `holder` in the release so
// a process whose lease expired cannot end the next holder's.
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/engine.ts';
import { inPlatform } from '../db/tenancy.ts';

/** How long a job's lease lasts unrenewed: a crashed holder's job is free again this soon. */
export const LEASE_MS = 60_000;

/** A job's name: lower case and underscores (checked by the table too). */
export type JobName =
  | 'due_work'
  | 'session_sweep'
  | 'retention_sweep'
  | 'mis_pull'
  | 'statistics'
  | (string & { readonly __job?: never });

export type LeaseSpec = {
  job: JobName;
  /**
   * How long the lease lasts without renewal: the winner renews it every third of this while it
   * runs, so a long run keeps its job, and a process that dies mid-run lets it go this soon.
   */
  leaseMs: number;
  /** The least time between two runs' starts across all processes (0: only no overlap). */
  everyMs: number;
};

export type LeasedRun<T> = { ran: true; result: T } | { ran: false };

/** Listeners told of each run's outcome (the metrics, platform/metrics.ts). */
export type JobOutcome = { job: string; ok: boolean; seconds: number };
const listeners: ((o: JobOutcome) => void)[] = [];
export function onJobOutcome(listener: (o: JobOutcome) => void): void {
  listeners.push(listener);
}

/** Claims the job for this run; true if this process won it. */
export async function claimJob(db: Database, spec: LeaseSpec, holder: string): Promise<boolean> {
  const rows = await inPlatform(db, (q) =>
    q.query(
      `INSERT INTO job_runs (job, holder, lease_until, started_at, runs)
       VALUES ($1, $2, clock_timestamp() + make_interval(secs => $3), clock_timestamp(), 1)
       ON CONFLICT (job) DO UPDATE SET holder = EXCLUDED.holder,
         lease_until = EXCLUDED.lease_until, started_at = EXCLUDED.started_at,
         runs = job_runs.runs + 1
       WHERE (job_runs.lease_until IS NULL OR job_runs.lease_until < clock_timestamp())
         AND (job_runs.started_at IS NULL
              OR job_runs.started_at <= clock_timestamp() - make_interval(secs => $4))
       RETURNING job`,
      [spec.job, holder, spec.leaseMs / 1000, spec.everyMs / 1000],
    ),
  );
  return rows.length === 1;
}

/** Extends this holder's lease by another leaseMs from now; false if it is no longer theirs. */
export async function renewJob(db: Database, spec: LeaseSpec, holder: string): Promise<boolean> {
  const rows = await inPlatform(db, (q) =>
    q.query(
      `UPDATE job_runs SET lease_until = clock_timestamp() + make_interval(secs => $3)
       WHERE job = $1 AND holder = $2 RETURNING job`,
      [spec.job, holder, spec.leaseMs / 1000],
    ),
  );
  return rows.length === 1;
}

/** Ends this holder's lease, recording the outcome (a failure as a short code only). */
async function releaseJob(db: Database, job: string, holder: string, ok: boolean): Promise<void> {
  await inPlatform(db, (q) =>
    q.query(
      `UPDATE job_runs SET holder = NULL, lease_until = NULL, finished_at = clock_timestamp(),
         failures = failures + $3, last_error = $4
       WHERE job = $1 AND holder = $2`,
      [job, holder, ok ? 0 : 1, ok ? null : 'failed'],
    ),
  );
}

/**
 * Runs `fn` if this process wins the job's lease; otherwise does nothing. A failure of `fn` is
 * recorded against the job and rethrown; the lease is always given back.
 */
export async function runLeased<T>(
  db: Database,
  spec: LeaseSpec,
  fn: () => Promise<T>,
): Promise<LeasedRun<T>> {
  const holder = randomUUID();
  if (!(await claimJob(db, spec, holder))) return { ran: false };
  const started = performance.now();
  // Renewed while the run lasts; a renewal that fails (the database briefly unreachable) is tried
  // again at the next beat, and a lease lost meanwhile is another holder's: the run's writes stay
  // idempotent, as the note above says.
  const renewal = setInterval(
    () => void renewJob(db, spec, holder).catch(() => undefined),
    Math.max(250, spec.leaseMs / 3),
  );
  renewal.unref();
  let ok = false;
  try {
    const result = await fn();
    ok = true;
    return { ran: true, result };
  } finally {
    clearInterval(renewal);
    const seconds = (performance.now() - started) / 1000;
    for (const l of listeners) l({ job: spec.job, ok, seconds });
    // A release that fails leaves the lease to expire; it must not hide the run's own outcome.
    await releaseJob(db, spec.job, holder, ok).catch(() => undefined);
  }
}

/** Each job's last finish and counts, for the metrics' lag (read at scrape time). */
export async function jobStates(
  db: Database,
): Promise<{ job: string; finished_at: Date | null; runs: number; failures: number }[]> {
  return inPlatform(db, (q) =>
    q.query('SELECT job, finished_at, runs, failures FROM job_runs ORDER BY job'),
  );
}
