// The login request-time work connects as (issue 11, finding 8): a role that is a member of
// lantern_app, owns nothing, and is member of nothing else, so that an injected `RESET ROLE`,
// `SET ROLE`, or `SET SESSION AUTHORIZATION` lands on it and never on the owner. The owner's own
// login does migrations and operator commands (engine.ts's owner lane).
// Two ways to have one, both checked at start-up by checkLoginRole (a process whose request-time
// login could lift the wall does not start):
// - the operator makes it (README, "Production") and gives its address as DATABASE_URL, with the
//   owner's as DATABASE_OWNER_URL;
// - or gives only the owner's address as DATABASE_URL, and Lantern makes `lantern_web` itself
//   (ensureLoginRole), with a password kept like the master key (services.ts) and sent to the
//   server only as a SCRAM verifier, so it never appears in a statement or the server's log. The
//   password is set only when the role is made, or when the operator gives it explicitly
//   (LANTERN_DB_LOGIN_PASSWORD): every other process, machine or replica logs in with it and
//   never changes it, so a start elsewhere cannot lock out the servers already running.
// To change: keep the role NOINHERIT and a member of lantern_app only, keep checkLoginRole's list
// of refusals, and keep login-role.test.ts passing on both engines.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, parseDatabaseUrl } from '../../config.ts';
import type { Database } from './engine.ts';
import { APP_ROLE } from './tenancy.ts';

/** The login role Lantern makes and manages when it is given only the owner's address. */
export const LOGIN_ROLE = 'lantern_web';

const SCRAM_ITERATIONS = 4096;

/**
 * PostgreSQL's stored form of a SCRAM-SHA-256 password (RFC 5802/7677, as `ALTER ROLE … PASSWORD`
 * stores it): the server can check the password but nobody can read it back from the verifier.
 * The password must be plain ASCII (ours are base64url), for which SASLprep changes nothing.
 */
export function scramVerifier(password: string, salt = randomBytes(16)): string {
  if (!/^[\x21-\x7e]+$/.test(password)) throw new Error('login password must be printable ASCII');
  const salted = pbkdf2Sync(password, salt, SCRAM_ITERATIONS, 32, 'sha256');
  const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();
  const storedKey = createHash('sha256')
    .update(hmac(salted, 'Client Key'))
    .digest()
    .toString('base64');
  const serverKey = hmac(salted, 'Server Key').toString('base64');
  return `SCRAM-SHA-256$${SCRAM_ITERATIONS}:${salt.toString('base64')}$${storedKey}:${serverKey}`;
}

/** The password kept in `file`, or undefined when there is none (nothing is made here). */
export function readLoginPasswordFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Keeps `password` in `file` (readable by the owner of the process only) unless the file already
 * holds one, and answers the password the file holds: another process's, if it wrote first.
 */
export function keepLoginPassword(file: string, password: string): string {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      const kept = readLoginPasswordFile(file);
      if (kept) return kept;
    }
    throw err;
  }
  chmodSync(file, 0o600);
  return password;
}

/** A new password for the login role (base64url: plain ASCII, as scramVerifier needs). */
export function newLoginPassword(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The owner's address with the managed login role and its password in place of the owner's
 * (every host of a multi-host address).
 */
export function loginUrl(ownerUrl: string, password: string): string {
  const { urls, parts } = parseDatabaseUrl(ownerUrl);
  const url = new URL(urls[0]!);
  url.username = LOGIN_ROLE;
  url.password = password;
  if (parts.hostList.length > 1) {
    const userinfo = `${url.username}:${url.password}@`;
    return `${parts.scheme}${userinfo}${parts.hostList.join(',')}${parts.rest}`;
  }
  if (url.username !== LOGIN_ROLE) {
    throw new Error(
      'DATABASE_URL names no host (a Unix socket), so Lantern cannot log in as its own role there: ' +
        `create a login role that is a member of ${APP_ROLE} and give its address as DATABASE_URL ` +
        "and the owner's as DATABASE_OWNER_URL (README, Production).",
    );
  }
  return url.href;
}

/** PostgreSQL's words when two processes change the same role at once; retried. */
function raced(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return e?.code === '23505' || /tuple concurrently (updated|deleted)/.test(e?.message ?? '');
}

/** Whether `lantern_web` exists on the database's server (roles are the whole server's). */
export async function loginRoleExists(db: Database): Promise<boolean> {
  const rows = await db.transaction(
    (tx) => tx.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [LOGIN_ROLE]),
    { owner: true },
  );
  return rows.length > 0;
}

const INSUFFICIENT_PRIVILEGE = '42501';
const DUPLICATE_OBJECT = '42710';

/**
 * Makes `lantern_web` if missing (NOINHERIT, no attributes, with `password`) and a member of
 * lantern_app, as the owner. Run after the migrations (lantern_app is made by 0001). The password
 * of a role that already exists is left alone (another process, machine or replica may be logged
 * in with it) unless `setPassword` says the operator gave it explicitly. The owner needs CREATEROLE
 * (or to be a superuser) for this; without it, a ConfigError says what to do.
 */
export async function ensureLoginRole(
  db: Database,
  password: string,
  opts: { setPassword?: boolean } = {},
): Promise<{ created: boolean }> {
  const verifier = scramVerifier(password);
  if (!/^[A-Za-z0-9+/=:$-]+$/.test(verifier)) throw new Error('unexpected SCRAM verifier');
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(
        async (tx) => {
          let created = false;
          await tx.query('SAVEPOINT make_login_role');
          try {
            await tx.exec(
              `CREATE ROLE ${LOGIN_ROLE} LOGIN NOINHERIT NOSUPERUSER NOBYPASSRLS NOCREATEDB
                 NOCREATEROLE NOREPLICATION PASSWORD '${verifier}'`,
            );
            created = true;
          } catch (err) {
            if ((err as { code?: string } | null)?.code !== DUPLICATE_OBJECT) throw err;
            await tx.query('ROLLBACK TO SAVEPOINT make_login_role');
          }
          await tx.query('RELEASE SAVEPOINT make_login_role');
          if (!created && opts.setPassword) {
            await tx.exec(`ALTER ROLE ${LOGIN_ROLE} PASSWORD '${verifier}'`);
          }
          const [member] = await tx.query<{ member: boolean }>(
            `SELECT pg_has_role($1, '${APP_ROLE}', 'MEMBER') AS member`,
            [LOGIN_ROLE],
          );
          if (!member?.member) await tx.exec(`GRANT ${APP_ROLE} TO ${LOGIN_ROLE}`);
          return { created };
        },
        { owner: true },
      );
    } catch (err) {
      if ((err as { code?: string } | null)?.code === INSUFFICIENT_PRIVILEGE) {
        throw new ConfigError(
          'DATABASE_URL',
          `names a database owner that may not create or change the role ${LOGIN_ROLE} ` +
            'request-time work logs in as. Either grant the owner CREATEROLE (as a superuser: ' +
            'ALTER ROLE <owner> CREATEROLE), or create a login role yourself that is a member of ' +
            `${APP_ROLE} only and owns nothing, give its address as DATABASE_URL and the owner's ` +
            'as DATABASE_OWNER_URL (README, Production).',
        );
      }
      if (!raced(err) || attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}

/** PostgreSQL's refusals of a login: wrong password (28P01), or no such role / may not log in. */
export function isLoginRefused(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === '28P01' || code === '28000';
}

/**
 * Logs in once as the request-time login; a refusal becomes a ConfigError saying `what` to do
 * (any other failure is thrown as it is).
 */
export async function checkCanLogIn(db: Database, what: string): Promise<void> {
  try {
    await db.query('SELECT 1');
  } catch (err) {
    if (isLoginRefused(err)) throw new ConfigError('DATABASE_URL', what);
    throw err;
  }
}

export type LoginRoleFacts = {
  role: string;
  superuser: boolean;
  bypassRls: boolean;
  createRole: boolean;
  createDb: boolean;
  replication: boolean;
  appMember: boolean;
  /** Other roles it may become or inherit from (none allowed). */
  otherRoles: string[];
  /** Tables, views, sequences, functions, schemas, types it owns in this database (none allowed). */
  owns: number;
  /** It or lantern_app may create in schema public, or make temporary tables (0010 revokes both). */
  mayCreate: boolean;
};

/** What PostgreSQL says of the role request-time connections log in as (asked on one of them). */
export async function loginRoleFacts(db: Database): Promise<LoginRoleFacts> {
  const [row] = await db.query<LoginRoleFacts>(
    `SELECT r.rolname AS role, r.rolsuper AS superuser, r.rolbypassrls AS "bypassRls",
            r.rolcreaterole AS "createRole", r.rolcreatedb AS "createDb",
            r.rolreplication AS replication,
            pg_has_role(r.oid, '${APP_ROLE}', 'MEMBER') AS "appMember",
            ARRAY(SELECT o.rolname::text FROM pg_roles o
                  WHERE o.oid <> r.oid AND o.rolname <> '${APP_ROLE}'
                    AND pg_has_role(r.oid, o.oid, 'MEMBER') ORDER BY 1) AS "otherRoles",
            ((SELECT count(*) FROM pg_class WHERE relowner = r.oid)
             + (SELECT count(*) FROM pg_proc WHERE proowner = r.oid)
             + (SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid)
             + (SELECT count(*) FROM pg_type WHERE typowner = r.oid)
             + (SELECT count(*) FROM pg_database WHERE datdba = r.oid))::int AS owns,
            (SELECT bool_or(has_schema_privilege(x, 'public', 'CREATE')
                            OR has_database_privilege(x, current_database(), 'TEMPORARY'))
             FROM unnest(ARRAY[r.oid, '${APP_ROLE}'::regrole::oid]) AS x) AS "mayCreate"
     FROM pg_roles r WHERE r.rolname = session_user`,
  );
  if (!row) throw new Error('the request-time login role is not in pg_roles');
  return row;
}

/**
 * Refuses (throws, naming every problem) unless request-time connections log in as a role that
 * may become lantern_app and nothing else, owns nothing, and has no attribute that passes the
 * walls. Only meaningful for a PostgreSQL database opened with a separate login.
 */
export async function checkLoginRole(db: Database): Promise<void> {
  const f = await loginRoleFacts(db);
  const problems = [
    f.superuser && 'is a superuser',
    f.bypassRls && 'has BYPASSRLS',
    f.createRole && 'has CREATEROLE',
    f.createDb && 'has CREATEDB',
    f.replication && 'has REPLICATION',
    !f.appMember && `is not a member of ${APP_ROLE}`,
    f.otherRoles.length > 0 &&
      `may become ${f.otherRoles.slice(0, 4).join(', ')}${f.otherRoles.length > 4 ? ' and others' : ''}`,
    f.owns > 0 && `owns ${f.owns} objects`,
    f.mayCreate && 'may create tables or temporary tables (migration 0010 could not revoke this)',
  ].filter((p): p is string => typeof p === 'string');
  if (problems.length) {
    throw new ConfigError(
      'DATABASE_URL',
      `logs in as "${f.role}", which ${problems.join(', ')}: an SQL injection could then pass ` +
        `the second wall. Give DATABASE_URL a login role that is a member of ${APP_ROLE} only ` +
        "and owns nothing, and the owner's address as DATABASE_OWNER_URL (README, Production).",
    );
  }
}
