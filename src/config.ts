// The one reader of the environment. Every setting is validated here at start-up; a bad value
// stops the process with a message naming the setting. Documented in README.md and .env.example.
import path from 'node:path';

export type Config = {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** Public origin (scheme://host[:port]) used for links in emails and WebAuthn. */
  publicOrigin: string;
  /**
   * When set, a PostgreSQL server; otherwise the embedded engine in dataDir. May name several
   * hosts, libpq's way, with target_session_attrs=read-write (parseDatabaseUrl): a primary and
   * its standbys, of which Lantern uses the writable one and follows it after a failover. With
   * databaseOwnerUrl, the login request-time work connects as (a member of lantern_app owning
   * nothing); alone, the owner's, and Lantern makes and uses its own login role (issue 11).
   */
  databaseUrl: string | undefined;
  /** The owner's address, for migrations and operator commands (DATABASE_OWNER_URL). */
  databaseOwnerUrl: string | undefined;
  /**
   * The password of the login role Lantern makes when given only the owner's address: this value
   * (LANTERN_DB_LOGIN_PASSWORD) or, when unset, the one kept in databaseLoginPasswordFile
   * (LANTERN_DB_LOGIN_PASSWORD_FILE; by default db-login.secret beside the master key file),
   * written only when Lantern itself creates the role (never over an existing role's password).
   */
  databaseLoginPassword: string | undefined;
  databaseLoginPasswordFile: string | undefined;
  dataDir: string;
  /** Base64 of 32 bytes. Takes precedence over masterKeyFile. */
  masterKey: string | undefined;
  masterKeyFile: string;
  /** Served over TLS (directly or by a proxy): Secure cookies and HSTS. */
  tls: boolean;
  trustProxy: boolean;
  smtpUrl: string | undefined;
  mailFrom: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
  /** Seed a demo trust on an empty embedded database (never in production or on PostgreSQL). */
  demoData: boolean;
  bodyLimitBytes: number;
  /**
   * How long request-time work may hold the database, and the PostgreSQL pool's shape (issue 11):
   * see src/platform/db/engine.ts (DatabaseLimits).
   */
  database: {
    statementTimeoutMs: number;
    idleInTransactionTimeoutMs: number;
    poolSize: number;
    reservedConnections: number;
  };
  /**
   * Where this running version's source code can be had (AGPL-3.0 §13: a network service offers
   * its users its source). Shown by the web app; a modified Lantern must point at its own.
   */
  sourceUrl: string;
  /**
   * The bearer token that opens /metrics (LANTERN_METRICS_TOKEN, at least 32 characters); unset,
   * /metrics answers 404 (src/http/operations.ts).
   */
  metricsToken: string | undefined;
  /**
   * On SIGTERM, how long /readyz answers 503 before the server stops taking requests
   * (LANTERN_SHUTDOWN_GRACE_MS, default 0; a few seconds behind a load balancer that polls it).
   */
  shutdownGraceMs: number;
  /**
   * Backups (issue 16). The passphrase that encrypts them — pgBackRest's repository cipher on
   * PostgreSQL, the embedded engine's backup files — kept like the master key: in
   * LANTERN_BACKUP_PASSPHRASE, or in the file LANTERN_BACKUP_PASSPHRASE_FILE (never beside the
   * backups; the commands refuse a file inside the repository or backup folder).
   */
  backup: {
    passphrase: string | undefined;
    passphraseFile: string | undefined;
    /**
     * The embedded engine's scheduled backup: the folder it writes to (LANTERN_BACKUP_DIR; unset,
     * no scheduled backup), the hour of day it runs, server time (LANTERN_BACKUP_HOUR, 0–23,
     * default 2), and how many of the newest it keeps (LANTERN_BACKUP_KEEP, default 7). An
     * operator's setting, not a school's: one embedded database holds every school.
     */
    dir: string | undefined;
    hour: number;
    keep: number;
  };
  /**
   * Anchors of the audit chains outside the database (issue 20): each school's chain head,
   * signed with an Ed25519 key kept beside the master key (LANTERN_AUDIT_ANCHOR_KEY_FILE; by
   * default audit-anchor.key in the master key's folder), appended daily to files in
   * LANTERN_AUDIT_ANCHOR_DIR — a folder the database's owner cannot rewrite (another machine's
   * mount, or append-only). Unset, no anchors are written. Start-up refuses a folder it cannot
   * write to.
   */
  audit: { anchorDir: string | undefined; anchorKeyFile: string };
  /**
   * What the operator declares for each school's data-protection pack (issue 17): the region the
   * data is hosted in (LANTERN_DATA_REGION, e.g. "UK South (London)"; unset, the pack says it is
   * not declared) and the sub-processors (LANTERN_SUBPROCESSORS: entries separated by ";", each
   * "name | purpose | location", e.g. "Acme Hosting Ltd | hosting | UK"). Declarations only:
   * Lantern cannot check them, and the pack says they are the operator's.
   */
  dataProtection: { region: string | undefined; subProcessors: SubProcessor[] };
};

export type SubProcessor = { name: string; purpose: string; location: string };

/** LANTERN_SUBPROCESSORS as a list; an entry missing its name is a configuration error. */
function subProcessors(env: Env): SubProcessor[] {
  return (env.LANTERN_SUBPROCESSORS ?? '')
    .split(';')
    .map((e) => e.trim())
    .filter(Boolean)
    .map((entry) => {
      const [name = '', purpose = '', location = ''] = entry.split('|').map((x) => x.trim());
      if (!name) throw new ConfigError('LANTERN_SUBPROCESSORS', `has an entry with no name`);
      return { name, purpose: purpose || 'not stated', location: location || 'not stated' };
    });
}

/** The upstream repository; set LANTERN_SOURCE_URL when running a modified copy. */
export const DEFAULT_SOURCE_URL = 'https://github.com/lantern-safeguarding/lantern';

export class ConfigError extends Error {
  constructor(setting: string, problem: string) {
    super(`Configuration error: ${setting} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got "${raw}")`);
  }
  return raw as T;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number (got "${raw}")`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false (got "${raw}")`);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.join(' or ')}`);
  }
  return raw;
}

/**
 * A PostgreSQL address as libpq reads it, with several hosts allowed
 * (`postgres://u@h1:5432,h2:5432/db?target_session_attrs=read-write`), which node-postgres's own
 * parser does not accept. The database layer tries the hosts in order and keeps the writable one
 * (src/platform/db/writable-host.ts).
 */
export type DatabaseAddress = {
  /** The hosts in the order given (one for an ordinary address). */
  hosts: { host: string; port: number }[];
  /** One ordinary single-host address per host, in order (node-postgres connects with these). */
  urls: string[];
  /** `scheme://`, `user:password@` (as written, or ''), the host list and the rest (path, query). */
  parts: { scheme: string; userinfo: string; hostList: string[]; rest: string };
};

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/;
// libpq's values that let a session land on a standby: Lantern writes, so it refuses them.
const STANDBY_ATTRS = ['read-only', 'standby', 'prefer-standby'];

/**
 * Parses and checks DATABASE_URL or DATABASE_OWNER_URL. Several hosts need
 * `target_session_attrs=read-write` (or `primary`): libpq's default for a host list, `any`, would
 * take the first that answers, a standby included.
 */
export function parseDatabaseUrl(raw: string, setting = 'DATABASE_URL'): DatabaseAddress {
  const m = /^(postgres(?:ql)?:\/\/)([^/?#]*)(.*)$/s.exec(raw);
  if (!m) throw new ConfigError(setting, 'must start with postgres:// or postgresql://');
  const [, scheme, authority, rest] = m as unknown as [string, string, string, string];
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at + 1) : '';
  const hostList = authority.slice(at + 1).split(',');
  const query = new URLSearchParams(rest.split('#')[0]!.split('?')[1] ?? '');
  const attrs = query.get('target_session_attrs') ?? 'any';
  if (STANDBY_ATTRS.includes(attrs)) {
    throw new ConfigError(
      setting,
      `asks for a standby (target_session_attrs=${attrs}); Lantern writes, so it needs the primary: use read-write`,
    );
  }
  if (!['any', 'read-write', 'primary'].includes(attrs)) {
    throw new ConfigError(setting, `has an unknown target_session_attrs (got "${attrs}")`);
  }
  const parse = (address: string) => {
    try {
      return new URL(address);
    } catch {
      throw new ConfigError(setting, 'is not a valid URL');
    }
  };
  if (hostList.length === 1) {
    const url = parse(raw);
    return {
      hosts: [{ host: url.hostname, port: Number(url.port || 5432) }],
      urls: [raw],
      parts: { scheme, userinfo, hostList, rest },
    };
  }
  if (attrs === 'any') {
    throw new ConfigError(
      setting,
      'names several hosts but not target_session_attrs=read-write: without it the first host ' +
        'that answers would be used, even a standby',
    );
  }
  // Each host's own address, without target_session_attrs (node-postgres does not know it).
  query.delete('target_session_attrs');
  const search = query.toString() ? `?${query.toString()}` : '';
  const path = rest.split(/[?#]/)[0];
  const hosts = hostList.map((entry) => {
    const hp = HOST_PORT.exec(entry);
    const port = Number(hp?.[2] ?? 5432);
    if (!hp || port < 1 || port > 65535) {
      throw new ConfigError(setting, `has a host that is not host:port (got "${entry}")`);
    }
    return { host: hp[1]!, port };
  });
  const urls = hosts.map(
    (h) => parse(`${scheme}${userinfo}${h.host}:${h.port}${path}${search}`).href,
  );
  return { hosts, urls, parts: { scheme, userinfo, hostList, rest } };
}

function databaseAddress(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^postgres(ql)?:/.test(raw))
    throw new ConfigError(name, 'must start with postgres: or postgresql:');
  parseDatabaseUrl(raw, name);
  return raw;
}

/**
 * With a host list on either address, both must list the same hosts: else one set of pools would
 * not follow a failover (or would check another machine). Two one-host addresses may differ (a
 * pooler in front of the request login, say).
 */
function sameHosts(login: string, owner: string): void {
  const hosts = (u: string) =>
    parseDatabaseUrl(u)
      .hosts.map((h) => `${h.host}:${h.port}`)
      .sort();
  const [a, b] = [hosts(login), hosts(owner)];
  if (a.length === 1 && b.length === 1) return;
  if (a.join(',') !== b.join(',')) {
    throw new ConfigError(
      'DATABASE_OWNER_URL',
      `lists other hosts (${b.join(', ')}) than DATABASE_URL (${a.join(', ')}): with several ` +
        "hosts, both must name every node, so Lantern's connections all follow a failover",
    );
  }
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'], 'development');
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST || '127.0.0.1';
  const dataDir = path.resolve(env.LANTERN_DATA_DIR || './data');
  const databaseUrl = databaseAddress(env, 'DATABASE_URL');
  const databaseOwnerUrl = databaseAddress(env, 'DATABASE_OWNER_URL');
  if (databaseOwnerUrl && !databaseUrl) {
    throw new ConfigError(
      'DATABASE_OWNER_URL',
      "needs DATABASE_URL (the login role's address); or give the owner's address as " +
        'DATABASE_URL alone and Lantern makes its own login role',
    );
  }
  if (databaseUrl && databaseOwnerUrl) sameHosts(databaseUrl, databaseOwnerUrl);
  const databaseLoginPassword = env.LANTERN_DB_LOGIN_PASSWORD || undefined;
  if (databaseLoginPassword !== undefined && !/^[\x21-\x7e]{16,}$/.test(databaseLoginPassword)) {
    throw new ConfigError(
      'LANTERN_DB_LOGIN_PASSWORD',
      'must be at least 16 printable ASCII characters, without spaces',
    );
  }
  const masterKey = env.LANTERN_MASTER_KEY || undefined;
  if (masterKey !== undefined && Buffer.from(masterKey, 'base64').length !== 32) {
    throw new ConfigError('LANTERN_MASTER_KEY', 'must be 32 bytes encoded as base64');
  }
  const metricsToken = env.LANTERN_METRICS_TOKEN || undefined;
  if (metricsToken !== undefined && !/^[\x21-\x7e]{32,200}$/.test(metricsToken)) {
    throw new ConfigError(
      'LANTERN_METRICS_TOKEN',
      'must be 32 to 200 printable ASCII characters, without spaces (e.g. `openssl rand -hex 32`)',
    );
  }
  const tls = bool(env, 'LANTERN_TLS', false);
  const publicOrigin =
    url(env, 'LANTERN_PUBLIC_ORIGIN', ['http:', 'https:']) ??
    `${tls ? 'https' : 'http'}://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
  if (nodeEnv === 'production' && !databaseUrl && !bool(env, 'LANTERN_ALLOW_EMBEDDED', false)) {
    throw new ConfigError(
      'DATABASE_URL',
      'is required in production (or set LANTERN_ALLOW_EMBEDDED=true for a single machine)',
    );
  }
  const statementTimeoutMs = integer(env, 'LANTERN_DB_STATEMENT_TIMEOUT_MS', 15_000, 100, 600_000);
  const idleInTransactionTimeoutMs = integer(
    env,
    'LANTERN_DB_IDLE_TIMEOUT_MS',
    30_000,
    100,
    3_600_000,
  );
  return {
    env: nodeEnv,
    port,
    host,
    publicOrigin: publicOrigin.replace(/\/$/, ''),
    databaseUrl,
    databaseOwnerUrl,
    databaseLoginPassword,
    databaseLoginPasswordFile: env.LANTERN_DB_LOGIN_PASSWORD_FILE
      ? path.resolve(env.LANTERN_DB_LOGIN_PASSWORD_FILE)
      : undefined,
    dataDir,
    masterKey,
    // Beside the data folder, never in it (issue 11): a copy of the database is not a copy of its
    // key. ./data → ./data-keys/master.key (named after the data folder, so two never share one).
    masterKeyFile: path.resolve(
      env.LANTERN_MASTER_KEY_FILE || path.join(`${dataDir}-keys`, 'master.key'),
    ),
    tls,
    trustProxy: bool(env, 'LANTERN_TRUST_PROXY', false),
    smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: env.MAIL_FROM || 'Lantern <lantern@localhost>',
    logLevel: oneOf(
      env,
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'silent'],
      nodeEnv === 'test' ? 'silent' : 'info',
    ),
    demoData:
      !databaseUrl &&
      nodeEnv !== 'production' &&
      bool(env, 'LANTERN_DEMO_DATA', nodeEnv !== 'test'),
    bodyLimitBytes: integer(env, 'LANTERN_BODY_LIMIT', 1_048_576, 1024, 100 * 1_048_576),
    database: {
      statementTimeoutMs,
      idleInTransactionTimeoutMs,
      poolSize: integer(env, 'LANTERN_DB_POOL_SIZE', 10, 2, 1000),
      reservedConnections: integer(env, 'LANTERN_DB_RESERVED_CONNECTIONS', 2, 1, 100),
    },
    sourceUrl: url(env, 'LANTERN_SOURCE_URL', ['https:', 'http:']) ?? DEFAULT_SOURCE_URL,
    metricsToken,
    shutdownGraceMs: integer(env, 'LANTERN_SHUTDOWN_GRACE_MS', 0, 0, 120_000),
    backup: {
      passphrase: env.LANTERN_BACKUP_PASSPHRASE || undefined,
      passphraseFile: env.LANTERN_BACKUP_PASSPHRASE_FILE
        ? path.resolve(env.LANTERN_BACKUP_PASSPHRASE_FILE)
        : undefined,
      dir: env.LANTERN_BACKUP_DIR ? path.resolve(env.LANTERN_BACKUP_DIR) : undefined,
      hour: integer(env, 'LANTERN_BACKUP_HOUR', 2, 0, 23),
      keep: integer(env, 'LANTERN_BACKUP_KEEP', 7, 1, 1000),
    },
    audit: {
      anchorDir: env.LANTERN_AUDIT_ANCHOR_DIR
        ? path.resolve(env.LANTERN_AUDIT_ANCHOR_DIR)
        : undefined,
      anchorKeyFile: path.resolve(
        env.LANTERN_AUDIT_ANCHOR_KEY_FILE ||
          path.join(
            path.dirname(
              path.resolve(
                env.LANTERN_MASTER_KEY_FILE || path.join(`${dataDir}-keys`, 'master.key'),
              ),
            ),
            'audit-anchor.key',
          ),
      ),
    },
    dataProtection: {
      region: env.LANTERN_DATA_REGION?.trim() || undefined,
      subProcessors: subProcessors(env),
    },
  };
}
