// Shared parts of the benchmark scenarios: a real Lantern server on a loopback port (its own
// embedded database, or a throwaway PostgreSQL database), staff who sign in over HTTP (stepping
// up with an authenticator code where a scenario reads records), percentiles, and the machine's
// description printed beside every figure.
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { loadConfig, type Config } from '../src/config.ts';
import { openDatabase, type Database } from '../src/platform/db/engine.ts';
import { createServices, type Services } from '../src/platform/services.ts';
import { unsafeAsOwner } from '../src/platform/db/tenancy.ts';
import { buildApp } from '../src/http/app.ts';
import type { App } from '../src/core/feature.ts';
import { FEATURES } from '../src/features.ts';
import { createSchool } from '../src/features/administration/create-school.ts';
import { createUser } from '../src/features/administration/create-user.ts';
import type { Role } from '../src/core/access/actor.ts';
import { totpCodeAt } from '../src/features/identity/totp.ts';

export type Engine = 'embedded' | 'postgres';
export const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
export const PASSWORD = 'bench-Passphrase-long-7!';

export function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export type Bench = {
  engine: Engine;
  /** The throwaway PostgreSQL database's name (absent on the embedded engine). */
  database?: string;
  services: Services;
  app: App;
  base: string;
  close(): Promise<void>;
};

export type BenchOptions = {
  /** Wraps the database the server uses (to record statements, say). */
  wrap?: (db: Database) => Database;
  /** Leaves the PostgreSQL database in place, for looking at by hand afterwards. */
  keep?: boolean;
};

/**
 * A server on its own database. PostgreSQL needs `DATABASE_URL` pointing at a server where a
 * throwaway database may be created (it is dropped afterwards unless `keep`).
 */
export async function startBench(engine: Engine, o: BenchOptions = {}): Promise<Bench> {
  const env = loadConfig();
  let db: Database;
  let drop: (() => Promise<void>) | null = null;
  let database: string | undefined;
  if (engine === 'embedded') {
    db = await openDatabase({ engine: 'embedded' });
  } else {
    if (!env.databaseUrl) throw new Error('PostgreSQL scenarios need DATABASE_URL.');
    const name = `lantern_bench_${randomBytes(4).toString('hex')}`;
    database = name;
    const admin = await openDatabase({ engine: 'postgres', url: env.databaseUrl, poolSize: 1 });
    await admin.exec(`CREATE DATABASE ${name}`);
    const url = new URL(env.databaseUrl);
    url.pathname = `/${name}`;
    db = await openDatabase({ engine: 'postgres', url: url.toString(), poolSize: 20 });
    drop = async () => {
      if (o.keep) console.log(`(kept PostgreSQL database ${name}: drop it when done)`);
      else await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    };
  }
  const config: Config = {
    ...loadConfig({ NODE_ENV: 'test', LANTERN_DATA_DIR: tmpdir() }),
    masterKey: randomBytes(32).toString('base64'),
    bodyLimitBytes: 25 * 1024 * 1024,
  };
  const services = await createServices(config, { db: o.wrap ? o.wrap(db) : db, log: quiet });
  const { app } = await buildApp(services, FEATURES);
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    engine,
    ...(database ? { database } : {}),
    services,
    app,
    base,
    close: async () => {
      await app.close();
      await db.close();
      if (drop) await drop();
    },
  };
}

export async function benchSchool(b: Pick<Bench, 'services'>): Promise<string> {
  return createSchool(b.services, { name: `Bench school ${randomUUID().slice(0, 8)}` }, 'bench');
}

export async function benchUser(
  b: Pick<Bench, 'services'>,
  schoolId: string,
  role: Role,
): Promise<BenchUser> {
  const email = `${role}-${randomUUID().slice(0, 8)}@bench.lantern.invalid`;
  const id = await createUser(
    b.services.db,
    { schoolId, email, name: `Bench ${role}`, role, password: PASSWORD },
    'bench',
  );
  return { id, email };
}

/**
 * `count` pupils in one form and the school's first unrestricted category, with no category's
 * default alerts (so only the staff a concern names are alerted): what a concern-logging load needs.
 */
export async function pupilsAndCategory(
  db: Database,
  schoolId: string,
  count: number,
): Promise<{ pupils: string[]; category: string }> {
  return unsafeAsOwner(db, async (q) => {
    const rows = await q.query<{ id: string }>(
      `INSERT INTO pupils (school_id, first_name, last_name, year_group, form)
       SELECT $1, 'Pupil', 'Bench' || g, 'Year 8', '8A' FROM generate_series(1, $2::int) g
       RETURNING id`,
      [schoolId, count],
    );
    const [cat] = await q.query<{ id: string }>(
      `SELECT id FROM categories WHERE school_id = $1 AND NOT restricted AND parent_id IS NULL
       ORDER BY sort_order LIMIT 1`,
      [schoolId],
    );
    await q.query(`UPDATE categories SET alert_groups = '{}' WHERE school_id = $1`, [schoolId]);
    return { pupils: rows.map((r) => r.id), category: cat!.id };
  });
}

export type BenchUser = { id: string; email: string };
export type Client = {
  get(path: string): Promise<Response>;
  post(path: string, body: unknown): Promise<Response>;
  /** The same session against another address (another process of the same Lantern). */
  at(base: string): Client;
};

function cookieOf(res: Response, old?: string): string {
  const c = res.headers.getSetCookie().find((s) => s.startsWith('lantern_session='));
  return c ? c.split(';')[0]! : (old ?? '');
}

/**
 * Signs in over HTTP (each bench user once); with `elevated`, or when the school requires it,
 * enrols an authenticator, which leaves the session stepped up.
 */
export async function signedIn(
  b: Pick<Bench, 'base'>,
  user: BenchUser,
  elevated = false,
): Promise<Client> {
  const res = await fetch(`${b.base}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: user.email, password: PASSWORD }),
  });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const answer = (await res.json()) as {
    csrfToken: string;
    secondFactor?: { enrolmentRequired?: boolean };
  };
  let csrf = answer;
  let cookie = cookieOf(res);
  const clientAt = (base: string): Client => ({
    get: (path) => fetch(`${base}${path}`, { headers: { cookie } }),
    post: (path, body) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': csrf.csrfToken, 'content-type': 'application/json' },
        body: JSON.stringify(body ?? {}),
      }),
    at: clientAt,
  });
  const client = clientAt(b.base);
  // A school asks readers (a class teacher too) to set up a second factor at sign-in.
  if (!elevated && answer.secondFactor?.enrolmentRequired !== true) return client;
  const enrol = await client.post('/api/auth/totp/enrol', {});
  if (!enrol.ok) throw new Error(`enrol failed: ${enrol.status} ${await enrol.text()}`);
  const secret = ((await enrol.json()) as { manualKey: string }).manualKey.replace(/\s/g, '');
  const confirmed = await client.post('/api/auth/totp/confirm', {
    code: totpCodeAt(secret, new Date()),
  });
  if (!confirmed.ok) throw new Error(`confirm failed: ${confirmed.status}`);
  csrf = ((await confirmed.json()) as { session: { csrfToken: string } }).session;
  cookie = cookieOf(confirmed, cookie);
  return client;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const ms = (n: number) => `${n.toFixed(1)} ms`;

/** Runs `total` jobs over `concurrency` workers; returns each job's latency and the wall time. */
export async function load(
  total: number,
  concurrency: number,
  job: (worker: number, i: number) => Promise<void>,
): Promise<{ latencies: number[]; wallMs: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        const t0 = performance.now();
        await job(w, i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies: latencies.sort((a, b) => a - b), wallMs: performance.now() - started };
}

export function summary(latencies: number[], wallMs: number): string {
  const rate = (latencies.length / wallMs) * 1000;
  return `${rate.toFixed(1)}/s  p50 ${ms(percentile(latencies, 50))}  p95 ${ms(percentile(latencies, 95))}  p99 ${ms(percentile(latencies, 99))}`;
}

/**
 * CPU time used so far by this process and by the local PostgreSQL server's backends serving the
 * run's database (read from /proc; absent on the embedded engine, which runs in this process, and
 * when the server is not on this machine). Time per request
 * is steadier than throughput on a shared machine: other work slows a run down, but does not add
 * to the CPU each request costs.
 */
export type CpuMark = { nodeMs: number; pgMs: number | null; database: string | undefined };

const TICK_MS = 10; // USER_HZ is 100 on Linux

function postgresCpuMs(database: string | undefined): number | null {
  if (!database) return null;
  try {
    let ticks = 0;
    let found = false;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue;
      }
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      if (name !== 'postgres') continue;
      // Only the backends serving this run's database (other work on the server is not ours).
      const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!title.includes(` ${database} `)) continue;
      const fields = stat.slice(close + 2).split(' ');
      // utime and stime are fields 14 and 15 of the line (11 and 12 after the name and state).
      ticks += Number(fields[11]) + Number(fields[12]);
      found = true;
    }
    return found ? ticks * TICK_MS : null;
  } catch {
    return null;
  }
}

export function cpuMark(b: Pick<Bench, 'database'>): CpuMark {
  const u = process.cpuUsage();
  return {
    nodeMs: (u.user + u.system) / 1000,
    pgMs: postgresCpuMs(b.database),
    database: b.database,
  };
}

/** CPU per item since `from`: this process (server and load generator) and PostgreSQL. */
export function cpuPer(from: CpuMark, items: number): string {
  const now = cpuMark(from);
  const node = (now.nodeMs - from.nodeMs) / items;
  const pg =
    now.pgMs !== null && from.pgMs !== null
      ? `, PostgreSQL ${((now.pgMs - from.pgMs) / items).toFixed(2)} ms`
      : '';
  return `CPU per item: Node ${node.toFixed(2)} ms${pg}`;
}

/**
 * While bulk records are written, the statistics PostgreSQL plans by are kept current, as a live
 * server's autovacuum (PostgreSQL) or hourly maintenance (the embedded engine, jobs/maintenance.ts)
 * keeps them: every `everyMs`, ANALYZE of the tables the rollup's triggers (migration 0075) read
 * for each record written. Without it a load of 200,000 records is quadratic, not for the
 * triggers' work but for stale statistics: planned for a near-empty table, each record's
 * categories and pupils are looked up by a bitmap AND of the record's key with the whole school's
 * index (every row of the school, per record), and the record locks by a hash of the whole school.
 * The triggers still run for every row; nothing is written round them. Returns the stop.
 */
export function analyzeWhileSeeding(
  b: Pick<Bench, 'services'>,
  everyMs = 5_000,
  tables: readonly string[] = [
    'concerns',
    'concern_pupils',
    'concern_categories',
    'report_records',
  ],
): () => Promise<void> {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = b.services.db
      .exec(`ANALYZE ${tables.join(', ')}`)
      .catch(() => undefined)
      .finally(() => {
        running = null;
      });
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
