// Several Lantern processes on one database (issue 16). Two instances — two sets of services and
// two apps, each with its own connection pools on PostgreSQL (as two processes have), sharing one
// database; on the embedded engine, which is one process, they share its one connection — must
// behave as one: a session, a failed sign-in and a step-up made through one are honoured by the
// other, and each due job run by both at the same moment is done exactly once (one escalation
// alert, one reminder, one MIS pull, one retention sweep's audit, one session ended).
import { createServer, type Server } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appFor,
  call,
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  silentLog,
  testApp,
  testDatabase,
  type TestApp,
} from '../test/harness.ts';
import { createServices, type Services } from '../platform/services.ts';
import { unsafeAsOwner } from '../platform/db/tenancy.ts';
import type { App } from '../core/feature.ts';
import { runMinuteJob } from './due-work.ts';
import { runMisPullJob } from '../features/mis/scheduler.ts';
import { claimJob, renewJob, runLeased } from '../platform/jobs/lease.ts';

let a: TestApp;
let b: { app: App; services: Services };
let server: Server;
let base = '';
let feedHits = 0;

beforeAll(async () => {
  // Development: the MIS feed below is served over plain http on loopback.
  a = await testApp({ config: { env: 'development' } });
  // The second instance: the same configuration (master key), its own pools on PostgreSQL.
  const db = a.services.db.engine === 'postgres' ? await testDatabase() : a.services.db;
  const services = await createServices(a.services.config, { db, log: silentLog });
  const { app } = await appFor(services);
  const address = `2001:db8::${randomBytes(6).toString('hex').match(/.{4}/g)!.join(':')}`;
  const inject = app.inject.bind(app) as (o: InjectOptions) => ReturnType<App['inject']>;
  (app as { inject: unknown }).inject = (o: InjectOptions) =>
    inject({ remoteAddress: address, ...o });
  b = { app, services };
  // A tiny MIS feed (no pupils): counts the pulls it serves.
  server = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://x').pathname.endsWith('/students')) feedHits += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ data: [], meta: { pagination: { next: null } } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/v1.0/schools/S1`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await b.app.close();
  if (b.services.db !== a.services.db) await b.services.db.close();
  await a.close();
});

const owner = <T extends Record<string, unknown>>(sql: string, params: unknown[]) =>
  unsafeAsOwner(a.services.db, (q) => q.query<T>(sql, params));

describe('two Lantern instances on one database', () => {
  it('share sessions, step-up and the sign-in throttle', async () => {
    const schoolId = await makeSchool(a.services);
    const dsl = await makeUser(a.services, schoolId, 'dsl');
    // Signed in and stepped up through A; B honours the same session and its elevation.
    const session = await signIn(a.app, dsl, { elevated: true });
    const onB = await call(b.app, session, 'GET', '/api/auth/session');
    expect(onB.statusCode, onB.body).toBe(200);
    expect(onB.json<{ elevated: boolean }>().elevated).toBe(true);
    // Signed out through B: A no longer knows the session.
    expect((await call(b.app, session, 'POST', '/api/auth/sign-out')).statusCode).toBe(204);
    expect((await call(a.app, session, 'GET', '/api/auth/session')).statusCode).toBe(401);

    // Failed sign-ins counted by both: two through each, then the right password is held back.
    const teacher = await makeUser(a.services, schoolId, 'teacher');
    const attempt = (app: App, password: string) =>
      app.inject({
        method: 'POST',
        url: '/api/auth/sign-in',
        payload: { email: teacher.email, password },
      });
    for (const app of [a.app, b.app, a.app, b.app]) {
      expect((await attempt(app, 'wrong-Password-1!')).statusCode).toBe(401);
    }
    expect((await attempt(a.app, teacher.password)).statusCode).toBe(429);
  });

  it('do each due job exactly once when both run it at the same moment', async () => {
    const schoolId = await makeSchool(a.services);
    const dslUser = await makeUser(a.services, schoolId, 'dsl');
    const teacherUser = await makeUser(a.services, schoolId, 'teacher');
    const adminUser = await makeUser(a.services, schoolId, 'school_admin');
    const pupil = await makePupil(a.services, schoolId);
    const category = (await categoryIds(a.services, schoolId)).find((c) => !c.restricted)!;
    // A concern logged through B raises the DSL team's alerts, to escalate if unacknowledged.
    const teacher = await signIn(b.app, teacherUser);
    const logged = await call(b.app, teacher, 'POST', '/api/concerns', {
      pupils: [{ pupilId: pupil.id, role: 'subject' }],
      categoryIds: [category.id],
      happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
      body: 'Said she was scared to go home.',
    });
    expect(logged.statusCode, logged.body).toBe(201);
    const concernId = logged.json<{ id: string }>().id;
    // An action whose reminder falls due, made through A.
    const dsl = await signIn(a.app, dslUser, { elevated: true });
    const action = await call(a.app, dsl, 'POST', '/api/actions', {
      pupilId: pupil.id,
      concernId,
      type: 'phone_call',
      text: 'Ring home',
      assigneeId: dslUser.id,
      remindAt: new Date(Date.now() + 10 * 60_000).toISOString(),
    });
    expect(action.statusCode, action.body).toBe(201);
    const actionId = action.json<{ id: string }>().id;
    // A pull connector that is due.
    const admin = await signIn(a.app, adminUser, { elevated: true });
    const set = await call(a.app, admin, 'PUT', '/api/admin/mis/connector', {
      baseUrl: base,
      token: 'wonde-token',
    });
    expect(set.statusCode, set.body).toBe(200);
    await owner(
      `UPDATE mis_connectors SET next_run_at = now() - interval '1 minute' WHERE school_id = $1`,
      [schoolId],
    );
    // A session that has idled out.
    await signIn(b.app, teacherUser);
    await owner(`UPDATE sessions SET last_seen_at = now() - interval '1 day' WHERE user_id = $1`, [
      teacherUser.id,
    ]);

    // The jobs' own periods passed: a run of each job may start now in either instance.
    await owner(`UPDATE job_runs SET started_at = NULL, lease_until = NULL`, []);
    const later = new Date(Date.now() + 2 * 24 * 3_600_000);
    const only = [schoolId];
    const feedBefore = feedHits;
    const [ranA, ranB] = await Promise.all([
      runMisPullJob(a.services, only),
      runMisPullJob(b.services, only),
      runMinuteJob(a.services, later, { only }),
      runMinuteJob(b.services, later, { only }),
    ]);
    expect(ranA + ranB).toBe(1);
    expect(feedHits - feedBefore).toBe(1);

    const alerts = await owner<{ kind: string; target_id: string }>(
      `SELECT kind, target_id FROM alerts WHERE school_id = $1 AND kind IN ('escalation', 'action_reminder')
       ORDER BY kind`,
      [schoolId],
    );
    const escalatedTo = await owner<{ n: number }>(
      `SELECT count(DISTINCT recipient_id)::int AS n FROM alerts
       WHERE school_id = $1 AND kind = 'escalation'`,
      [schoolId],
    );
    expect(alerts.filter((r) => r.kind === 'escalation')).toHaveLength(escalatedTo[0]!.n);
    expect(alerts.filter((r) => r.kind === 'action_reminder')).toEqual([
      { kind: 'action_reminder', target_id: actionId },
    ]);
    // Each of the teacher's lapsed sessions ended, and audited, once.
    const [{ n: lapsed }] = (await owner<{ n: number }>(
      'SELECT count(*)::int AS n FROM sessions WHERE user_id = $1 AND ended_at IS NOT NULL',
      [teacherUser.id],
    )) as [{ n: number }];
    expect(lapsed).toBeGreaterThanOrEqual(2);
    const audits = await owner<{ action: string; n: number }>(
      `SELECT action, count(*)::int AS n FROM audit_events WHERE school_id = $1
         AND action IN ('alert.escalated', 'action.reminded', 'auth.session_ended')
       GROUP BY action ORDER BY action`,
      [schoolId],
    );
    expect(audits).toEqual([
      { action: 'action.reminded', n: 1 },
      { action: 'alert.escalated', n: 1 },
      { action: 'auth.session_ended', n: lapsed },
    ]);
    const runs = await owner<{ n: number }>(
      'SELECT count(*)::int AS n FROM mis_sync_runs WHERE school_id = $1',
      [schoolId],
    );
    expect(runs[0]!.n).toBe(1);
  });

  it('runs a leased job in one instance only, and again once its period has passed', async () => {
    let runs = 0;
    const slow = async () => {
      runs += 1;
      await new Promise((r) => setTimeout(r, 100));
    };
    const job = `test_${randomBytes(4).toString('hex')}`;
    const spec = { job, leaseMs: 60_000, everyMs: 60_000 };
    const [one, two] = await Promise.all([
      runLeased(a.services.db, spec, slow),
      runLeased(b.services.db, spec, slow),
    ]);
    expect([one.ran, two.ran].filter(Boolean)).toHaveLength(1);
    expect(runs).toBe(1);
    // Within the period: skipped by both.
    expect((await runLeased(b.services.db, spec, slow)).ran).toBe(false);
    // A failure is recorded and the lease given back, so the next period's run may start.
    await owner(
      "UPDATE job_runs SET started_at = started_at - interval '2 minutes' WHERE job = $1",
      [job],
    );
    await expect(
      runLeased(a.services.db, spec, () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    await owner(
      "UPDATE job_runs SET started_at = started_at - interval '2 minutes' WHERE job = $1",
      [job],
    );
    expect((await runLeased(b.services.db, spec, slow)).ran).toBe(true);
    const [row] = await owner<{ runs: number; failures: number; holder: string | null }>(
      'SELECT runs, failures, holder FROM job_runs WHERE job = $1',
      [job],
    );
    expect(row).toEqual({ runs: 3, failures: 1, holder: null });
  });

  it("keeps a long run's lease by renewing it, and lets a crashed holder's lapse on its own", async () => {
    const job = `test_${randomBytes(4).toString('hex')}`;
    const spec = { job, leaseMs: 1_500, everyMs: 0 };
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const [crashed, survivor] = [randomUUID(), randomUUID()];
    // A run three times as long as its lease: the other process is refused throughout.
    let refusedMidRun = 0;
    const long = runLeased(a.services.db, spec, async () => {
      for (let i = 0; i < 3; i += 1) {
        await wait(1_500);
        if (!(await claimJob(b.services.db, spec, randomUUID()))) refusedMidRun += 1;
      }
    });
    expect((await long).ran).toBe(true);
    expect(refusedMidRun).toBe(3);
    // Given back at the end: the other process may take it at once.
    expect((await runLeased(b.services.db, spec, () => Promise.resolve())).ran).toBe(true);
    // A holder that claims and dies (never renews, never releases): refused until the lease
    // lapses, then free without anyone clearing it.
    expect(await claimJob(a.services.db, spec, crashed)).toBe(true);
    expect(await claimJob(b.services.db, spec, survivor)).toBe(false);
    expect(await renewJob(b.services.db, spec, survivor)).toBe(false);
    await wait(1_800);
    expect(await claimJob(b.services.db, spec, survivor)).toBe(true);
    // The crashed holder can no longer renew what is now another's.
    expect(await renewJob(a.services.db, spec, crashed)).toBe(false);
  }, 30_000);
});
