// The long-lived parts one Lantern process shares: configuration, database, keys, clock, log.
// Built once at start-up (src/main.ts) or by a test, and handed to the HTTP app and the CLI.
import type { Config } from '../config.ts';
import type { Database } from './db/engine.ts';
import { openDatabase } from './db/engine.ts';
import { migrate } from './db/migrate.ts';
import {
  checkLoginRole,
  ensureLoginRole,
  loginPasswordFromFile,
  loginUrl,
} from './db/login-role.ts';
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

export function embeddedDbDir(config: Config): string {
  return path.join(config.dataDir, 'pgdata');
}

/** Only the owner's address given: Lantern makes and logs in as its own role (login-role.ts). */
function managesLoginRole(config: Config): boolean {
  return config.databaseUrl !== undefined && config.databaseOwnerUrl === undefined;
}

/** Kept like the master key: the setting, or a file beside the master key file. */
function managedLoginPassword(config: Config): string {
  return (
    config.databaseLoginPassword ??
    loginPasswordFromFile(
      config.databaseLoginPasswordFile ??
        path.join(path.dirname(config.masterKeyFile), 'db-login.secret'),
    )
  );
}

/**
 * The configured database. On PostgreSQL request-time work logs in as a role apart from the
 * owner's (issue 11): DATABASE_URL's with DATABASE_OWNER_URL, or else `lantern_web` at
 * DATABASE_URL's server, whose password Lantern keeps (ensureConfiguredLoginRole makes the role).
 */
export async function openConfiguredDatabase(config: Config): Promise<Database> {
  if (!config.databaseUrl) return openDatabase({ engine: 'embedded', dir: embeddedDbDir(config) });
  const url = config.databaseOwnerUrl
    ? config.databaseUrl
    : loginUrl(config.databaseUrl, managedLoginPassword(config));
  const ownerUrl = config.databaseOwnerUrl ?? config.databaseUrl;
  return openDatabase({ engine: 'postgres', url, ownerUrl, ...config.database });
}

/** After the migrations (lantern_app exists): makes Lantern's own login role when it manages one. */
export async function ensureConfiguredLoginRole(config: Config, db: Database): Promise<void> {
  if (managesLoginRole(config) && db.separateLogin) {
    await ensureLoginRole(db, managedLoginPassword(config));
  }
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
  opts: { db?: Database; log?: Log; clock?: Clock; mailer?: Mailer } = {},
): Promise<Services> {
  const log = opts.log ?? consoleLog;
  const db = opts.db ?? (await openConfiguredDatabase(config));
  const keys = new SchoolKeys(keyringLoader(config, log));
  await migrate(db, undefined, { keys: () => keys });
  await ensureConfiguredLoginRole(config, db);
  // A request-time login that could lift the second wall stops the start (issue 11, finding 8).
  if (db.separateLogin) await checkLoginRole(db);
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
