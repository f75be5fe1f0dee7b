// Following the primary (issue 16, a standby that takes over). Given a multi-host address
// (`postgres://u@h1:p1,h2:p2/db?target_session_attrs=read-write`, config.ts's parseDatabaseUrl),
// the pools connect to the host that answers as writable, found by trying the hosts in order as
// libpq does. When a connection to it is lost, or a statement is refused as read-only (the old
// primary came back as a standby), the choice is dropped: every connection made to the old host
// is closed as it comes back to its pool, and the next request resolves again. So Lantern follows
// a failover by itself, with no proxy in front, and never writes to a standby.
// What it protects: that no request-time work lands on a host that is not the writable primary.
// To change it safely: keep the writability test (pg_is_in_recovery false and
// transaction_read_only off), keep connections tagged with the choice they were made under, and
// keep writable-host.test.ts passing.
import pg from 'pg';
import { parseDatabaseUrl } from '../../config.ts';

/** No host of the address is a writable primary now (during a failover, or a standby's address). */
export class NoWritableHostError extends Error {
  readonly kind = 'unavailable' as const;
  readonly code = 'database_unavailable';
  /** What each host answered, for the operator's log (addresses only, never credentials). */
  readonly hosts: string[];
  constructor(hosts: string[]) {
    super('The database is changing over to its standby. Nothing was saved; try again shortly.');
    this.name = 'NoWritableHostError';
    this.hosts = hosts;
  }
}

/**
 * The connection to the primary was lost while a request was using it: the database may have
 * committed before it went, so whether the change was saved is unknown, and the person is told so.
 */
export class PrimaryLostError extends Error {
  readonly kind = 'unavailable' as const;
  readonly code = 'database_lost';
  constructor(cause: unknown) {
    super(
      'The database went away before it answered, so Lantern cannot tell whether this was saved. ' +
        'Check before sending it again.',
      { cause },
    );
    this.name = 'PrimaryLostError';
  }
}

/** SQLSTATE: a write refused because the server is read-only (a standby, or a demoted primary). */
export const READ_ONLY = '25006';

// A connection lost (refused, reset, ended by the server's shutdown or crash, or silent past the
// pool's query_timeout: "Query read timeout") or a statement refused because the server is
// read-only: each means the host chosen may no longer be the primary.
const LOST_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);
const LOST_STATES = new Set(['57P01', '57P02', '57P03', READ_ONLY]);

export function meansPrimaryLost(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (LOST_CODES.has(code) || LOST_STATES.has(code) || code.startsWith('08')) return true;
  return (
    typeof e?.message === 'string' &&
    /Connection terminated|connection timeout|timeout expired|server closed the connection|Query read timeout/i.test(
      e.message,
    )
  );
}

type Tagged = pg.PoolClient & { writableGeneration?: number };

/** Between two resolutions that found nothing, requests fail at once rather than probe again. */
const RETRY_AFTER_MS = 250;

export class WritableHost {
  readonly urls: string[];
  readonly labels: string[];
  readonly connectTimeoutMs: number;
  #chosen: number | null = null;
  #generation = 0;
  #resolving: Promise<void> | null = null;
  #lastFailure: { at: number; err: NoWritableHostError } | null = null;

  constructor(url: string, connectTimeoutMs: number) {
    const address = parseDatabaseUrl(url);
    this.urls = address.urls;
    this.labels = address.hosts.map((h) => `${h.host}:${h.port}`);
    this.connectTimeoutMs = connectTimeoutMs;
  }

  /** The chosen host's address (the first until one is chosen). */
  get url(): string {
    return this.urls[this.#chosen ?? 0]!;
  }

  get generation(): number {
    return this.#generation;
  }

  /**
   * The generation a connection made now belongs to: while no host is chosen (between a lost
   * primary and the next resolution) one that never matches, so such a connection (pg-pool makes
   * waiters' connections later, after a release(true)) is closed and never used: it went to the
   * first host, which may be the old primary come back as a standby.
   */
  get #madeUnder(): number {
    return this.#chosen === null ? -1 : this.#generation;
  }

  /** The pool's client class: each connection goes to the chosen host and remembers the choice. */
  clientClass(): typeof pg.Client {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the class below reads the choice when each connection is made
    const target = this;
    const madeUnder = () => target.#madeUnder;
    return class extends pg.Client {
      writableGeneration = madeUnder();
      constructor(config?: pg.ClientConfig) {
        super({ ...config, connectionString: target.url });
      }
    };
  }

  /** A connection from `pool` to the writable host, resolving first when there is no choice. */
  async connect(pool: pg.Pool): Promise<pg.PoolClient> {
    for (let tries = 0; ; tries++) {
      if (this.#chosen === null) await this.resolve();
      const generation = this.#generation;
      let client: Tagged;
      try {
        client = await pool.connect();
      } catch (err) {
        this.failed(err, generation);
        // The chosen host has gone: resolve once more now, so a request arriving after the
        // standby took over goes to it (or is told the database is changing over: nothing was
        // sent, so nothing was saved).
        if (this.#chosen === null && tries === 0) continue;
        if (meansPrimaryLost(err)) throw new NoWritableHostError(this.labels);
        throw err;
      }
      if (client.writableGeneration === this.#generation) return client;
      // Made under an earlier choice: closed, never used.
      client.release(true);
      if (tries > 20) throw new NoWritableHostError(this.labels);
    }
  }

  /** After an error on a connection made under `generation`: drops the choice when it was lost. */
  failed(err: unknown, generation: number | undefined): void {
    if (generation === this.#generation && this.#chosen !== null && meansPrimaryLost(err)) {
      this.#chosen = null;
      this.#generation++;
    }
  }

  /** The generation a checked-out client was made under. */
  static generationOf(client: pg.PoolClient): number | undefined {
    return (client as Tagged).writableGeneration;
  }

  /** Tries each host in order and keeps the first writable one; one resolution at a time. */
  async resolve(): Promise<void> {
    if (this.#chosen !== null) return;
    const failure = this.#lastFailure;
    if (failure && Date.now() - failure.at < RETRY_AFTER_MS) throw failure.err;
    this.#resolving ??= this.#probeAll().finally(() => (this.#resolving = null));
    return this.#resolving;
  }

  async #probeAll(): Promise<void> {
    const seen: string[] = [];
    for (let i = 0; i < this.urls.length; i++) {
      const answer = await probe(this.urls[i]!, this.connectTimeoutMs);
      if (answer === 'writable') {
        this.#chosen = i;
        this.#generation++;
        this.#lastFailure = null;
        return;
      }
      seen.push(`${this.labels[i]} ${answer}`);
    }
    const err = new NoWritableHostError(seen);
    this.#lastFailure = { at: Date.now(), err };
    throw err;
  }
}

/**
 * Refusals that are not about reaching the host (a login refused, class 28; the database missing,
 * 3D000): every host of the list shares them, so they are thrown as they are (login-role.ts's
 * isLoginRefused names them), never reported as a failover.
 */
function notAboutReaching(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('28') || code === '3D000');
}

/** 'writable', or what the host answered instead ('read-only', 'unreachable (CODE)'). */
async function probe(url: string, timeoutMs: number): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ standby: boolean; ro: string }>(
      "SELECT pg_is_in_recovery() AS standby, current_setting('transaction_read_only') AS ro",
    );
    const row = rows[0];
    return row && !row.standby && row.ro === 'off' ? 'writable' : 'read-only';
  } catch (err) {
    if (notAboutReaching(err)) throw err;
    const code = (err as { code?: unknown }).code;
    return `unreachable${typeof code === 'string' ? ` (${code})` : ''}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}
