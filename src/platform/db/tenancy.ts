// The second wall. Every request-time query runs inside a transaction that has switched to
// lantern_app (no table owned, no BYPASSRLS) and set the tenant for this transaction only, so
// PostgreSQL itself refuses rows of any other school even if a query forgets its filter.
// To change: keep SET LOCAL (never SET), keep the role switch first, and keep the tests in
// tenancy.test.ts passing on both engines.
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
  return db.transaction(async (tx) => {
    await tx.query(`SET LOCAL ROLE ${APP_ROLE}`);
    await tx.query(`SELECT set_config('lantern.school_id', $1, true)`, [schoolId]);
    return fn(tx);
  });
}

/** For work before the tenant is known (sign-in, session lookup): no school's rows are visible. */
export function inPlatform<T>(db: Database, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return inSchool(db, PLATFORM_SCHOOL_ID, fn);
}

/**
 * Runs as the owner, across every school, bypassing row-level security. Only for operator
 * commands (migrate, school create, keys rotate, audit verify) and test factories.
 */
export function unsafeAsOwner<T>(db: Database, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(fn);
}
