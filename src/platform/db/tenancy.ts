// The second wall. Every request-time query runs inside a transaction that has switched to
// lantern_app (no table owned, no BYPASSRLS) and set the tenant for this transaction only, so
// PostgreSQL itself refuses rows of any other school even if a query forgets its filter.
// On PostgreSQL the connection itself is logged in as a role that is a member of lantern_app and
// owns nothing (issue 11, finding 8; engine.ts, login-role.ts), so the switch is no longer the only
// wall: an injected `RESET ROLE` or `SET SESSION AUTHORIZATION` lands on that login role, never on
// the owner. Only unsafeAsOwner reaches the owner's own login.
// The same first statement bounds the work (issue 11, finding 13): a statement running past the
// statement timeout is cancelled and a transaction left idle past its timeout is ended, so no
// member's request can hold a connection for long; the engine turns either into a
// DatabaseBusyError (503), and keeps each school to its share of the connections (engine.ts).
// On the embedded engine (PGlite) the timeouts cannot apply: it has no timer signals and runs one
// statement at a time on the process's own thread, so they are not set there; nor can its
// session be anyone but the bootstrap superuser (login-role.test.ts shows both limits).
// To change: keep SET LOCAL / set_config(…, true) (never session-wide), keep the role switch
// first, always name a request-time lane (an unnamed one is the owner's), and keep the tests in
// tenancy.test.ts, timeouts.test.ts and login-role.test.ts passing on both engines.
import type { Database, Queryable } from './engine.ts';

export const PLATFORM_SCHOOL_ID = '00000000-0000-0000-0000-000000000000';
export const APP_ROLE = 'lantern_app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function inSchool<T>(
  db: Database,
  schoolId: string,
  fn: (tx: Queryable) => Promise<T>,
): Promise<T> {
  if (!UUID.test(schoolId)) throw new Error('inSchool: school id is not a uuid');
  const lane = schoolId === PLATFORM_SCHOOL_ID ? { reserved: true as const } : { tenant: schoolId };
  return db.transaction(async (tx) => {
    await tx.query(`SET LOCAL ROLE ${APP_ROLE}`);
    if (db.engine === 'postgres') {
      const { statementTimeoutMs, idleInTransactionTimeoutMs } = db.limits;
      await tx.query(
        `SELECT set_config('lantern.school_id', $1, true),
                set_config('statement_timeout', $2, true),
                set_config('idle_in_transaction_session_timeout', $3, true)`,
        [schoolId, `${statementTimeoutMs}ms`, `${idleInTransactionTimeoutMs}ms`],
      );
    } else {
      await tx.query(`SELECT set_config('lantern.school_id', $1, true)`, [schoolId]);
    }
    return fn(tx);
  }, lane);
}

/**
 * For work before the tenant is known (sign-in, session lookup): no school's rows are visible.
 * Runs on the reserved connections, so busy schools cannot keep anyone from signing in.
 */
export function inPlatform<T>(db: Database, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return inSchool(db, PLATFORM_SCHOOL_ID, fn);
}

/**
 * Runs as the owner, across every school, bypassing row-level security, on the owner's own login
 * (never a request-time connection). Only for operator commands (migrate, school create, keys
 * rotate, audit verify), the jobs' list of schools, and test factories. No timeouts: a migration
 * or a key rotation may rightly take long.
 */
export function unsafeAsOwner<T>(db: Database, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(fn, { owner: true });
}
