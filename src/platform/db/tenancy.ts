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
import type { Database, Queryable, Row } from './engine.ts';

export const PLATFORM_SCHOOL_ID = '00000000-0000-0000-0000-000000000000';
export const APP_ROLE = 'lantern_app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function inSchool<T>(
  db: Database,
  schoolId: string,
  fn: (tx: Queryable) => Promise<T>,
): Promise<T> {
  if (!UUID.test(schoolId)) throw new Error('inSchool: school id is not a uuid');
  const opening = openingFor(db, schoolId);
  const lane =
    schoolId === PLATFORM_SCHOOL_ID
      ? { reserved: true as const, opening }
      : { tenant: schoolId, opening };
  return db.transaction(fn, lane);
}

/**
 * The role switch first, then the tenant and the time bounds, as one parameterless statement list
 * the engine sends with BEGIN in a single round trip. Its only values are a school id that has
 * just matched the uuid pattern and the engine's own numeric limits, so nothing from a request
 * is ever spliced into it.
 */
function openingFor(db: Database, schoolId: string): string {
  return openingWithTenant(db, `'${schoolId}'`);
}

/**
 * The opening with the tenant given as SQL: a quoted uuid, or lookupInItsSchool's sub-select;
 * `extra` are further set_config(…, true) calls built here alone (the trust's, below).
 */
function openingWithTenant(db: Database, tenant: string, extra = ''): string {
  const role = `SET LOCAL ROLE ${APP_ROLE}`;
  if (db.engine !== 'postgres') {
    return `${role}; SELECT set_config('lantern.school_id', ${tenant}, true)${extra}`;
  }
  const statementMs = Math.trunc(db.limits.statementTimeoutMs);
  const idleMs = Math.trunc(db.limits.idleInTransactionTimeoutMs);
  return `${role}; SELECT set_config('lantern.school_id', ${tenant}, true)${extra},
    set_config('statement_timeout', '${statementMs}ms', true),
    set_config('idle_in_transaction_session_timeout', '${idleMs}ms', true)`;
}

const LOOKUP_FUNCTION = /^lantern_find_[a-z_]+$/;

/**
 * Calls one of the SECURITY DEFINER look-up functions that find a row across schools by an exact
 * key (lantern_find_session: a session by its token's hash) before the tenant is known, in a
 * single round trip: the platform's opening (role switch first, no school) and the call go in one
 * message. The key is a hash the caller computed, written as a hex bytea literal, and the function
 * name must match lantern_find_…, so nothing a request sent is spliced into the SQL.
 */
export function platformLookup<T extends Row>(
  db: Database,
  fn: string,
  key: Buffer,
  columns: string,
): Promise<T[]> {
  if (!LOOKUP_FUNCTION.test(fn)) throw new Error('platformLookup: not a look-up function');
  if (!/^[a-z_]+(, [a-z_]+)*$/.test(columns)) throw new Error('platformLookup: bad columns');
  const opening = openingFor(db, PLATFORM_SCHOOL_ID);
  return db.lookup<T>(`SELECT ${columns} FROM ${fn}('\\x${key.toString('hex')}'::bytea)`, {
    reserved: true,
    opening,
  });
}

/**
 * Reads a row in the school that one of the lantern_find_… look-ups names, in a single round trip
 * (issue 12: a signed-in request's session, user and grants, read before the school is known).
 * The opening sets the tenant to the school the look-up function finds for the hashed key (the
 * platform's empty school when it finds none), so `select` then runs under that school's
 * row-level security like any request-time query. `select` matches its row by the key as its
 * one parameter, `$1` (bytea), and is prepared once per connection (engine.ts lookup). The key is
 * a hash the caller computed, written into the opening as a hex bytea literal, and the function
 * name must match lantern_find_…, so nothing a request sent is spliced into the SQL. Runs on the
 * reserved connections, as platformLookup does: every signed-in request's session read goes there
 * as one short message (no school's slot applies, as its school is not yet known), so sign-in and
 * the health check wait at most behind other such single messages, never behind a school's
 * transactions.
 */
export function lookupInItsSchool<T extends Row>(
  db: Database,
  fn: string,
  key: Buffer,
  select: string,
): Promise<T[]> {
  if (!LOOKUP_FUNCTION.test(fn)) throw new Error('lookupInItsSchool: not a look-up function');
  const keyLiteral = `'\\x${key.toString('hex')}'::bytea`;
  const opening = openingWithTenant(
    db,
    `coalesce((SELECT school_id::text FROM ${fn}(${keyLiteral}) LIMIT 1), '${PLATFORM_SCHOOL_ID}')`,
  );
  return db.lookup<T>(select, { reserved: true, opening }, key);
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

/**
 * A trust member's transaction (issue 20). Protects the trust's wall: the trust and member are set
 * only from the session that `sessionHash` (the SHA-256 of the trust cookie, computed by the
 * caller) names through lantern_find_trust_session, never from a value a request sent, and the
 * tenant is the platform's empty school, so no school's rows are visible: only the trust's own
 * rows (members, sessions, grants to this member, and the figures of the schools that share).
 * With `grantId`, the tenant is instead the school of that grant, found by
 * lantern_find_trust_grant_school only while the grant is active, unexpired and unrevoked and held
 * by this session's member: otherwise the empty school, and PostgreSQL yields no pupil row. To
 * change safely: keep both values derived in SQL from the hashed key alone (the grant id must
 * match the uuid pattern), and keep the tests in features/trust/rls.test.ts passing on both
 * engines. The trust is set only from a full, unexpired session of an active member; `lane:
 * 'signing-in'` (resolving the cookie, ending and auditing an ended session, nothing else) accepts
 * a session at any stage or past its expiry.
 */
export function inTrust<T>(
  db: Database,
  sessionHash: Buffer,
  fn: (tx: Queryable) => Promise<T>,
  grantId?: string,
  lane: 'full' | 'signing-in' = 'full',
): Promise<T> {
  if (grantId !== undefined && !UUID.test(grantId)) throw new Error('inTrust: grant is not a uuid');
  const key = `'\\x${sessionHash.toString('hex')}'::bytea`;
  const session =
    lane === 'full'
      ? `lantern_find_trust_session(${key})`
      : `lantern_find_trust_session_signing_in(${key})`;
  const tenant = grantId
    ? `coalesce((SELECT school_id::text FROM lantern_find_trust_grant_school(${key}, '${grantId}'::uuid) LIMIT 1), '${PLATFORM_SCHOOL_ID}')`
    : `'${PLATFORM_SCHOOL_ID}'`;
  const extra = `,
    set_config('lantern.trust_id', coalesce((SELECT trust_id::text FROM ${session} LIMIT 1), ''), true),
    set_config('lantern.trust_member_id', coalesce((SELECT member_id::text FROM ${session} LIMIT 1), ''), true)`;
  const opening = openingWithTenant(db, tenant, extra);
  // The school is not known before the opening runs: a trust's transactions share the reserved
  // lane's fairness key when they read no school, and the main pool (keyed by grant) when they do.
  return grantId
    ? db.transaction(fn, { tenant: `trust-grant:${grantId}`, opening })
    : db.transaction(fn, { reserved: true, opening });
}

/**
 * A trust member's transaction before their session exists (the password just checked, the
 * session being made): trust and member set from ids the server found (lantern_find_trust_login),
 * matched against the uuid pattern, the tenant the platform's empty school — as inSchool is for a
 * school's known id.
 */
export function inTrustAs<T>(
  db: Database,
  who: { trustId: string; memberId: string },
  fn: (tx: Queryable) => Promise<T>,
): Promise<T> {
  if (!UUID.test(who.trustId) || !UUID.test(who.memberId)) {
    throw new Error('inTrustAs: not a uuid');
  }
  const extra = `,
    set_config('lantern.trust_id', '${who.trustId}', true),
    set_config('lantern.trust_member_id', '${who.memberId}', true)`;
  const opening = openingWithTenant(db, `'${PLATFORM_SCHOOL_ID}'`, extra);
  return db.transaction(fn, { reserved: true, opening });
}
