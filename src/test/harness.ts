// Test building blocks: a real database (embedded from the migrated snapshot, or the PostgreSQL
// test database), real services, the real HTTP app, and factories that build a fresh school per
// test so nothing needs cleaning up.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import type { InjectOptions } from 'fastify';
import { loadConfig, type Config } from '../config.ts';
import { openDatabase, type Database, type DatabaseLimits } from '../platform/db/engine.ts';
import { createServices, jsonLog, type Clock, type Services } from '../platform/services.ts';
import { buildApp, type RouteInfo } from '../http/app.ts';
import type { App } from '../core/feature.ts';
import { FEATURES } from '../features.ts';
import { startWorkQueue } from '../jobs/work-queue.ts';
import { startExportRunner } from '../features/school-exit/app-export.ts';
import { createSchool } from '../features/administration/create-school.ts';
import { createUser } from '../features/administration/create-user.ts';
import { unsafeAsOwner } from '../platform/db/tenancy.ts';
import type { Role } from '../core/access/actor.ts';
import { totpCodeAt } from '../features/identity/totp.ts';
import { hashToken, sessionCookieName } from '../features/identity/sessions.ts';

export const silentLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    ...loadConfig({ NODE_ENV: 'test', LANTERN_DATA_DIR: '/nonexistent-lantern-test' }),
    masterKey: randomBytes(32).toString('base64'),
    ...overrides,
  };
}

/**
 * The test database: on PostgreSQL, request-time work logs in as the login role and the
 * factories (unsafeAsOwner) as the owner, as in production (issue 11).
 */
export async function testDatabase(
  limits: Partial<DatabaseLimits> = { poolSize: 5 },
): Promise<Database> {
  if (inject('engine') === 'postgres') {
    return openDatabase({
      engine: 'postgres',
      url: inject('databaseLoginUrl'),
      ownerUrl: inject('databaseUrl'),
      ...limits,
    });
  }
  const snapshot = new Blob([readFileSync(inject('snapshotPath'))]);
  return openDatabase({ engine: 'embedded', snapshot });
}

/** A clock tests can move. */
export function testClock(
  start = new Date(),
): Clock & { set(d: Date): void; advance(ms: number): void } {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    set: (d) => {
      t = d.getTime();
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

export async function testServices(
  opts: { config?: Partial<Config>; clock?: Clock } = {},
): Promise<Services> {
  const db = await testDatabase();
  return createServices(testConfig(opts.config), {
    db,
    log: silentLog,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
}

export type TestApp = { app: App; routes: RouteInfo[]; services: Services; close(): Promise<void> };

/**
 * The app for services a test made itself (its own database files, a key about to rotate…),
 * known to signIn and currentCode like testApp's, which need the database for test shortcuts.
 */
export async function appFor(
  services: Services,
  logTo?: (line: string) => void,
): Promise<{ app: App; routes: RouteInfo[] }> {
  const built = await buildApp(
    services,
    FEATURES,
    logTo ? { logDestination: { write: logTo } } : {},
  );
  servicesOf.set(built.app, services);
  return built;
}

export async function testApp(
  opts: {
    config?: Partial<Config>;
    clock?: Clock;
    /** Every line the server logs (request log and services' log) at level info, here. */
    logTo?: (line: string) => void;
    /** Runs schools' exports as src/main.ts does (the browser tests); server tests run them. */
    exportRunner?: boolean;
  } = {},
): Promise<TestApp> {
  const logTo = opts.logTo;
  const services = logTo
    ? await createServices(testConfig({ logLevel: 'info', ...opts.config }), {
        db: await testDatabase(),
        log: jsonLog(logTo),
        ...(opts.clock ? { clock: opts.clock } : {}),
      })
    : await testServices(opts);
  const { app, routes } = await appFor(services, logTo);
  // Emails and other deferred work run after each answer, as in production (src/jobs/work-queue.ts).
  const work = startWorkQueue(services);
  const exports = opts.exportRunner ? startExportRunner(services, { everyMs: 1_000 }) : null;
  // Each test app speaks from its own address, so the per-address sign-in throttle of one test
  // file never slows another that shares the PostgreSQL database. A test may still set its own.
  const address = `2001:db8::${randomBytes(6).toString('hex').match(/.{4}/g)!.join(':')}`;
  const injectFrom = app.inject.bind(app) as (o: InjectOptions) => ReturnType<App['inject']>;
  (app as { inject: unknown }).inject = (o: InjectOptions) =>
    injectFrom({ remoteAddress: address, ...o });
  return {
    app,
    routes,
    services,
    close: async () => {
      await exports?.stop();
      await work.stop();
      await app.close();
      await services.db.close();
    },
  };
}

export const TEST_PASSWORD = 'correct-Horse-battery-9!';

export async function makeSchool(s: Services, name = `Test School ${randomUUID().slice(0, 8)}`) {
  return createSchool(s, { name }, 'test');
}

export type TestUser = {
  id: string;
  schoolId: string;
  email: string;
  password: string;
  role: Role;
};

export async function makeUser(
  s: Services,
  schoolId: string,
  role: Role,
  name = `Staff ${role}`,
): Promise<TestUser> {
  const email = `${role}-${randomUUID().slice(0, 8)}@test.lantern.invalid`;
  const id = await createUser(
    s.db,
    { schoolId, email, name, role, password: TEST_PASSWORD },
    'test',
    s.clock.now(),
  );
  return { id, schoolId, email, password: TEST_PASSWORD, role };
}

export async function makePupil(
  s: Services,
  schoolId: string,
  p: { firstName?: string; lastName?: string; yearGroup?: string; form?: string } = {},
): Promise<{ id: string; name: string }> {
  const first = p.firstName ?? 'Pupil';
  const last = p.lastName ?? `Test${randomUUID().slice(0, 6)}`;
  const [row] = await unsafeAsOwner(s.db, (tx) =>
    tx.query<{ id: string }>(
      `INSERT INTO pupils (school_id, first_name, last_name, year_group, form)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [schoolId, first, last, p.yearGroup ?? 'Year 7', p.form ?? '7A'],
    ),
  );
  return { id: row!.id, name: `${first} ${last}` };
}

export async function categoryIds(
  s: Services,
  schoolId: string,
): Promise<{ id: string; name: string; restricted: boolean }[]> {
  return unsafeAsOwner(s.db, (tx) =>
    tx.query(
      'SELECT id, name, restricted FROM categories WHERE school_id = $1 ORDER BY sort_order',
      [schoolId],
    ),
  );
}

export type Session = { cookie: string; csrf: string };

/** Each test app's services, so signIn can reach the database for test-only shortcuts. */
const servicesOf = new WeakMap<App, Services>();
/** TOTP secrets enrolled by signIn, by email (the test plays the user's authenticator app). */
export const totpSecrets = new Map<string, string>();

function sessionFrom(
  res: { cookies: { name: string; value: string }[] },
  csrf: string,
  old?: Session,
): Session {
  // Test apps run without TLS unless a test asks for it (to check a cookie's prefix).
  const names = [sessionCookieName({ tls: false }), sessionCookieName({ tls: true })];
  const cookie = res.cookies.find((c) => names.includes(c.name));
  if (!cookie && !old) throw new Error('no session cookie');
  return { cookie: cookie ? `${cookie.name}=${cookie.value}` : old!.cookie, csrf };
}

/** A code for the user's authenticator now. The replay guard is reset first (test factories only). */
export async function currentCode(app: App, user: { email: string }): Promise<string> {
  const secret = totpSecrets.get(user.email);
  if (!secret) throw new Error(`no authenticator enrolled by the harness for ${user.email}`);
  const services = servicesOf.get(app);
  if (services) {
    await unsafeAsOwner(services.db, (tx) =>
      tx.query(
        'UPDATE totp_credentials SET last_step = NULL WHERE user_id = (SELECT id FROM users WHERE lower(email) = lower($1))',
        [user.email],
      ),
    );
  }
  return totpCodeAt(secret, services?.clock.now() ?? new Date());
}

/**
 * Signs in through the API. With `elevated`, also enrols an authenticator app for the user (the
 * first time) and gives a code, as a person would, so the session may read records. A user whose
 * school requires their second factor at sign-in always gives it; one who has none yet must enrol
 * one before the session may do anything else, so the harness enrols it — and without `elevated`
 * then lets the elevation lapse (test-only shortcut: as if the school's window had passed), which
 * leaves the first tier the caller asked for.
 */
export async function signIn(
  app: App,
  user: { email: string; password: string },
  opts: { elevated?: boolean } = {},
): Promise<Session> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-in',
    payload: { email: user.email, password: user.password },
  });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  const body = res.json<{
    csrfToken: string;
    secondFactorRequired?: boolean;
    secondFactor?: { enrolmentRequired?: boolean };
  }>();
  let session = sessionFrom(res, body.csrfToken);
  const mustEnrol = body.secondFactor?.enrolmentRequired === true;
  if (!body.secondFactorRequired && !opts.elevated && !mustEnrol) return session;
  if (!body.secondFactorRequired) {
    const enrol = await call(app, session, 'POST', '/api/auth/totp/enrol');
    if (enrol.statusCode === 200) {
      const secret = enrol.json<{ manualKey: string }>().manualKey.replace(/\s/g, '');
      totpSecrets.set(user.email, secret);
      const confirmed = await call(app, session, 'POST', '/api/auth/totp/confirm', {
        code: await currentCode(app, user),
      });
      if (confirmed.statusCode !== 200) throw new Error(`TOTP confirm failed: ${confirmed.body}`);
      session = sessionFrom(
        confirmed,
        confirmed.json<{ session: { csrfToken: string } }>().session.csrfToken,
        session,
      );
      if (!opts.elevated) await lapseElevation(app, session);
      return session;
    }
  }
  const verified = await call(app, session, 'POST', '/api/auth/verify/totp', {
    code: await currentCode(app, user),
  });
  if (verified.statusCode !== 200)
    throw new Error(`second factor failed: ${verified.statusCode} ${verified.body}`);
  session = sessionFrom(verified, verified.json<{ csrfToken: string }>().csrfToken, session);
  return session;
}

/** Ends a session's elevation now (test-only: the school's elevation window, passed). */
async function lapseElevation(app: App, session: Session): Promise<void> {
  const services = servicesOf.get(app);
  if (!services) throw new Error('lapseElevation needs an app made by testApp');
  await unsafeAsOwner(services.db, (tx) =>
    tx.query('UPDATE sessions SET elevated_until = NULL WHERE token_hash = $1', [
      hashToken(session.cookie.slice(session.cookie.indexOf('=') + 1)),
    ]),
  );
}

/** Calls the API as a signed-in user (or signed out with session null). */
export function call(
  app: App,
  session: Session | null,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
) {
  return app.inject({
    method,
    url,
    headers: session ? { cookie: session.cookie, 'x-csrf-token': session.csrf } : {},
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
}
