// A throwaway pg_auto_failover formation on loopback ports (issue 16, a standby that takes over):
// a monitor and two PostgreSQL nodes made by Debian's `pg_autoctl`, as the postgres user (through
// runuser when we are root, like the restore drill), in a temporary folder with its own HOME and
// XDG folders so nothing of the machine's own is read or written. Each node's keeper runs in a
// process group of its own, so the failover drill can kill a whole "machine" (keeper and
// postmaster) at once, and the teardown can leave nothing behind.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

export const PG_AUTOCTL = '/usr/bin/pg_autoctl';
const PG_BIN = '/usr/lib/postgresql/15/bin';

/**
 * The failover's timing. The monitor's are PostgreSQL settings of the monitor
 * (pgautofailover.*, milliseconds); the keepers' are `pg_autoctl config set` (seconds). A primary
 * cut off from the monitor and its standby demotes itself after networkPartitionTimeout, so the
 * monitor must wait longer than that (primaryDemoteTimeout) before promoting the standby.
 */
export type FailoverTimeouts = {
  healthCheckPeriodMs: number;
  healthCheckTimeoutMs: number;
  healthCheckMaxRetries: number;
  healthCheckRetryDelayMs: number;
  nodeConsideredUnhealthyTimeoutMs: number;
  primaryDemoteTimeoutMs: number;
  networkPartitionTimeoutS: number;
};

/** pg_auto_failover's defaults: a failover takes about a minute with them. */
export const DEFAULT_TIMEOUTS: FailoverTimeouts = {
  healthCheckPeriodMs: 5_000,
  healthCheckTimeoutMs: 5_000,
  healthCheckMaxRetries: 2,
  healthCheckRetryDelayMs: 2_000,
  nodeConsideredUnhealthyTimeoutMs: 20_000,
  primaryDemoteTimeoutMs: 30_000,
  networkPartitionTimeoutS: 20,
};

/** Tuned for the drill (and documented in docs/OPERATIONS.md): detection in ~3 s. */
export const FAST_TIMEOUTS: FailoverTimeouts = {
  healthCheckPeriodMs: 1_000,
  healthCheckTimeoutMs: 1_000,
  healthCheckMaxRetries: 1,
  healthCheckRetryDelayMs: 500,
  nodeConsideredUnhealthyTimeoutMs: 3_000,
  primaryDemoteTimeoutMs: 5_000,
  networkPartitionTimeoutS: 3,
};

export type NodeState = { name: string; port: number; reported: string; goal: string };

export type Formation = {
  /** `postgres://postgres@127.0.0.1:A,127.0.0.1:B/lantern?target_session_attrs=read-write` */
  url: string;
  nodes: { name: string; port: number }[];
  monitorPort: number;
  states(): Promise<NodeState[]>;
  /** Waits until every node's reported state is the one wanted (by name). */
  waitFor(want: Record<string, string>, withinMs: number): Promise<void>;
  /** SIGKILL to the node's keeper and its postmaster together: the machine is gone. */
  kill(name: string): { postmasterPid: number };
  stop(): Promise<void>;
};

const runAs = process.getuid?.() === 0 ? 'postgres' : undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startFormation(o: {
  ports: { monitor: number; nodes: [number, number] };
  timeouts: FailoverTimeouts;
  /**
   * Every wait of the set-up (each pg_autoctl command, each state awaited) ends by then, so a
   * caller's own time limit can be kept (a test's timeout would otherwise leave the clusters).
   */
  withinMs?: number;
  log?: (line: string) => void;
  /** Run once the first node is up, before the standby is made (a drill's set-up). */
  whileSingle?: (f: Formation) => Promise<void>;
}): Promise<Formation> {
  const log = o.log ?? (() => undefined);
  const setUpBy = Date.now() + (o.withinMs ?? 150_000);
  const left = (ms: number) => Math.max(1, Math.min(ms, setUpBy - Date.now()));
  const base = mkdtempSync('/tmp/lantern-failover-');
  chmodSync(base, 0o755);
  let owner: { uid: number; gid: number } | null = null;
  if (runAs) {
    const id = async (flag: string) =>
      Number((await promisify(execFile)('id', [flag, runAs], { timeout: 5_000 })).stdout);
    owner = { uid: await id('-u'), gid: await id('-g') };
  }
  const own = (p: string) => {
    if (owner) chownSync(p, owner.uid, owner.gid);
    return p;
  };
  own(base);
  for (const d of ['home', 'config', 'data', 'run', 'log']) {
    mkdirSync(path.join(base, d), { recursive: true, mode: 0o700 });
    own(path.join(base, d));
  }
  // Its own HOME and XDG folders: pg_autoctl keeps its configuration and state there. Started
  // with `env -i` and only these: pg_autoctl (and the PostgreSQL it runs) reads PGUSER, PGHOST,
  // PGPORT, PGDATABASE, PGPASSWORD… from the environment, and a CI's own (PGUSER=root) would make
  // it connect as a role the new clusters do not have. runuser keeps the environment too.
  const env = [
    `HOME=${base}/home`,
    `XDG_CONFIG_HOME=${base}/config`,
    `XDG_DATA_HOME=${base}/data`,
    `XDG_RUNTIME_DIR=${base}/run`,
    `PATH=${PG_BIN}:/usr/bin:/bin`,
  ];
  const command = (args: string[]) => {
    const inner = ['/usr/bin/env', '-i', ...env, PG_AUTOCTL, ...args];
    return runAs ? ['/usr/sbin/runuser', '-u', runAs, '--', ...inner] : inner;
  };
  // Commands still running (a `create` cut short by its time limit), killed with the formation.
  const running = new Set<ChildProcess>();
  const killTree = (child: ChildProcess | undefined) => {
    if (child?.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  /** A pg_autoctl command in a process group of its own, the whole group killed at its limit. */
  const autoctl = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      const [bin, ...rest] = command(args);
      const child = spawn(bin!, rest, { cwd: base, detached: true, stdio: 'pipe' });
      running.add(child);
      let out = '';
      let err = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
      child.stderr.on('data', (b: Buffer) => (err = (err + b.toString('utf8')).slice(-4000)));
      const limit = left(60_000);
      const timer = setTimeout(() => {
        err += `\n(killed after ${limit} ms)`;
        killTree(child);
      }, limit);
      child.once('error', (e) => (err += `\n${e.message}`));
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        running.delete(child);
        if (code === 0) return resolve(out);
        reject(
          new Error(
            `pg_autoctl ${args[0]} ${args[1] ?? ''} failed (${code ?? signal}): ${err.trim().slice(-2000)}`,
          ),
        );
      });
    });
  const keepers = new Map<string, ChildProcess>();
  const run = (name: string) => {
    const out = openSync(path.join(base, 'log', `${name}.log`), 'a');
    const [bin, ...rest] = command(['run', '--pgdata', path.join(base, name)]);
    // Detached: a process group of its own (keeper, its services, postmaster and backends).
    const child = spawn(bin!, rest, { cwd: base, detached: true, stdio: ['ignore', out, out] });
    child.unref();
    keepers.set(name, child);
  };
  const common = ['--hostname', '127.0.0.1', '--auth', 'trust', '--no-ssl'];
  const monitorUrl = `postgres://postgres@127.0.0.1:${o.ports.monitor}/pg_auto_failover`;
  const onMonitor = async <T extends pg.QueryResultRow>(
    sql: string,
    url = monitorUrl,
  ): Promise<T[]> => {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    c.on('error', () => undefined);
    try {
      await c.connect();
      return (await c.query<T>(sql)).rows;
    } finally {
      await c.end().catch(() => undefined);
    }
  };
  const nodes = [
    { name: 'a', port: o.ports.nodes[0] },
    { name: 'b', port: o.ports.nodes[1] },
  ];
  const states = async () =>
    (
      await onMonitor<{
        nodename: string;
        nodeport: number;
        reportedstate: string;
        goalstate: string;
      }>(
        'SELECT nodename, nodeport, reportedstate, goalstate FROM pgautofailover.node ORDER BY nodeid',
      )
    ).map((r) => ({
      name: r.nodename,
      port: r.nodeport,
      reported: r.reportedstate,
      goal: r.goalstate,
    }));
  const waitFor = async (want: Record<string, string>, withinMs: number) => {
    const until = Date.now() + withinMs;
    for (;;) {
      const now = await states().catch(() => []);
      if (
        Object.entries(want).every(([n, s]) =>
          now.some((x) => x.name === n && x.reported === s && x.goal === s),
        )
      )
        return;
      if (Date.now() > until) {
        throw new Error(
          `pg_auto_failover did not reach ${JSON.stringify(want)} in time: ${JSON.stringify(now)}`,
        );
      }
      await sleep(200);
    }
  };
  const postmasterPid = (name: string): number | null => {
    const file = path.join(base, name, 'postmaster.pid');
    if (!existsSync(file)) return null;
    return Number(readFileSync(file, 'utf8').split('\n')[0]) || null;
  };
  const killGroup = (name: string) => killTree(keepers.get(name));
  // Should this process end without stop() (a test runner's timeout, the worker ended by a
  // signal), nothing is left running.
  const onExit = () => {
    for (const child of running) killTree(child);
    for (const name of ['a', 'b', 'monitor']) {
      killGroup(name);
      const pid = postmasterPid(name);
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    rmSync(base, { recursive: true, force: true });
  };
  // A signal does not run 'exit' handlers: clean up, then let the signal do what it would have.
  const onSignal = (signal: NodeJS.Signals) => {
    unhook();
    onExit();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const unhook = () => {
    process.off('exit', onExit);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
  process.once('exit', onExit);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const formation: Formation = {
    url: `postgres://postgres@${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}/lantern?target_session_attrs=read-write`,
    nodes,
    monitorPort: o.ports.monitor,
    states,
    waitFor,
    kill: (name) => {
      const pid = postmasterPid(name);
      killGroup(name);
      // A postmaster outside the group (it never is, but never left running either).
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone with its group
        }
      }
      return { postmasterPid: pid ?? 0 };
    },
    // SIGKILL to each keeper's group and each postmaster: a `pg_autoctl stop` would only signal
    // them, and the kill follows at once anyway.
    stop: async () => {
      for (const child of running) killTree(child);
      for (const name of ['a', 'b', 'monitor']) {
        const pid = postmasterPid(name);
        killGroup(name);
        if (pid) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // stopped
          }
        }
      }
      await sleep(200);
      rmSync(base, { recursive: true, force: true });
      unhook();
    },
  };

  try {
    const t0 = Date.now();
    const monitorDir = path.join(base, 'monitor');
    await autoctl([
      'create',
      'monitor',
      '--pgdata',
      monitorDir,
      '--pgport',
      String(o.ports.monitor),
      ...common,
    ]);
    // `create monitor` has no --listen, and `run` starts it with `-h *`: it listens on every
    // address, but the pg_hba.conf `create` wrote (with --hostname 127.0.0.1) admits only
    // 127.0.0.0/8, so nothing is reachable from elsewhere.
    run('monitor');
    log(`monitor made at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    for (
      let i = 0;
      !(await onMonitor('SELECT 1').then(
        () => true,
        () => false,
      ));
      i++
    ) {
      if (i > 150 || Date.now() > setUpBy) throw new Error('the monitor did not start in time');
      await sleep(200);
    }
    const t = o.timeouts;
    const settings: [string, number][] = [
      ['health_check_period', t.healthCheckPeriodMs],
      ['health_check_timeout', t.healthCheckTimeoutMs],
      ['health_check_max_retries', t.healthCheckMaxRetries],
      ['health_check_retry_delay', t.healthCheckRetryDelayMs],
      ['node_considered_unhealthy_timeout', t.nodeConsideredUnhealthyTimeoutMs],
      ['primary_demote_timeout', t.primaryDemoteTimeoutMs],
    ];
    for (const [name, value] of settings)
      await onMonitor(`ALTER SYSTEM SET pgautofailover.${name} = ${value}`);
    await onMonitor('SELECT pg_reload_conf()');
    for (const n of nodes) {
      const dir = path.join(base, n.name);
      await autoctl([
        'create',
        'postgres',
        '--pgdata',
        dir,
        '--pgport',
        String(n.port),
        '--name',
        n.name,
        '--dbname',
        'lantern',
        '--monitor',
        monitorUrl.replace('postgres@', 'autoctl_node@'),
        '--listen',
        '127.0.0.1',
        ...common,
      ]);
      await autoctl([
        'config',
        'set',
        '--pgdata',
        dir,
        'timeout.network_partition_timeout',
        String(t.networkPartitionTimeoutS),
      ]);
      run(n.name);
      log(`node ${n.name} made at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      if (n.name === 'a') {
        await waitFor({ a: 'single' }, left(30_000));
        // `create` reported the state before `run` restarted PostgreSQL under its keeper.
        const nodeUrl = `postgres://postgres@127.0.0.1:${n.port}/lantern`;
        for (
          let i = 0;
          !(await onMonitor('SELECT 1', nodeUrl).then(
            () => true,
            () => false,
          ));
          i++
        ) {
          if (i > 150 || Date.now() > setUpBy)
            throw new Error(`node ${n.name} did not accept connections in time`);
          await sleep(200);
        }
        // Work done before the standby joins is copied by its base backup, not waited for by
        // each commit's synchronous replication.
        if (o.whileSingle) await o.whileSingle(formation);
      }
    }
    await waitFor({ a: 'primary', b: 'secondary' }, left(60_000));
    log(
      `pg_auto_failover formation up in ${((Date.now() - t0) / 1000).toFixed(1)} s (monitor :${o.ports.monitor}, nodes :${nodes.map((n) => n.port).join(', :')})`,
    );
    return formation;
  } catch (err) {
    const tail = ['monitor', 'a', 'b']
      .map((n) => path.join(base, 'log', `${n}.log`))
      .filter((f) => existsSync(f))
      .map((f) => `${path.basename(f)}:\n${readFileSync(f, 'utf8').slice(-1500)}`)
      .join('\n');
    await formation.stop();
    throw new Error(`${(err as Error).message}\n${tail}`, { cause: err });
  }
}
