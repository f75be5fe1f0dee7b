// The restore drill (issue 16): `node scripts/ops/restore-drill.ts [--pupils N] [--seconds S]
// [--clients C] [--archive-timeout A] [--port P] [--keep]`. Starts a throwaway PostgreSQL cluster
// on a loopback port with WAL archiving into an encrypted pgBackRest repository, runs Lantern on
// it (a real HTTP server), writes concerns continuously over HTTP, takes a full then an
// incremental backup, notes a point in time, keeps writing, destroys the cluster (stop -m
// immediate, data folder deleted), restores to the point into a fresh folder with the same
// functions `lantern ops restore` uses, starts PostgreSQL and Lantern on it, and checks that every
// concern acknowledged (201) before the point is there, none sent after it is, `audit verify`
// passes and the restored concerns still decrypt through the API. It then measures RPO by a
// second restore to the end of the archived WAL: the acknowledged concerns that are missing
// there are what a real failure would have lost. Exits non-zero on any failed check.
// Run as root (clusters are made as the postgres user through runuser) or as postgres.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { loadConfig, type Config } from '../../src/config.ts';
import { openDatabase, type Database } from '../../src/platform/db/engine.ts';
import { unsafeAsOwner } from '../../src/platform/db/tenancy.ts';
import { createServices, type Services } from '../../src/platform/services.ts';
import { verifyAudit } from '../../src/platform/audit/verify.ts';
import { buildApp } from '../../src/http/app.ts';
import type { App } from '../../src/core/feature.ts';
import { FEATURES } from '../../src/features.ts';
import {
  checkEmptyDataDir,
  checkRestoreTarget,
  checkSettings,
  parseInfo,
  PGBACKREST,
  postgresqlConfLines,
  restoreArgs,
  runPgbackrest,
  writeConf,
  type StanzaSettings,
} from '../../src/cli/ops/pgbackrest.ts';
import { benchSchool, benchUser, signedIn, type BenchUser, type Client } from '../../bench/lib.ts';

const PG_BIN = '/usr/lib/postgresql/15/bin';
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

export type DrillOptions = {
  pupils: number;
  /** Seconds of writing in all (before the backups, between them and the point, after it). */
  seconds: number;
  clients: number;
  /** PostgreSQL's archive_timeout in the drill's cluster. */
  archiveTimeout: number;
  port: number;
  keep?: boolean;
  log?: (line: string) => void;
  /** Records written in bulk before the writers start (the backup benchmark's school). */
  seed?: (
    services: Services,
    schoolId: string,
    authorId: string,
    pupilIds: string[],
  ) => Promise<void>;
};

export type DrillCheck = { name: string; ok: boolean; detail: string };
export type DrillResult = {
  checks: DrillCheck[];
  ok: boolean;
  acknowledged: number;
  beforePoint: number;
  afterPoint: number;
  /** Acknowledged concerns missing from a restore to the end of the archive, and their span. */
  rpo: { lost: number; seconds: number; lastArchivedSecondsBeforeFailure: number | null };
  /**
   * From the cluster's destruction to Lantern answering /healthz on the restored one, less the
   * drill's winding down of its own writers and old server.
   */
  rto: { seconds: number; restoreSeconds: number; recoverySeconds: number; lanternSeconds: number };
  backups: { type: string; seconds: number; repoBytes: number }[];
};

type Ack = { id: string; body: string; sentAt: number; ackAt: number; by: number };

/** Who runs PostgreSQL and pgBackRest: postgres through runuser when we are root. */
const runAs = process.getuid?.() === 0 ? 'postgres' : undefined;

async function asPostgres(cmd: string, args: string[]): Promise<string> {
  const [bin, ...rest] = runAs
    ? ['/usr/sbin/runuser', '-u', runAs, '--', cmd, ...args]
    : [cmd, ...args];
  try {
    const { stdout } = await promisify(execFile)(bin, rest, {
      env: { PATH: '/usr/bin:/bin' },
      cwd: '/tmp',
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(
      `${path.basename(cmd)} ${args.join(' ')} failed: ${(e.stderr || e.message).trim()}`,
      { cause: err },
    );
  }
}

/** The postgres user's uid and gid (when we are root). */
let pgOwner: { uid: number; gid: number } | null = null;

function ownedByPostgres(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (pgOwner) chownSync(dir, pgOwner.uid, pgOwner.gid);
  return dir;
}

/** A connection to a restored cluster once it has replayed its WAL and promoted itself. */
async function promoted(url: string, what: string): Promise<Database> {
  const db = await openDatabase({ engine: 'postgres', url, poolSize: 1 });
  for (let i = 0; ; i++) {
    const [r] = await db.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
    if (r && !r.r) return db;
    if (i > 600) {
      await db.close();
      throw new Error(`${what} did not finish recovery within 60 s`);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

export async function runDrill(o: DrillOptions): Promise<DrillResult> {
  const log = o.log ?? ((l: string) => console.log(l));
  if (!existsSync(PGBACKREST)) throw new Error(`pgBackRest is not installed (${PGBACKREST}).`);
  const base = mkdtempSync('/tmp/lantern-drill-');
  chmodSync(base, 0o755);
  if (runAs) {
    const id = async (flag: string) =>
      Number((await promisify(execFile)('id', [flag, runAs])).stdout);
    pgOwner = { uid: await id('-u'), gid: await id('-g') };
    chownSync(base, pgOwner.uid, pgOwner.gid);
  }
  const passphrase = randomBytes(24).toString('base64url');
  const secretDir = ownedByPostgres(path.join(base, 'secret'));
  const passphraseFile = path.join(secretDir, 'backup.passphrase');
  writeFileSync(passphraseFile, passphrase, { mode: 0o600 });
  if (pgOwner) chownSync(passphraseFile, pgOwner.uid, pgOwner.gid);
  const settings = (pgData: string): StanzaSettings =>
    checkSettings({
      stanza: 'drill',
      configPath: path.join(base, 'pgbackrest.conf'),
      repoPath: ownedByPostgres(path.join(base, 'repo')),
      pgData,
      pgPort: o.port,
      pgSocketDir: ownedByPostgres(path.join(base, 'sock')),
      retentionFull: 2,
      passphraseFile,
      logPath: ownedByPostgres(path.join(base, 'log')),
      lockPath: ownedByPostgres(path.join(base, 'lock')),
    });
  const run = { passphrase, ...(runAs ? { runAs } : {}) };
  const started: string[] = [];
  const pgStart = async (dir: string) => {
    await asPostgres(`${PG_BIN}/pg_ctl`, [
      '-D',
      dir,
      '-l',
      path.join(base, 'log', `${path.basename(dir)}.log`),
      '-w',
      'start',
    ]);
    started.push(dir);
  };
  const pgStop = async (dir: string, mode: 'fast' | 'immediate') => {
    await asPostgres(`${PG_BIN}/pg_ctl`, ['-D', dir, '-m', mode, '-w', 'stop']);
    started.splice(started.indexOf(dir), 1);
  };
  const ownerUrl = `postgres://postgres@127.0.0.1:${o.port}/lantern`;
  const config: Config = {
    ...loadConfig({
      NODE_ENV: 'test',
      LANTERN_DATA_DIR: path.join(base, 'lantern'),
      DATABASE_URL: ownerUrl,
    }),
    masterKey: randomBytes(32).toString('base64'),
  };
  let lantern: { services: Services; app: App; base: string } | null = null;
  const startLantern = async () => {
    const services = await createServices(config, { log: quiet });
    const { app } = await buildApp(services, FEATURES);
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    lantern = { services, app, base: url };
    return lantern;
  };
  const stopLantern = async () => {
    if (!lantern) return;
    const l = lantern;
    lantern = null;
    await l.app.close();
    await Promise.race([l.services.db.close(), new Promise((r) => setTimeout(r, 3000))]);
  };

  try {
    // 1. A throwaway cluster archiving into the encrypted repository.
    const live = path.join(base, 'live');
    await asPostgres(`${PG_BIN}/initdb`, [
      '-D',
      live,
      '-A',
      'trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
      '--no-sync',
    ]);
    const s = settings(live);
    writeConf(s);
    await appendFile(
      path.join(live, 'postgresql.conf'),
      `\nlisten_addresses = '127.0.0.1'\nport = ${o.port}\nunix_socket_directories = '${s.pgSocketDir}'\n` +
        postgresqlConfLines(s, o.archiveTimeout),
    );
    await pgStart(live);
    await runPgbackrest([`--config=${s.configPath}`, '--stanza=drill', 'stanza-create'], run);
    const admin = await openDatabase({
      engine: 'postgres',
      url: ownerUrl.replace(/lantern$/, 'postgres'),
      poolSize: 1,
    });
    await admin.exec('CREATE DATABASE lantern');
    await admin.close();

    // 2. Lantern on it, a school, teachers signed in over HTTP.
    let l = await startLantern();
    const schoolId = await benchSchool(l);
    const teachers: BenchUser[] = [];
    for (let i = 0; i < o.clients; i++) teachers.push(await benchUser(l, schoolId, 'teacher'));
    const clients: Client[] = [];
    // Signed in at this Lantern; after the restore the first is pointed at the new one (.at).
    for (const t of teachers) clients.push(await signedIn(l, t));
    const { pupils, category } = await unsafeAsOwner(l.services.db, async (q) => {
      const rows = await q.query<{ id: string }>(
        `INSERT INTO pupils (school_id, first_name, last_name, year_group, form)
         SELECT $1, 'Pupil', 'Drill ' || g, 'Year 8', '8A' FROM generate_series(1, $2::int) g RETURNING id`,
        [schoolId, o.pupils],
      );
      const [cat] = await q.query<{ id: string }>(
        `SELECT id FROM categories WHERE school_id = $1 AND NOT restricted AND parent_id IS NULL ORDER BY sort_order LIMIT 1`,
        [schoolId],
      );
      return { pupils: rows.map((r) => r.id), category: cat!.id };
    });
    if (o.seed) {
      const t = Date.now();
      await o.seed(l.services, schoolId, teachers[0]!.id, pupils);
      log(`seeded the school in ${seconds(Date.now() - t)} s`);
    }
    log(
      `cluster on 127.0.0.1:${o.port}, Lantern at ${l.base}, ${o.pupils} pupils, ${o.clients} writers`,
    );

    // 3. Writers: every 201 is kept with when it was sent and when it was answered.
    const acks: Ack[] = [];
    let refused = 0;
    let writing = true;
    let n = 0;
    const writers = clients.map(async (c, by) => {
      while (writing) {
        const i = n++;
        const body = `Drill concern ${i}: said she did not want to go home; arrived without breakfast.`;
        const sentAt = Date.now();
        try {
          const res = await c.post('/api/concerns', {
            pupils: [{ pupilId: pupils[i % pupils.length], role: 'subject' }],
            categoryIds: [category],
            happenedAt: new Date(sentAt - 3_600_000).toISOString(),
            location: 'Playground',
            body,
          });
          const answer = (await res.json()) as { id?: string };
          if (res.status === 201 && answer.id)
            acks.push({ id: answer.id, body, sentAt, ackAt: Date.now(), by });
          else refused++;
        } catch {
          refused++;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    });
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const phase = (o.seconds * 1000) / 4;
    await sleep(phase);

    // 4. A full backup, then an incremental, while the writers carry on.
    const backups: DrillResult['backups'] = [];
    for (const type of ['full', 'incr'] as const) {
      const t0 = Date.now();
      await runPgbackrest(
        [`--config=${s.configPath}`, '--stanza=drill', `--type=${type}`, 'backup'],
        run,
      );
      backups.push({ type, seconds: seconds(Date.now() - t0), repoBytes: 0 });
    }
    const info = parseInfo(
      (
        await runPgbackrest(
          [`--config=${s.configPath}`, '--stanza=drill', '--output=json', 'info'],
          run,
        )
      ).stdout,
      'drill',
    );
    info.slice(-2).forEach((b, i) => (backups[i]!.repoBytes = b.repoBytes));
    log(
      `backups: ${backups.map((b) => `${b.type} ${b.seconds} s, ${(b.repoBytes / 1_048_576).toFixed(1)} MB`).join('; ')}`,
    );
    // The earliest restore point is the second after the first backup finished.
    await sleep(Math.max(phase, 1100));

    // 5. The point. Commits acknowledged before it must come back; those sent after must not.
    const point = new Date();
    log(`point in time: ${point.toISOString()} (${acks.length} concerns acknowledged so far)`);
    await sleep(Math.max(phase / 2, 500));
    // Recovery must find WAL past the point to stop at it: switch segments and wait for the
    // archive (what archive_timeout does on its own within archive_timeout seconds).
    const owner = await openDatabase({ engine: 'postgres', url: ownerUrl, poolSize: 1 });
    const [sw] = await owner.query<{ f: string }>('SELECT pg_walfile_name(pg_switch_wal()) AS f');
    for (let i = 0; ; i++) {
      const [a] = await owner.query<{ w: string | null }>(
        'SELECT last_archived_wal AS w FROM pg_stat_archiver',
      );
      if (a?.w && a.w >= sw!.f) break;
      if (i > 300) throw new Error('WAL was not archived within 30 s');
      await sleep(100);
    }
    await sleep(Math.max(phase * 1.5, 1000));

    // 6. The failure: the cluster stopped without a checkpoint and its folder deleted.
    const [archived] = await owner.query<{ t: Date | null }>(
      'SELECT last_archived_time AS t FROM pg_stat_archiver',
    );
    await owner.close();
    const failAt = Date.now();
    await pgStop(live, 'immediate');
    rmSync(live, { recursive: true, force: true });
    writing = false;
    await Promise.all(writers);
    await stopLantern();
    const lastArchivedSecondsBeforeFailure = archived?.t
      ? seconds(failAt - archived.t.getTime())
      : null;
    log(
      `destroyed the cluster after ${acks.length} acknowledged concerns (${refused} refused or cut off)`,
    );

    // 7. Restore to the point into a fresh folder, as `lantern ops restore` does.
    const restored = path.join(base, 'restored');
    checkEmptyDataDir(restored);
    const t0 = Date.now();
    const backupsNow = parseInfo(
      (
        await runPgbackrest(
          [`--config=${s.configPath}`, '--stanza=drill', '--output=json', 'info'],
          run,
        )
      ).stdout,
      'drill',
    );
    checkRestoreTarget(point, backupsNow, new Date());
    // A target before the first backup finished is refused before pgBackRest is called.
    let earlyRefusal = '';
    try {
      checkRestoreTarget(
        new Date(backupsNow[0]!.startedAt.getTime() - 1000),
        backupsNow,
        new Date(),
      );
    } catch (err) {
      earlyRefusal = (err as Error).message;
    }
    await runPgbackrest(restoreArgs(s, point, restored), run);
    const restoredAt = Date.now();
    writeConf(settings(restored));
    await pgStart(restored);
    await (await promoted(ownerUrl, 'the restored cluster')).close();
    const recoveredAt = Date.now();
    l = await startLantern();
    for (let i = 0; ; i++) {
      const res = await fetch(`${l.base}/healthz`).catch(() => null);
      if (res?.ok) break;
      if (i > 600) throw new Error('Lantern did not answer /healthz within 60 s');
      await sleep(100);
    }
    const servingAt = Date.now();
    // RTO runs from the moment the restore starts (the cluster is gone; the drill's own writers
    // and its old Lantern have been wound down, which an operator would not wait for).
    const rto = {
      seconds: seconds(servingAt - t0),
      restoreSeconds: seconds(restoredAt - t0),
      recoverySeconds: seconds(recoveredAt - restoredAt),
      lanternSeconds: seconds(servingAt - recoveredAt),
    };

    // 8. The checks.
    const present = new Set(
      (
        await unsafeAsOwner(l.services.db, (q) =>
          q.query<{ id: string }>('SELECT id FROM concerns WHERE school_id = $1', [schoolId]),
        )
      ).map((r) => r.id),
    );
    const t = point.getTime();
    const before = acks.filter((a) => a.ackAt < t);
    const after = acks.filter((a) => a.sentAt > t);
    const missing = before.filter((a) => !present.has(a.id));
    const leaked = after.filter((a) => present.has(a.id));
    const audit = await verifyAudit(l.services.db);
    // The first teacher, still signed in: their session was made before the point, so it was
    // restored with everything else.
    const reader = clients[0]!.at(l.base);
    // The author reads their own concerns back (sealed text opened with the school's key, itself
    // unwrapped with the master key this process holds: neither was in the backup's hands alone).
    const mine = before.filter((a) => a.by === 0);
    const sample = mine.filter((_, i) => i % Math.max(1, Math.floor(mine.length / 20)) === 0);
    let unreadable = 0;
    let readable = 0;
    const answers: string[] = [];
    for (const a of sample) {
      const res = await reader.get(`/api/concerns/${a.id}`);
      const view = (await res.json()) as { body?: string };
      if (res.ok && view.body === a.body) readable++;
      else {
        unreadable++;
        answers.push(String(res.status));
      }
    }
    const checks: DrillCheck[] = [
      {
        name: 'every concern acknowledged before the point is restored',
        ok: before.length > 0 && missing.length === 0,
        detail: `${before.length - missing.length} of ${before.length}`,
      },
      {
        name: 'no concern sent after the point is restored',
        ok: after.length > 0 && leaked.length === 0,
        detail: `${leaked.length} of ${after.length} present`,
      },
      {
        name: 'a target before the first backup is refused',
        ok: /before the first backup finished/.test(earlyRefusal),
        detail: earlyRefusal || 'accepted',
      },
      {
        name: 'audit verify passes',
        ok: audit.breaks.length === 0 && audit.entries > 0,
        detail: `${audit.entries} entries in ${audit.chains} chains, ${audit.breaks.length} broken`,
      },
      {
        name: 'restored concerns decrypt through the API',
        ok: readable > 0 && unreadable === 0,
        detail: `${readable} read back word for word, ${unreadable} not${answers.length ? ` (HTTP ${[...new Set(answers)].join(', ')})` : ''}`,
      },
    ];
    await stopLantern();
    await pgStop(restored, 'fast');

    // 9. RPO: restore to the end of the archived WAL (timeline 1, the one that failed) and count
    // the acknowledged concerns it lacks: what a failure with no point chosen would have lost.
    const latest = path.join(base, 'latest');
    await runPgbackrest(restoreArgs(s, 'end-of-archive', latest), run);
    writeConf(settings(latest));
    await pgStart(latest);
    const check = await promoted(ownerUrl, 'the second restore');
    const atEnd = new Set(
      (
        await check.query<{ id: string }>('SELECT id FROM concerns WHERE school_id = $1', [
          schoolId,
        ])
      ).map((r) => r.id),
    );
    await check.close();
    await pgStop(latest, 'fast');
    const lost = acks.filter((a) => !atEnd.has(a.id));
    const firstLost = Math.min(...lost.map((a) => a.ackAt));
    const rpo = {
      lost: lost.length,
      seconds: lost.length ? seconds(failAt - firstLost) : 0,
      lastArchivedSecondsBeforeFailure,
    };
    checks.push({
      name: 'a restore to the end of the archive keeps every concern acknowledged before the point',
      ok: before.every((a) => atEnd.has(a.id)),
      detail: `${acks.length - lost.length} of ${acks.length} acknowledged concerns present`,
    });
    for (const c of checks) log(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
    log(
      `RPO: ${rpo.lost} acknowledged concerns lost, the first acknowledged ${rpo.seconds} s before the failure ` +
        `(archive_timeout ${o.archiveTimeout} s; last WAL segment archived ${lastArchivedSecondsBeforeFailure ?? '?'} s before it)`,
    );
    log(
      `RTO: ${rto.seconds} s from destroyed to serving (pgBackRest restore ${rto.restoreSeconds} s, ` +
        `WAL replay and promotion ${rto.recoverySeconds} s, Lantern start ${rto.lanternSeconds} s)`,
    );
    return {
      checks,
      ok: checks.every((c) => c.ok),
      acknowledged: acks.length,
      beforePoint: before.length,
      afterPoint: after.length,
      rpo,
      rto,
      backups,
    };
  } finally {
    await stopLantern().catch(() => undefined);
    for (const dir of [...started]) await pgStop(dir, 'immediate').catch(() => undefined);
    if (o.keep) log(`kept ${base}`);
    else rmSync(base, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      pupils: { type: 'string', default: '2000' },
      seconds: { type: 'string', default: '40' },
      clients: { type: 'string', default: '8' },
      'archive-timeout': { type: 'string', default: '30' },
      port: { type: 'string', default: '54330' },
      keep: { type: 'boolean', default: false },
    },
  });
  const result = await runDrill({
    pupils: Number(values.pupils),
    seconds: Number(values.seconds),
    clients: Number(values.clients),
    archiveTimeout: Number(values['archive-timeout']),
    port: Number(values.port),
    keep: values.keep,
  });
  process.exitCode = result.ok ? 0 : 1;
}
