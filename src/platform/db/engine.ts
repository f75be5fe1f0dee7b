// The two storage engines behind one interface: an embedded PostgreSQL (PGlite, WebAssembly) and a
// PostgreSQL server. Same SQL on both. Only src/db imports the drivers (enforced by lint).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export type Row = Record<string, unknown>;

export interface Queryable {
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Several statements in one call, no parameters (migrations, scripts). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly engine: 'embedded' | 'postgres';
  /** Runs fn inside BEGIN/COMMIT; rolls back on any throw. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
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

class PgServerDatabase implements Database {
  readonly engine = 'postgres' as const;
  readonly pool: pg.Pool;
  constructor(url: string, max: number) {
    // JIT compilation costs 50–800 ms on single statements of this workload and never paid back
    // (measured by `npm run bench -- plans`): Lantern's queries are short and index-driven.
    this.pool = new pg.Pool({ connectionString: url, max, options: '-c jit=off' });
    // An idle client losing its connection must not crash the process.
    this.pool.on('error', () => undefined);
  }
  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const res = await this.pool.query(sql, params as unknown[]);
    return res.rows as T[];
  }
  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }
  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const tx: Queryable = {
        query: async <R extends Row>(sql: string, params: readonly unknown[] = []) =>
          (await client.query(sql, params as unknown[])).rows as R[],
        exec: async (sql: string) => {
          await client.query(sql);
        },
      };
      const out = await fn(tx);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
  async close(): Promise<void> {
    await this.pool.end();
  }
}

class EmbeddedDatabase implements Database {
  readonly engine = 'embedded' as const;
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
  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.pglite.transaction(async (t) =>
      fn({
        query: async <R extends Row>(sql: string, params: readonly unknown[] = []) =>
          (await t.query<Row>(sql, params as unknown[])).rows.map((r) => normaliseRow<R>(r)),
        exec: async (sql: string) => {
          await t.exec(sql);
        },
      }),
    );
  }
  async close(): Promise<void> {
    if (!this.pglite.closed) await this.pglite.close();
  }
  /** A snapshot of the whole cluster (used by tests to start from a migrated database). */
  async dump(): Promise<Blob> {
    return this.pglite.dumpDataDir('none');
  }
}

const pgliteParsers = {
  [DATE_OID]: (v: string) => v,
  [INT8_OID]: (v: string) => Number(v),
};

export type OpenOptions =
  | { engine: 'postgres'; url: string; poolSize?: number }
  | { engine: 'embedded'; dir?: string; snapshot?: Blob };

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.engine === 'postgres') return new PgServerDatabase(opts.url, opts.poolSize ?? 10);
  if (opts.dir) mkdirSync(path.dirname(opts.dir), { recursive: true });
  const pglite = await PGlite.create({
    ...(opts.dir ? { dataDir: opts.dir } : {}),
    ...(opts.snapshot ? { loadDataDir: opts.snapshot } : {}),
    parsers: pgliteParsers,
  });
  return new EmbeddedDatabase(pglite);
}

export function isEmbedded(db: Database): db is Database & { dump(): Promise<Blob> } {
  return db.engine === 'embedded';
}
