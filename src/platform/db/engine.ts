// The two storage engines behind one interface: an embedded PostgreSQL (PGlite, WebAssembly) and a
// PostgreSQL server. Same SQL on both. Only src/platform/db imports the drivers (enforced by lint).
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { parseDatabaseUrl } from '../../config.ts';
import {
  meansPrimaryLost,
  NoWritableHostError,
  PrimaryLostError,
  READ_ONLY,
  WritableHost,
} from './writable-host.ts';
import { WAL_NEEDED_SQL, type WalNeeded } from './spare-wal.ts';

export type Row = Record<string, unknown>;

export interface Queryable {
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Several statements in one call, no parameters (migrations, scripts). */
  exec(sql: string): Promise<void>;
}

// Two logins (issue 11, finding 8). On PostgreSQL, request-time work (the `tenant` and `reserved`
// lanes, and plain `query`) runs on connections logged in as a role that is a member of
// lantern_app and owns nothing (login-role.ts), so an injected `RESET ROLE` lands on that role,
// never on the owner; only the `owner` lane (migrations, operator commands, test factories) and
// `exec` use the owner's own login. Opened with one address only, both are that address (scripts,
// benchmarks, and tests that make their own database). The embedded engine has one session, and it
// is always PostgreSQL's bootstrap superuser (PGlite runs single-user mode): it cannot hold this
// wall, see login-role.test.ts.

/**
 * How long request-time work may hold the database (issue 11, finding 13). The timeouts are set
 * per transaction by tenancy.ts; the pool's shape is the PostgreSQL engine's.
 */
export type DatabaseLimits = {
  /** A statement running longer is cancelled (SQLSTATE 57014). */
  statementTimeoutMs: number;
  /** A transaction left idle longer is ended by the server (SQLSTATE 25P03). */
  idleInTransactionTimeoutMs: number;
  /** Connections for request-time and operator work. */
  poolSize: number;
  /** Connections kept apart for the health check and the cross-school look-ups of sign-in. */
  reservedConnections: number;
};

export const DEFAULT_LIMITS: DatabaseLimits = {
  statementTimeoutMs: 15_000,
  idleInTransactionTimeoutMs: 30_000,
  poolSize: 10,
  reservedConnections: 2,
};

/**
 * Which connections a transaction may use. `reserved`: the small pool kept for the health check
 * and the before-the-school-is-known look-ups (sign-in, session, link, MIS key), so busy schools
 * cannot take them. `tenant`: the main pool, where one school may hold at most half of the
 * connections at once, so no school's slow requests can starve another school. `owner`: the
 * owner's own login, apart from both (tenancy.ts's unsafeAsOwner, migrations). Always named: a
 * default would let a caller that forgot it bypass row-level security unnoticed.
 */
/**
 * Where a transaction runs. `opening` is SQL without parameters run at once after BEGIN, in the
 * same round trip on PostgreSQL (tenancy.ts's role switch and tenant, built only from validated
 * values): three round trips become one for every transaction (issue 12).
 */
export type Lane =
  { reserved: true; opening?: string } | { tenant: string; opening?: string } | { owner: true };

export interface Database extends Queryable {
  readonly engine: 'embedded' | 'postgres';
  readonly limits: DatabaseLimits;
  /**
   * Runs fn inside BEGIN/COMMIT on the connections of `lane`; rolls back on any throw. The lane is
   * required, so nothing reaches the owner's login without saying so (`{ owner: true }`).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, lane: Lane): Promise<T>;
  /**
   * One statement in a transaction of its own on `lane`, after the lane's opening: a single round
   * trip on PostgreSQL (BEGIN, opening, statement and COMMIT in one message). Returns the
   * statement's rows. Without `key` the statement has no parameters; with it, its one parameter
   * `$1` is the key (bytea) and the statement is prepared once per connection (SQL-level PREPARE
   * in the same message, then EXECUTE), so a large read is planned once, not per request. Only
   * for SQL built from validated values (tenancy.ts).
   */
  lookup<T extends Row = Row>(
    statement: string,
    lane: Exclude<Lane, { owner: true }>,
    key?: Buffer,
  ): Promise<T[]>;
  /**
   * True when request-time work is meant to log in as a role other than the owner's (PostgreSQL
   * opened with both addresses; start-up checks it is). Never on the embedded engine; absent
   * means false.
   */
  readonly separateLogin?: boolean;
  /** Each connection pool's shape now (the metrics); none on the embedded engine. */
  pools?(): PoolState[];
  close(): Promise<void>;
}

export type PoolState = {
  pool: 'main' | 'reserved' | 'owner';
  total: number;
  idle: number;
  waiting: number;
};

/**
 * The database would not answer in time: a statement ran past the statement timeout, a
 * transaction sat idle past its timeout, or no connection came free. Transport-free and below the
 * core storey, so it carries its own kind; the HTTP error handler answers it with 503.
 */
export class DatabaseBusyError extends Error {
  readonly kind = 'unavailable' as const;
  readonly code = 'timeout';
  readonly reason: 'statement_timeout' | 'idle_timeout' | 'no_connection';
  constructor(reason: DatabaseBusyError['reason'], cause?: unknown) {
    super(
      'That took too long, so it was stopped and nothing was saved. Please try again shortly.',
      {
        cause,
      },
    );
    this.name = 'DatabaseBusyError';
    this.reason = reason;
  }
}

/** PostgreSQL's SQLSTATEs for a statement cancelled and an idle transaction ended by a timeout. */
const QUERY_CANCELED = '57014';
const IDLE_IN_TRANSACTION_TIMEOUT = '25P03';

function asBusy(err: unknown): unknown {
  if (err instanceof DatabaseBusyError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (code === QUERY_CANCELED) return new DatabaseBusyError('statement_timeout', err);
  if (code === IDLE_IN_TRANSACTION_TIMEOUT) return new DatabaseBusyError('idle_timeout', err);
  // node-postgres's own words when connectionTimeoutMillis passes with the pool still full.
  if (err instanceof Error && /timeout exceeded when trying to connect/i.test(err.message)) {
    return new DatabaseBusyError('no_connection', err);
  }
  return err;
}

/**
 * At most `max` transactions of one school at once; the rest wait their turn, in order, for at
 * most `waitMs` (then DatabaseBusyError). Keeps one school's requests from taking every
 * connection of the main pool.
 */
class PerTenantSlots {
  readonly #active = new Map<string, number>();
  readonly #waiting = new Map<string, (() => void)[]>();
  readonly max: number;
  readonly waitMs: number;
  constructor(max: number, waitMs: number) {
    this.max = max;
    this.waitMs = waitMs;
  }
  async acquire(tenant: string): Promise<() => void> {
    if ((this.#active.get(tenant) ?? 0) >= this.max) {
      await new Promise<void>((resolve, reject) => {
        const queue = this.#waiting.get(tenant) ?? [];
        this.#waiting.set(tenant, queue);
        const turn = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          const at = queue.indexOf(turn);
          if (at >= 0) queue.splice(at, 1);
          reject(new DatabaseBusyError('no_connection'));
        }, this.waitMs);
        queue.push(turn);
      });
    } else {
      this.#active.set(tenant, (this.#active.get(tenant) ?? 0) + 1);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Hand the slot straight to the next in line, or give it back.
      const next = this.#waiting.get(tenant)?.shift();
      if (next) return next();
      const n = (this.#active.get(tenant) ?? 1) - 1;
      if (n > 0) this.#active.set(tenant, n);
      else {
        this.#active.delete(tenant);
        this.#waiting.delete(tenant);
      }
    };
  }
}

// Values come back the same way on both engines: bigints as numbers (only counts and sequence
// numbers use int8, far below 2^53), dates as 'YYYY-MM-DD' strings, bytea as Buffer.
const DATE_OID = 1082;
const INT8_OID = 20;

pg.types.setTypeParser(DATE_OID, (v: string) => v);
pg.types.setTypeParser(INT8_OID, (v: string) => Number(v));

function normaliseRow<T extends Row>(row: Row): T {
  for (const key of Object.keys(row)) {
    const v = row[key];
    if (v instanceof Uint8Array && !Buffer.isBuffer(v)) row[key] = Buffer.from(v);
  }
  return row as T;
}

// Named (server-side prepared) statements: each connection parses and plans a statement once and
// then only binds and runs it, which the server's CPU profile showed was a quarter of its work per
// request (issue 12). Only statements with parameters are named (their text is fixed and their
// values travel apart); the number of names is bounded, so SQL built with values in its text can
// never fill a connection's memory with plans. A cached plan is re-planned by the server itself
// when a table it reads changes or the role differs, so row-level security still applies.
const MAX_NAMED = 2_000;
const statementNames = new Map<string, string>();

function statement(sql: string, params: readonly unknown[]): pg.QueryConfig {
  if (params.length === 0) return { text: sql };
  let name = statementNames.get(sql);
  if (name === undefined && statementNames.size < MAX_NAMED) {
    name = `l_${createHash('sha256').update(sql).digest('base64url').slice(0, 24)}`;
    statementNames.set(sql, name);
  }
  return name === undefined
    ? { text: sql, values: params as unknown[] }
    : { name, text: sql, values: params as unknown[] };
}

// The keyed look-ups' SQL-level prepared statements (lookup with a key), per connection: a
// connection that is dropped takes its set with it.
const preparedOn = new WeakMap<pg.ClientBase, Set<string>>();
/** The keyed look-ups are a handful of fixed statements (the session's read); more is a bug. */
const MAX_KEYED = 16;
const preparedName = (sql: string) =>
  `lookup_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;

// Two pools (issue 11, finding 13): the main one, shared fairly between schools (PerTenantSlots),
// and a small reserved one that only the health check (plain `query`) and the look-ups made before
// a school is known (`inPlatform`: session, sign-in, link, MIS key) use, so neither waits behind
// busy schools. A request waiting for a connection gives up after the statement timeout.
class PgServerDatabase implements Database {
  readonly engine = 'postgres' as const;
  readonly limits: DatabaseLimits;
  readonly pool: pg.Pool;
  readonly reserved: pg.Pool;
  /** The owner's login: migrations, operator commands, test factories. Connects when first used. */
  readonly owner: pg.Pool;
  readonly separateLogin: boolean;
  readonly #slots: PerTenantSlots;
  /** Where each pool connects: the writable host of a multi-host address, else the one host. */
  readonly #targets = new Map<pg.Pool, WritableHost>();
  constructor(url: string, limits: DatabaseLimits, ownerUrl?: string) {
    this.limits = limits;
    // Given an owner's address, request-time work is meant to be another login: checked at
    // start-up (login-role.ts's checkLoginRole), even when the two addresses are the same.
    this.separateLogin = ownerUrl !== undefined;
    // JIT compilation costs 50–800 ms on single statements of this workload and never paid back
    // (measured by `npm run bench -- plans`): Lantern's queries are short and index-driven.
    // A multi-host address: the pools follow its writable host (writable-host.ts).
    const target = (address: string) =>
      parseDatabaseUrl(address).urls.length > 1
        ? new WritableHost(address, Math.min(5_000, limits.statementTimeoutMs))
        : undefined;
    const main = target(url);
    const owner = ownerUrl === undefined || ownerUrl === url ? main : target(ownerUrl);
    const routed = (t: WritableHost | undefined) =>
      // Keepalive, so a connection to a primary that vanished without closing it is noticed.
      t ? { Client: t.clientClass(), keepAlive: true, keepAliveInitialDelayMillis: 5_000 } : {};
    const common = {
      connectionString: url,
      options: '-c jit=off',
      connectionTimeoutMillis: limits.statementTimeoutMs,
      ...routed(main),
      // A statement sent to a primary that vanished without closing its connections (power or
      // link lost) waits on TCP retransmission for ~15 min, which keepalive does not cover and
      // statement_timeout cannot end. Past the statement timeout plus a margin it is given up on
      // and taken as the primary lost (meansPrimaryLost). Not on the owner's pool: a migration
      // may rightly wait for a lock. The margin: the statement timeout again, at most 5 s.
      ...(main
        ? {
            query_timeout: limits.statementTimeoutMs + Math.min(5_000, limits.statementTimeoutMs),
          }
        : {}),
    };
    this.pool = new pg.Pool({ ...common, max: limits.poolSize });
    this.reserved = new pg.Pool({ ...common, max: limits.reservedConnections });
    // No connection timeout: a migration or a key rotation may rightly wait for a lock.
    this.owner = new pg.Pool({
      connectionString: ownerUrl ?? url,
      options: '-c jit=off',
      max: Math.max(2, Math.ceil(limits.poolSize / 2)),
      ...routed(owner),
    });
    if (main) this.#targets.set(this.pool, main).set(this.reserved, main);
    if (owner) this.#targets.set(this.owner, owner);
    // An idle client losing its connection must not crash the process.
    this.pool.on('error', () => undefined);
    this.reserved.on('error', () => undefined);
    this.owner.on('error', () => undefined);
    this.#slots = new PerTenantSlots(
      Math.max(1, Math.ceil(limits.poolSize / 2)),
      limits.statementTimeoutMs,
    );
  }
  pools(): PoolState[] {
    const state = (pool: PoolState['pool'], p: pg.Pool): PoolState => ({
      pool,
      total: p.totalCount,
      idle: p.idleCount,
      waiting: p.waitingCount,
    });
    return [state('main', this.pool), state('reserved', this.reserved), state('owner', this.owner)];
  }
  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.#withClient(this.reserved, async (client) => {
      const res = await client.query(sql, params as unknown[]);
      return res.rows as T[];
    });
  }
  /** As the owner (migrations, scripts, CHECKPOINT in tests). */
  async exec(sql: string): Promise<void> {
    await this.#withClient(this.owner, (client) => client.query(sql));
  }
  /** A connection of `pool` (to the writable host, on a multi-host address). */
  async #connect(pool: pg.Pool): Promise<pg.PoolClient> {
    const target = this.#targets.get(pool);
    return target ? target.connect(pool) : pool.connect();
  }
  /**
   * After an error on `client`: on a multi-host address, a lost or read-only host drops the
   * choice of host (the next request resolves again). True when the connection must be closed.
   */
  #failed(pool: pg.Pool, client: pg.PoolClient, err: unknown): boolean {
    const target = this.#targets.get(pool);
    if (!target) return false;
    target.failed(err, WritableHost.generationOf(client));
    return WritableHost.generationOf(client) !== target.generation;
  }
  /**
   * The error a caller sees. On a multi-host address, a connection lost mid-request says that
   * whether it was saved is unknown (the primary may have committed before it died), and a
   * statement refused as read-only that nothing was saved; otherwise asBusy's.
   */
  #explain(pool: pg.Pool, err: unknown): unknown {
    if (this.#targets.has(pool) && meansPrimaryLost(err)) {
      const readOnly = (err as { code?: unknown } | null)?.code === READ_ONLY;
      return readOnly ? new NoWritableHostError([]) : new PrimaryLostError(err);
    }
    return asBusy(err);
  }
  async #withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#connect(pool);
    } catch (err) {
      throw asBusy(err);
    }
    let broken = false;
    const onLost = () => (broken = true);
    client.on('error', onLost);
    try {
      return await fn(client);
    } catch (err) {
      // As node-postgres's pool.query does: a connection that failed a statement is closed.
      broken = true;
      this.#failed(pool, client, err);
      throw this.#explain(pool, err);
    } finally {
      client.off('error', onLost);
      client.release(broken);
    }
  }
  async transaction<T>(fn: (tx: Queryable) => Promise<T>, lane: Lane): Promise<T> {
    // A caller the type check missed (plain JavaScript, a cast) fails closed, never as the owner.
    if (!lane || typeof lane !== 'object') throw new Error('transaction: name its lane');
    if ('owner' in lane) return this.#transaction(this.owner, fn, '');
    if ('reserved' in lane) return this.#transaction(this.reserved, fn, lane.opening ?? '');
    const release = await this.#slots.acquire(lane.tenant);
    try {
      return await this.#transaction(this.pool, fn, lane.opening ?? '');
    } finally {
      release();
    }
  }
  async lookup<T extends Row = Row>(
    sql: string,
    lane: Exclude<Lane, { owner: true }>,
    key?: Buffer,
  ): Promise<T[]> {
    const run = async (pool: pg.Pool) => {
      let client: pg.PoolClient;
      try {
        client = await this.#connect(pool);
      } catch (err) {
        throw asBusy(err);
      }
      let broken = false;
      let unsure = false;
      const onLost = () => (broken = true);
      client.on('error', onLost);
      try {
        const opening = lane.opening ? `${lane.opening}; ` : '';
        let message = `BEGIN; ${opening}${sql}; COMMIT`;
        const done = preparedOn.get(client) ?? new Set<string>();
        let name: string | undefined;
        if (key) {
          // Prepared on this connection the first time, in the same message. A keyed look-up
          // that fails drops its connection (below): a PREPARE it sent may have been left behind,
          // or a statement recorded as prepared may be gone or stale (a migration while running),
          // so a name is never prepared twice, or trusted after a failure, on one connection.
          name = preparedName(sql);
          if (!done.has(name) && done.size >= MAX_KEYED) {
            throw new Error('lookup: too many keyed look-up statements on one connection');
          }
          const prepare = done.has(name) ? '' : `PREPARE ${name}(bytea) AS ${sql}; `;
          unsure = true;
          const execute = `EXECUTE ${name}('\\x${key.toString('hex')}'::bytea)`;
          message = `${prepare}BEGIN; ${opening}${execute}; COMMIT`;
        }
        const results = (await client.query(message)) as unknown as pg.QueryResult[];
        if (name) {
          done.add(name);
          preparedOn.set(client, done);
          unsure = false;
        }
        // The statement's result comes just before COMMIT's.
        return (results[results.length - 2]?.rows ?? []) as T[];
      } catch (err) {
        if (this.#failed(pool, client, err)) broken = true;
        // A connection about to be closed needs no ROLLBACK (and one to a dead host would wait).
        if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
        throw this.#explain(pool, err);
      } finally {
        client.off('error', onLost);
        client.release(broken || unsure);
      }
    };
    if ('reserved' in lane) return run(this.reserved);
    const release = await this.#slots.acquire(lane.tenant);
    try {
      return await run(this.pool);
    } finally {
      release();
    }
  }
  async #transaction<T>(
    pool: pg.Pool,
    fn: (tx: Queryable) => Promise<T>,
    opening: string,
  ): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#connect(pool);
    } catch (err) {
      throw asBusy(err);
    }
    // The server ending this connection mid-transaction (the idle timeout) is reported as an
    // 'error' event on the checked-out client: caught here, or it would end the process.
    let lost: unknown = null;
    const onLost = (err: unknown) => {
      // The server's own word (25P03) comes first, then the socket's "terminated": keep the first.
      lost ??= err;
    };
    client.on('error', onLost);
    let broken = false;
    try {
      // One simple-protocol message: BEGIN and the opening run together, or not at all.
      await client.query(opening ? `BEGIN; ${opening}` : 'BEGIN');
      const tx: Queryable = {
        query: async <R extends Row>(sql: string, params: readonly unknown[] = []) =>
          (await client.query(statement(sql, params))).rows as R[],
        exec: async (sql: string) => {
          await client.query(sql);
        },
      };
      const out = await fn(tx);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      if (this.#failed(pool, client, lost ?? err)) broken = true;
      // A connection the server ended (idle timeout) cannot roll back: drop it from the pool. One
      // about to be closed needs no ROLLBACK (and one to a dead host would wait).
      if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
      throw this.#explain(pool, lost ?? err);
    } finally {
      client.off('error', onLost);
      client.release(broken || lost !== null);
    }
  }
  async close(): Promise<void> {
    await Promise.all([this.pool.end(), this.reserved.end(), this.owner.end()]);
  }
}

// One in-process connection: transactions take turns, so lanes and per-school shares mean nothing
// here, and PGlite (single-user PostgreSQL in WebAssembly, no timer signals) ignores
// statement_timeout: a slow statement holds the whole process until it ends (see tenancy.ts).
class EmbeddedDatabase implements Database {
  readonly engine = 'embedded' as const;
  readonly limits = DEFAULT_LIMITS;
  readonly separateLogin = false;
  readonly pglite: PGlite;
  constructor(pglite: PGlite) {
    this.pglite = pglite;
  }
  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const res = await this.pglite.query<Row>(sql, params as unknown[]);
    return res.rows.map((r) => normaliseRow<T>(r));
  }
  async exec(sql: string): Promise<void> {
    await this.pglite.exec(sql);
  }
  async lookup<T extends Row = Row>(
    sql: string,
    lane: Exclude<Lane, { owner: true }>,
    key?: Buffer,
  ): Promise<T[]> {
    return this.transaction((tx) => tx.query<T>(sql, key ? [key] : []), lane);
  }
  async transaction<T>(fn: (tx: Queryable) => Promise<T>, lane: Lane): Promise<T> {
    const opening = 'owner' in lane ? undefined : lane.opening;
    return this.pglite.transaction(async (t) => {
      if (opening) await t.exec(opening);
      return fn({
        query: async <R extends Row>(sql: string, params: readonly unknown[] = []) =>
          (await t.query<Row>(sql, params as unknown[])).rows.map((r) => normaliseRow<R>(r)),
        exec: async (sql: string) => {
          await t.exec(sql);
        },
      });
    });
  }
  async close(): Promise<void> {
    if (!this.pglite.closed) await this.pglite.close();
  }
  /** A snapshot of the whole cluster (used by tests to start from a migrated database). */
  async dump(): Promise<Blob> {
    return this.pglite.dumpDataDir('none');
  }
  /**
   * A consistent copy of the whole cluster while the server runs (issue 16's embedded backups):
   * taken holding the transaction turn, so no Lantern transaction is half-done in it, after a
   * checkpoint, so the copy opens replaying only the little WAL since. With it, the WAL segments
   * it needs as PostgreSQL says (spare-wal.ts), asked in the same turn: nothing is written
   * between the answer and the copy.
   */
  async backupSnapshot(): Promise<{ tar: Blob; wal: WalNeeded }> {
    return this.pglite.transaction(async (t) => {
      await t.exec('CHECKPOINT');
      const [wal] = (await t.query<WalNeeded>(WAL_NEEDED_SQL)).rows;
      if (!wal) throw new Error('The database did not say which WAL segments it needs.');
      return { tar: await this.pglite.dumpDataDir('none'), wal };
    });
  }
}

const pgliteParsers = {
  [DATE_OID]: (v: string) => v,
  [INT8_OID]: (v: string) => Number(v),
};

export type OpenOptions =
  | ({
      engine: 'postgres';
      /** Request-time work's login (a member of lantern_app owning nothing). */
      url: string;
      /** The owner's login (migrations, operator commands); `url` when not given. */
      ownerUrl?: string;
    } & Partial<DatabaseLimits>)
  | { engine: 'embedded'; dir?: string; snapshot?: Blob };

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.engine === 'postgres') {
    const { engine: _engine, url, ownerUrl, ...limits } = opts;
    const defined = Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
    return new PgServerDatabase(url, { ...DEFAULT_LIMITS, ...defined }, ownerUrl);
  }
  if (opts.dir) mkdirSync(path.dirname(opts.dir), { recursive: true });
  const pglite = await PGlite.create({
    ...(opts.dir ? { dataDir: opts.dir } : {}),
    ...(opts.snapshot ? { loadDataDir: opts.snapshot } : {}),
    parsers: pgliteParsers,
  });
  return new EmbeddedDatabase(pglite);
}

export function isEmbedded(db: Database): db is Database & {
  dump(): Promise<Blob>;
  backupSnapshot(): Promise<{ tar: Blob; wal: WalNeeded }>;
} {
  return db.engine === 'embedded';
}
