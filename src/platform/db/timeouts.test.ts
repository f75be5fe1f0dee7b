// Issue 11, finding 13: one member's slow requests must not stall every school. On PostgreSQL a
// request-time statement is cancelled at the statement timeout, an idle transaction is ended, one
// school holds at most half the main pool, and the health check and the before-the-school look-ups
// have connections of their own. (The embedded engine has one in-process connection and no timer
// signals: none of this can apply there, see engine.ts; the last test shows what does.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import {
  appFor,
  call,
  makeSchool,
  makeUser,
  signIn,
  silentLog,
  testConfig,
  testDatabase,
} from '../../test/harness.ts';
import { createServices, type Services } from '../services.ts';
import type { App } from '../../core/feature.ts';
import { DatabaseBusyError, openDatabase, type Database } from './engine.ts';
import { inPlatform, inSchool, unsafeAsOwner } from './tenancy.ts';

const onPostgres = inject('engine') === 'postgres';

async function timed<T>(work: Promise<T>): Promise<{ ms: number; out: T }> {
  const start = performance.now();
  const out = await work;
  return { ms: performance.now() - start, out };
}

async function failure(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => new Error('expected a failure'),
    (err: unknown) => err,
  );
}

describe.runIf(onPostgres)('request-time limits on PostgreSQL', () => {
  let db: Database;
  let services: Services;
  let app: App;
  beforeAll(async () => {
    db = await testDatabase({
      poolSize: 4,
      reservedConnections: 1,
      statementTimeoutMs: 700,
      idleInTransactionTimeoutMs: 700,
    });
    services = await createServices(testConfig(), { db, log: silentLog });
    app = (await appFor(services)).app;
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('cancels a slow statement at the statement timeout, as a "took too long" error', async () => {
    const school = await makeSchool(services);
    const { ms, out } = await timed(
      failure(inSchool(db, school, (tx) => tx.query('SELECT pg_sleep(5)'))),
    );
    expect(out).toBeInstanceOf(DatabaseBusyError);
    expect(out).toMatchObject({
      kind: 'unavailable',
      code: 'timeout',
      reason: 'statement_timeout',
    });
    expect((out as Error).message).toMatch(/took too long/);
    expect(ms).toBeGreaterThanOrEqual(650);
    expect(ms).toBeLessThan(3000);
    // The owner's work (migrations, key rotation) has no such limit.
    await unsafeAsOwner(db, (tx) => tx.query('SELECT pg_sleep(1)'));
  });

  it('ends a transaction left idle past its timeout, and the pool carries on', async () => {
    const school = await makeSchool(services);
    const out = await failure(
      inSchool(db, school, async (tx) => {
        await new Promise((r) => setTimeout(r, 1500));
        return tx.query('SELECT 1');
      }),
    );
    expect(out).toBeInstanceOf(DatabaseBusyError);
    expect(out).toMatchObject({ reason: 'idle_timeout' });
    for (let i = 0; i < 6; i++) {
      expect(await inSchool(db, school, (tx) => tx.query('SELECT 1 AS one'))).toEqual([{ one: 1 }]);
    }
  });

  it('keeps another school, the health check and session look-ups answering while one school is stuck', async () => {
    const busy = await makeSchool(services);
    const other = await makeSchool(services);
    const member = await makeUser(services, other, 'teacher');
    const session = await signIn(app, member);
    // Eight slow requests of one school: only two connections (half the pool) are theirs; the
    // rest wait their turn inside their school, and give up at the timeout rather than hang.
    const stuck = Array.from({ length: 8 }, () =>
      failure(inSchool(db, busy, (tx) => tx.query('SELECT pg_sleep(0.6)'))),
    );
    await new Promise((r) => setTimeout(r, 100));
    const health = await timed(app.inject({ method: 'GET', url: '/healthz' }));
    expect(health.out.statusCode).toBe(200);
    expect(health.ms).toBeLessThan(300);
    const me = await timed(call(app, session, 'GET', '/api/auth/session'));
    expect(me.out.statusCode).toBe(200);
    expect(me.ms).toBeLessThan(300);
    const outcomes = await Promise.all(stuck);
    expect(outcomes.filter((o) => o instanceof DatabaseBusyError).length).toBeGreaterThan(0);
  });

  it('answers the health check and look-ups before a school is known with the main pool full', async () => {
    // Every main-pool connection held: two schools, each at its share of half the pool.
    const [one, two] = [await makeSchool(services), await makeSchool(services)];
    const holders = [one, one, two, two].map((school) =>
      inSchool(db, school, (tx) => tx.query('SELECT pg_sleep(0.5)')),
    );
    await new Promise((r) => setTimeout(r, 100));
    const health = await timed(app.inject({ method: 'GET', url: '/healthz' }));
    expect(health.out.statusCode).toBe(200);
    expect(health.ms).toBeLessThan(300);
    const lookup = await timed(
      inPlatform(db, (tx) => tx.query(`SELECT * FROM lantern_find_session($1)`, ['0'.repeat(64)])),
    );
    expect(lookup.out).toEqual([]);
    expect(lookup.ms).toBeLessThan(300);
    await Promise.all(holders);
  });
});

describe.runIf(!onPostgres)('request-time limits on the embedded engine', () => {
  it('cannot cancel a statement: PGlite ignores statement_timeout, so Lantern does not pretend', async () => {
    const db = await openDatabase({ engine: 'embedded' });
    try {
      const { ms } = await timed(
        db.transaction(
          async (tx) => {
            await tx.query(`SET LOCAL statement_timeout = '100ms'`);
            await tx.query('SELECT pg_sleep(0.4)');
          },
          { owner: true },
        ),
      );
      expect(ms).toBeGreaterThanOrEqual(350);
    } finally {
      await db.close();
    }
  });
});
