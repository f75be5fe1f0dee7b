// The long-lived parts one Lantern process shares: configuration, database, keys, clock, log.
// Built once at start-up (src/main.ts) or by a test, and handed to the HTTP app and the CLI.
import type { Config } from '../config.ts';
import type { Database } from './db/engine.ts';
import { openDatabase } from './db/engine.ts';
import { migrate } from './db/migrate.ts';
import { checkWritable } from './db/writable-start.ts';
import {
  checkCanLogIn,
  checkLoginRole,
  ensureLoginRole,
  keepLoginPassword,
  LOGIN_ROLE,
  loginRoleExists,
  loginUrl,
  newLoginPassword,
  readLoginPasswordFile,
} from './db/login-role.ts';
import { ConfigError } from '../config.ts';
import { loadKeyring, readKeyFile, type Keyring } from './crypto/master-key.ts';
import { SchoolKeys } from './crypto/school-keys.ts';
import path from 'node:path';
import { statSync } from 'node:fs';
import { createMailer, type Mailer } from './mail/mailer.ts';

export type Log = {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
};

export type Clock = { now(): Date };
export const systemClock: Clock = { now: () => new Date() };

export type Services = {
  config: Config;
  db: Database;
  keys: SchoolKeys;
  clock: Clock;
  log: Log;
  /** Outgoing email; absent when none can be sent (no SMTP configured outside development). */
  mailer?: Mailer;
};

export const consoleLog: Log = {
  info: (m) => console.log(m),
  warn: (m) => console.warn(m),
  error: (m) => console.error(m),
};

/**
 * The server's log for work outside requests (jobs, start-up): one JSON object a line, with the
 * same level numbers and fields as the request log (pino's), so one parser reads both. Messages
 * are Lantern's own words; callers never put a name, record text or token in them.
 */
export function jsonLog(write: (line: string) => void = (l) => process.stdout.write(l)): Log {
  const line = (level: number, msg: string) =>
    write(`${JSON.stringify({ level, time: Date.now(), pid: process.pid, msg })}\n`);
  return {
    info: (m) => line(30, m),
    warn: (m) => line(40, m),
    error: (m) => line(50, m),
  };
}

export function embeddedDbDir(config: Config): string {
  return path.join(config.dataDir, 'pgdata');
}

/** Only the owner's address given: Lantern makes and logs in as its own role (login-role.ts). */
function managesLoginRole(config: Config): boolean {
  return config.databaseUrl !== undefined && config.databaseOwnerUrl === undefined;
}

/**
 * The managed login's password: the setting (explicit: the operator's, set on the role at each
 * start), or the one kept in a file beside the master key file. With neither, a new one, written to
 * the file only once ensureConfiguredLoginRole has found that the role does not exist yet (a role
 * that exists has a password this machine does not know: it is never overwritten). One per config,
 * so the database opened with it and the role made with it agree.
 */
type LoginSecret = { password: string; explicit: boolean; file: string; kept: boolean };
const loginSecrets = new WeakMap<Config, LoginSecret>();
function managedLoginSecret(config: Config): LoginSecret {
  let secret = loginSecrets.get(config);
  if (!secret) {
    const file =
      config.databaseLoginPasswordFile ??
      path.join(path.dirname(config.masterKeyFile), 'db-login.secret');
    const kept = config.databaseLoginPassword ? undefined : readLoginPasswordFile(file);
    secret = {
      password: config.databaseLoginPassword ?? kept ?? newLoginPassword(),
      explicit: config.databaseLoginPassword !== undefined,
      file,
      kept: kept !== undefined,
    };
    loginSecrets.set(config, secret);
  }
  return secret;
}

/** What to do when the managed login is refused: said by every process that meets it. */
function loginRefused(secret: LoginSecret): string {
  const held = secret.explicit
    ? 'LANTERN_DB_LOGIN_PASSWORD'
    : secret.kept
      ? `the password kept in ${secret.file}`
      : `no password (${secret.file} is missing)`;
  return (
    `is the owner's address, and the database refused Lantern's own login role ${LOGIN_ROLE} with ` +
    `${held}: the role was made elsewhere (another machine, container or replica, or an earlier ` +
    `install) with another password, or has not been made yet. Set LANTERN_DB_LOGIN_PASSWORD to ` +
    `the role's password (the same on every machine), or restore ${secret.file} from the machine ` +
    `that made the role, or, as the database owner, reset it (ALTER ROLE ${LOGIN_ROLE} PASSWORD ` +
    "'…') and set LANTERN_DB_LOGIN_PASSWORD to it everywhere. A new database needs `lantern " +
    'migrate` (or a server start) once to make the role. (README, Production.)'
  );
}

/**
 * The configured database. On PostgreSQL request-time work logs in as a role apart from the
 * owner's (issue 11): DATABASE_URL's with DATABASE_OWNER_URL, or else `lantern_web` at
 * DATABASE_URL's server, whose password Lantern keeps (ensureConfiguredLoginRole makes the role).
 * Opening writes nothing and changes no role.
 */
export async function openConfiguredDatabase(config: Config): Promise<Database> {
  if (!config.databaseUrl) return openDatabase({ engine: 'embedded', dir: embeddedDbDir(config) });
  const url = config.databaseOwnerUrl
    ? config.databaseUrl
    : loginUrl(config.databaseUrl, managedLoginSecret(config).password);
  const ownerUrl = config.databaseOwnerUrl ?? config.databaseUrl;
  return openDatabase({ engine: 'postgres', url, ownerUrl, ...config.database });
}

/**
 * After the migrations (lantern_app exists), by the server and `lantern migrate` only: makes
 * Lantern's own login role when it manages one. Sets its password only when making it, or when
 * LANTERN_DB_LOGIN_PASSWORD is given; keeps a new password in the file only when the role is new.
 */
export async function ensureConfiguredLoginRole(config: Config, db: Database): Promise<void> {
  if (!managesLoginRole(config) || !db.separateLogin) return;
  const secret = managedLoginSecret(config);
  if (!secret.explicit && !secret.kept) {
    if (await loginRoleExists(db)) throw new ConfigError('DATABASE_URL', loginRefused(secret));
    // Kept before the role is made, so a role is never left with a password nobody holds.
    const kept = keepLoginPassword(secret.file, secret.password);
    if (kept !== secret.password) {
      throw new ConfigError(
        'DATABASE_URL',
        `${loginRefused(secret)} (Another process made ${secret.file} at the same moment: start again.)`,
      );
    }
    secret.kept = true;
  }
  await ensureLoginRole(db, secret.password, { setPassword: secret.explicit });
  await checkManagedLogin(config, db);
}

/** Logs in as the managed role once; refused, a ConfigError says what to do. */
async function checkManagedLogin(config: Config, db: Database): Promise<void> {
  if (!managesLoginRole(config) || !db.separateLogin) return;
  await checkCanLogIn(db, loginRefused(managedLoginSecret(config)));
}

/**
 * The master keyring per config. With a key file, the file is re-read whenever it has changed
 * (a rotation renames a new file into place, so its inode, size or mtime differ): a process that
 * read the file a moment before `lantern keys rotate` wraps new school keys under the new master
 * key and can open schools re-wrapped under it, without a restart.
 */
export function keyringLoader(config: Config, log: Log): () => Keyring {
  if (config.masterKey) {
    const ring = loadKeyring({ kind: 'env', value: config.masterKey }, (m) => log.warn(m));
    return () => ring;
  }
  const file = config.masterKeyFile;
  let ring = loadKeyring(
    { kind: 'file', file, createIfMissing: !config.databaseUrl, dataDir: config.dataDir },
    (m) => log.warn(m),
  );
  const identity = () => {
    const st = statSync(file, { throwIfNoEntry: false });
    return st ? `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` : 'missing';
  };
  let seen = identity();
  return () => {
    const now = identity();
    if (now !== seen && now !== 'missing') {
      ring = readKeyFile(file);
      seen = now;
    }
    return ring;
  };
}

// The one loader per config in this process: services.keys holds it, and the work queue seals and
// opens with the same keyring (work-queue.ts), so the key file is read, and an old key moved, once.
const keyrings = new WeakMap<Config, () => Keyring>();
export function processKeyring(config: Config, log: Log): () => Keyring {
  let ring = keyrings.get(config);
  if (!ring) {
    ring = keyringLoader(config, log);
    keyrings.set(config, ring);
  }
  return ring;
}

/**
 * Outgoing email per config. Without SMTP, only in development are messages (sign-in and reset
 * links included) written to the log for the operator; anywhere else — production and tests —
 * links must never reach a log, so there is no mailer and start-up says, without any link, that
 * emails cannot be sent.
 */
export function configuredMailer(config: Config, log: Log): Mailer | undefined {
  if (config.smtpUrl || config.env === 'development') {
    return createMailer({
      smtpUrl: config.smtpUrl,
      from: config.mailFrom,
      devLogLinks: config.env === 'development',
      log: (m) => log.info(m),
    });
  }
  log.warn(
    'No SMTP server is configured (SMTP_URL), so Lantern cannot send emails: invitations, ' +
      'password-reset links, new-device notices and alert emails will not be delivered.',
  );
  return undefined;
}

export async function createServices(
  config: Config,
  opts: {
    db?: Database;
    log?: Log;
    clock?: Clock;
    mailer?: Mailer;
    /**
     * Make Lantern's own login role if it manages one (the server; `lantern migrate` does it
     * itself). False for the other operator commands: they only log in with it, never touch it.
     */
    ensureLoginRole?: boolean;
  } = {},
): Promise<Services> {
  const log = opts.log ?? consoleLog;
  const db = opts.db ?? (await openConfiguredDatabase(config));
  const keys = new SchoolKeys(processKeyring(config, log));
  // A standby's address (or a host list with no writable primary) stops the start here, with a
  // message saying what to give instead, before anything tries to write.
  await checkWritable(db, config.databaseOwnerUrl ? 'DATABASE_OWNER_URL' : 'DATABASE_URL');
  await migrate(db, undefined, { keys: () => keys });
  if (opts.ensureLoginRole ?? true) await ensureConfiguredLoginRole(config, db);
  else await checkManagedLogin(config, db);
  // A request-time login that could lift the second wall stops the start (issue 11, finding 8).
  if (db.separateLogin) {
    await checkLoginRole(db);
    // The request-time login's own address (DATABASE_URL) may name a standby the owner's does not.
    await checkWritable(db, 'DATABASE_URL', 'login');
  }
  if (db.engine === 'embedded' && config.env === 'production') {
    log.warn(
      'The embedded database runs every query as its superuser, so an SQL injection could pass ' +
        'the second wall; use PostgreSQL with a separate login role for a school (README, Production).',
    );
  }
  return {
    config,
    db,
    keys,
    clock: opts.clock ?? systemClock,
    log,
    mailer: opts.mailer ?? configuredMailer(config, log),
  };
}
