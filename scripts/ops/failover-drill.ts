// The failover drill (issue 16, a standby that takes over): `node scripts/ops/failover-drill.ts
// [--clients C] [--before S] [--default-timeouts]`. A pg_auto_failover monitor and two PostgreSQL
// nodes on loopback ports with synchronous replication (auto-failover.ts), Lantern as a real
// process connected with the multi-host address, C clients logging concerns over HTTP; then the
// primary's machine dies (SIGKILL to its postmaster and its keeper together), the monitor promotes
// the standby, and Lantern, finding its connections gone, resolves the address again and carries
// on. Checks: every concern acknowledged (HTTP 201) is on the new primary, the audit chains
// verify, the concerns still decrypt. Prints the outage: from the last 201 before the kill to the
// first 201 of a request sent after it. Run as root (clusters made as postgres) or as postgres.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../../src/config.ts';
import { openDatabase } from '../../src/platform/db/engine.ts';
import { PLATFORM_SCHOOL_ID, unsafeAsOwner } from '../../src/platform/db/tenancy.ts';
import { createServices } from '../../src/platform/services.ts';
import { verifyAudit } from '../../src/platform/audit/verify.ts';
import { createSchool } from '../../src/features/administration/create-school.ts';
import { createUser } from '../../src/features/administration/create-user.ts';
import {
  freePort,
  startLanternProcess,
  type LanternProcess,
} from '../../src/test/lantern-process.ts';
import { PASSWORD, pupilsAndCategory, quiet, signedIn, type Client } from '../../bench/lib.ts';
import {
  DEFAULT_TIMEOUTS,
  FAST_TIMEOUTS,
  startFormation,
  type Formation,
} from './auto-failover.ts';

export type FailoverOptions = {
  clients: number;
  /** Seconds of writing before the kill. */
  beforeSeconds: number;
  /** Acknowledgements wanted after the kill before the writers stop. */
  afterAcks: number;
  /** Give up waiting for Lantern to be back after this long. */
  withinSeconds: number;
  /** The formation's set-up (and Lantern's start) gives up after this long; default 150. */
  setUpSeconds?: number;
  timeouts?: typeof FAST_TIMEOUTS;
  log?: (line: string) => void;
};

export type FailoverResult = {
  synchronous: { standbyNames: string; commit: string; numberSyncStandbys: number };
  /** What starting Lantern on the standby's address alone answered. */
  standbyRefusal: string;
  /** With the standby listed first, the port of the host Lantern chose. */
  chosenWithStandbyFirst: number;
  primaryPort: number;
  acknowledged: number;
  acknowledgedBeforeKill: number;
  missing: string[];
  errorsDuringOutage: Record<string, number>;
  auditBreaks: number;
  auditEntries: number;
  readBack: { ok: number; of: number };
  servedBy: number;
  standbyPort: number;
  /** Last 201 before the kill → first 201 of a request sent after it. */
  outageSeconds: number;
  /** The kill → the monitor reporting the standby promoted (wait_primary). */
  promotedSeconds: number | null;
};

const secs = (ms: number) => Math.round(ms / 100) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Ack = { id: string; body: string; by: number; sentAt: number; ackAt: number };

export async function runFailover(o: FailoverOptions): Promise<FailoverResult> {
  const log = o.log ?? ((l: string) => console.log(l));
  const dataDir = mkdtempSync('/tmp/lantern-failover-data-');
  const masterKey = randomBytes(32).toString('base64');
  const made: {
    schoolId: string;
    teachers: { id: string; email: string }[];
    pupils: string[];
    category: string;
  } = {
    schoolId: '',
    teachers: [],
    pupils: [],
    category: '',
  };
  let formation: Formation | null = null;
  // Lantern starts and its staff sign in while the standby is being made (it takes a while).
  const lanternStart: { p: Promise<{ server: LanternProcess; clients: Client[] }> | null } = {
    p: null,
  };
  try {
    const t0 = Date.now();
    const setUpBy = t0 + (o.setUpSeconds ?? 150) * 1000;
    formation = await startFormation({
      ports: { monitor: await freePort(), nodes: [await freePort(), await freePort()] },
      timeouts: o.timeouts ?? FAST_TIMEOUTS,
      withinMs: (o.setUpSeconds ?? 150) * 1000,
      log,
      // Lantern's database, school and staff, made through the multi-host address while the
      // first node is alone.
      whileSingle: async (f) => {
        const config: Config = {
          ...loadConfig({ NODE_ENV: 'test', LANTERN_DATA_DIR: dataDir, DATABASE_URL: f.url }),
          masterKey,
        };
        const services = await createServices(config, { log: quiet });
        made.schoolId = await createSchool(
          services,
          { name: `Failover ${randomUUID().slice(0, 8)}` },
          'drill',
        );
        for (let i = 0; i < o.clients; i++) {
          const email = `failover-${randomUUID().slice(0, 8)}@drill.lantern.invalid`;
          const id = await createUser(
            services.db,
            {
              schoolId: made.schoolId,
              email,
              name: 'Drill teacher',
              role: 'teacher',
              password: PASSWORD,
            },
            'drill',
          );
          made.teachers.push({ id, email });
        }
        Object.assign(made, await pupilsAndCategory(services.db, made.schoolId, 30));
        // pg_basebackup waits for a spread checkpoint: with this done now, it has nothing to wait for.
        await services.db.exec('CHECKPOINT');
        await services.db.close();
        log(`Lantern's database made at ${secs(Date.now() - t0)} s`);
        const starting = (async () => {
          // Only this environment (startLanternProcess passes none of the caller's, so no PG*).
          const server = await startLanternProcess(
            { DATABASE_URL: f.url, LANTERN_DATA_DIR: dataDir, LANTERN_MASTER_KEY: masterKey },
            // Ready by the end of the set-up's time (the formation's own deadline).
            { readyWithinMs: Math.max(5_000, setUpBy - Date.now()) },
          );
          const clients: Client[] = [];
          try {
            for (const t of made.teachers) clients.push(await signedIn(server, t));
          } catch (err) {
            await server.stop('SIGKILL');
            throw err;
          }
          return { server, clients };
        })();
        // Handled where it is awaited (or in the clean-up).
        starting.catch(() => undefined);
        lanternStart.p = starting;
      },
    });
    const { schoolId, pupils, category } = made;
    const [primary, standby] = formation.nodes as [Formation['nodes'][0], Formation['nodes'][0]];
    // Synchronous replication, as pg_auto_failover sets it with one standby.
    const check = await openDatabase({ engine: 'postgres', url: formation.url, poolSize: 1 });
    const [sync] = await check.query<{ names: string; commit: string }>(
      "SELECT current_setting('synchronous_standby_names') AS names, current_setting('synchronous_commit') AS commit",
    );
    await check.close();
    const monitorUrl = formation.url.replace(
      /@.*$/,
      `@127.0.0.1:${formation.monitorPort}/pg_auto_failover`,
    );
    const [formationRow] = await (async () => {
      const m = await openDatabase({ engine: 'postgres', url: monitorUrl, poolSize: 1 });
      try {
        return await m.query<{ n: number }>(
          "SELECT number_sync_standbys AS n FROM pgautofailover.formation WHERE formationid = 'default'",
        );
      } finally {
        await m.close();
      }
    })();
    const synchronous = {
      standbyNames: sync?.names ?? '',
      commit: sync?.commit ?? '',
      numberSyncStandbys: formationRow?.n ?? -1,
    };
    log(
      `synchronous_standby_names = '${synchronous.standbyNames}', synchronous_commit = ${synchronous.commit}, number_sync_standbys = ${synchronous.numberSyncStandbys}`,
    );

    // Bad input: the standby's own address is refused at start; listed first, it is passed over.
    const standbyOnly = formation.url
      .replace(/@[^/]*\//, `@127.0.0.1:${standby.port}/`)
      .split('?')[0]!;
    const standbyRefusal = await createServices(
      {
        ...loadConfig({ NODE_ENV: 'test', LANTERN_DATA_DIR: dataDir, DATABASE_URL: standbyOnly }),
        masterKey,
      },
      { log: quiet },
    ).then(
      async (s) => {
        await s.db.close();
        return 'accepted';
      },
      (err: unknown) => String(err),
    );
    const reversed = await openDatabase({
      engine: 'postgres',
      url: formation.url.replace(
        /@[^/]*\//,
        `@127.0.0.1:${standby.port},127.0.0.1:${primary.port}/`,
      ),
      poolSize: 1,
    });
    const [chosen] = await reversed.query<{ port: string }>(
      "SELECT current_setting('port') AS port",
    );
    await reversed.close();
    log(
      `the standby's address alone: ${standbyRefusal}; listed first: passed over for :${chosen?.port}`,
    );

    if (!lanternStart.p) throw new Error('Lantern was not started');
    const { clients } = await lanternStart.p;
    log(`Lantern serving with ${clients.length} signed-in clients at ${secs(Date.now() - t0)} s`);
    const f = formation;

    // The writers: every 201 kept with when it was sent and answered; every other answer counted.
    const acks: Ack[] = [];
    const errors: Record<string, number> = {};
    const kill: { at: number | null } = { at: null };
    let writing = true;
    let n = 0;
    const writers = clients.map(async (c, by) => {
      while (writing) {
        const i = n++;
        const body = `Failover concern ${i}: came in upset, said nobody was home last night.`;
        const sentAt = Date.now();
        try {
          const res = await c.post('/api/concerns', {
            pupils: [{ pupilId: pupils[i % pupils.length], role: 'subject' }],
            categoryIds: [category],
            happenedAt: new Date(sentAt - 3_600_000).toISOString(),
            body,
          });
          const answer = (await res.json()) as { id?: string };
          if (res.status === 201 && answer.id)
            acks.push({ id: answer.id, body, by, sentAt, ackAt: Date.now() });
          else {
            errors[String(res.status)] = (errors[String(res.status)] ?? 0) + 1;
            await sleep(100);
          }
        } catch {
          errors.network = (errors.network ?? 0) + 1;
          await sleep(100);
        }
      }
    });

    await sleep(o.beforeSeconds * 1000);
    const before = acks.length;
    kill.at = Date.now();
    const { postmasterPid } = f.kill(primary.name);
    log(
      `killed the primary's postmaster (pid ${postmasterPid}) and keeper after ${before} acknowledged concerns`,
    );
    let promotedAt: number | null = null;
    const deadline = kill.at + o.withinSeconds * 1000;
    for (;;) {
      if (promotedAt === null) {
        const states = await f.states().catch(() => []);
        if (
          states.some(
            (s) => s.name === standby.name && ['wait_primary', 'primary'].includes(s.reported),
          )
        ) {
          promotedAt = Date.now();
        }
      }
      const after = acks.filter((a) => a.sentAt > kill.at!).length;
      if (after >= o.afterAcks || Date.now() > deadline) break;
      await sleep(100);
    }
    writing = false;
    await Promise.all(writers);

    // The checks, on whichever host is now writable.
    const db = await openDatabase({ engine: 'postgres', url: f.url, poolSize: 2 });
    let present: Set<string>;
    let audit: Awaited<ReturnType<typeof verifyAudit>>[];
    let servedBy = 0;
    try {
      present = new Set(
        (
          await unsafeAsOwner(db, (q) =>
            q.query<{ id: string }>('SELECT id FROM concerns WHERE school_id = $1', [schoolId]),
          )
        ).map((r) => r.id),
      );
      audit = [await verifyAudit(db, schoolId), await verifyAudit(db, PLATFORM_SCHOOL_ID)];
      const [p] = await db.query<{ port: string }>("SELECT current_setting('port') AS port");
      servedBy = Number(p?.port);
    } finally {
      await db.close();
    }
    // The first teacher reads some of their concerns back through Lantern: sealed text decrypts.
    const mine = acks.filter((a) => a.by === 0).slice(-10);
    let readOk = 0;
    for (const a of mine) {
      const res = await clients[0]!.get(`/api/concerns/${a.id}`);
      if (res.ok && ((await res.json()) as { body?: string }).body === a.body) readOk++;
    }
    const lastBefore = Math.max(...acks.filter((a) => a.ackAt <= kill.at!).map((a) => a.ackAt));
    const firstAfter = Math.min(...acks.filter((a) => a.sentAt > kill.at!).map((a) => a.ackAt));
    const result: FailoverResult = {
      synchronous,
      standbyRefusal,
      chosenWithStandbyFirst: Number(chosen?.port),
      primaryPort: primary.port,
      acknowledged: acks.length,
      acknowledgedBeforeKill: before,
      missing: acks.filter((a) => !present.has(a.id)).map((a) => a.id),
      errorsDuringOutage: errors,
      auditBreaks: audit.reduce((s, r) => s + r.breaks.length, 0),
      auditEntries: audit.reduce((s, r) => s + r.entries, 0),
      readBack: { ok: readOk, of: mine.length },
      servedBy,
      standbyPort: standby.port,
      outageSeconds: Number.isFinite(firstAfter) ? secs(firstAfter - lastBefore) : Infinity,
      promotedSeconds: promotedAt === null ? null : secs(promotedAt - kill.at),
    };
    log(
      `${result.acknowledged} acknowledged (${before} before the kill), ${result.missing.length} missing; ` +
        `answers other than 201: ${JSON.stringify(errors)}; audit: ${result.auditEntries} entries, ${result.auditBreaks} broken; ` +
        `read back ${readOk} of ${mine.length}`,
    );
    log(
      `outage: ${result.outageSeconds} s from the last 201 before the kill to the first 201 after it ` +
        `(standby promoted ${result.promotedSeconds ?? '?'} s after the kill; now serving :${servedBy})`,
    );
    return result;
  } finally {
    const started = await lanternStart.p?.catch(() => null);
    if (started) await started.server.stop('SIGKILL').catch(() => undefined);
    if (formation) await formation.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(`${dataDir}-keys`, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string', default: '20' },
      before: { type: 'string', default: '5' },
      'default-timeouts': { type: 'boolean', default: false },
    },
  });
  const r = await runFailover({
    clients: Number(values.clients),
    beforeSeconds: Number(values.before),
    afterAcks: 100,
    withinSeconds: values['default-timeouts'] ? 150 : 60,
    timeouts: values['default-timeouts'] ? DEFAULT_TIMEOUTS : FAST_TIMEOUTS,
  });
  process.exitCode =
    r.missing.length === 0 && r.auditBreaks === 0 && Number.isFinite(r.outageSeconds) ? 0 : 1;
}
