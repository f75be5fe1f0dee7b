// The process's Prometheus metrics (issue 16), with prom-client. Served by src/http/metrics.ts at
// /metrics behind a bearer token. Every label is a bounded value Lantern chose — a route pattern
// (never a URL with its ids), a status class, a job's or a pool's name, an outcome — never anything
// a person typed, a school's id or a name. Gauges that describe shared state (the connection
// pools, each job's last finish, the newest backup) are read at scrape time by refreshGauges, so
// each process reports the database as it sees it. To change safely: add labels only from fixed
// sets; an unbounded label is both a leak and a memory leak.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Database } from './db/engine.ts';
import { jobStates, onJobOutcome } from './jobs/lease.ts';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'lantern_process_' });

export const httpDuration = new Histogram({
  name: 'lantern_http_request_duration_seconds',
  help: 'HTTP requests by route pattern, method and status class (its _count is the request rate).',
  labelNames: ['method', 'route', 'status_class'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

const poolConnections = new Gauge({
  name: 'lantern_db_pool_connections',
  help: 'PostgreSQL connections per pool: total open, idle, and requests waiting for one.',
  labelNames: ['pool', 'state'] as const,
  registers: [registry],
});

const jobRuns = new Counter({
  name: 'lantern_job_runs_total',
  help: 'Periodic job runs by this process, by job and outcome (ok or failed).',
  labelNames: ['job', 'outcome'] as const,
  registers: [registry],
});
const jobDuration = new Histogram({
  name: 'lantern_job_duration_seconds',
  help: 'How long a periodic job ran in this process.',
  labelNames: ['job'] as const,
  buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
  registers: [registry],
});
const jobLag = new Gauge({
  name: 'lantern_job_seconds_since_last_finish',
  help: 'Seconds since any process last finished each job (its lag; grows if no process runs it).',
  labelNames: ['job'] as const,
  registers: [registry],
});
const jobFailuresAll = new Gauge({
  name: 'lantern_job_failures_recorded',
  help: 'Failed runs of each job recorded in the database by every process.',
  labelNames: ['job'] as const,
  registers: [registry],
});
onJobOutcome(({ job, ok, seconds }) => {
  jobRuns.inc({ job, outcome: ok ? 'ok' : 'failed' });
  jobDuration.observe({ job }, seconds);
});

export const misRuns = new Counter({
  name: 'lantern_mis_pull_runs_total',
  help: 'Scheduled MIS pulls run by this process, by outcome (applied, held, rejected, failed).',
  labelNames: ['status'] as const,
  registers: [registry],
});

export const signInFailures = new Counter({
  name: 'lantern_sign_in_failures_total',
  help: 'Failed sign-in attempts (a wrong password or code), counted against an account.',
  registers: [registry],
});

export const auditAppend = new Histogram({
  name: 'lantern_audit_append_seconds',
  help: "Time to append a transaction's audit entries to its school's chain.",
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
  registers: [registry],
});

const backupAge = new Gauge({
  name: 'lantern_backup_age_seconds',
  help: 'Seconds since the newest file in LANTERN_BACKUP_DIR was written (absent when none).',
  registers: [registry],
});

/**
 * The backup's age: the newest regular file's modification time in the backup folder, walking
 * one level of sub-folders (pgBackRest keeps each backup in a folder of its own). Whatever makes
 * backups (lantern backup, pgBackRest) needs only to write there. Undefined when there is none.
 */
export async function newestBackupMs(dir: string): Promise<number | undefined> {
  let newest: number | undefined;
  const look = async (at: string, depth: number): Promise<void> => {
    const entries = await readdir(at, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const full = path.join(at, e.name);
      if (e.isFile()) {
        const st = await stat(full).catch(() => null);
        if (st && (newest === undefined || st.mtimeMs > newest)) newest = st.mtimeMs;
      } else if (e.isDirectory() && depth < 2) await look(full, depth + 1);
    }
  };
  await look(dir, 0);
  return newest;
}

/** Sets the scrape-time gauges from this process's view of the database and the backup folder. */
export async function refreshGauges(db: Database, backupDir: string | undefined): Promise<void> {
  poolConnections.reset();
  for (const p of db.pools?.() ?? []) {
    poolConnections.set({ pool: p.pool, state: 'total' }, p.total);
    poolConnections.set({ pool: p.pool, state: 'idle' }, p.idle);
    poolConnections.set({ pool: p.pool, state: 'waiting' }, p.waiting);
  }
  jobLag.reset();
  jobFailuresAll.reset();
  const now = Date.now();
  for (const j of await jobStates(db).catch(() => [])) {
    if (j.finished_at) jobLag.set({ job: j.job }, (now - new Date(j.finished_at).getTime()) / 1000);
    jobFailuresAll.set({ job: j.job }, j.failures);
  }
  backupAge.reset();
  if (backupDir) {
    const newest = await newestBackupMs(backupDir);
    if (newest !== undefined) backupAge.set((now - newest) / 1000);
  }
}
