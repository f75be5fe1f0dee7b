// /metrics, /readyz and the request id (issue 16). /metrics is off (404) without a token, and with
// one refuses a request without it or with another (401); its series name route patterns, never a
// URL with an id. /readyz is ready on a working process and not ready once shutting down. A safe
// x-request-id is honoured and echoed, an unsafe one replaced, and every request log line is JSON
// carrying the request id, with no query string.
import { mkdtemp, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { markShuttingDown } from './operations.ts';
import type { App } from '../core/feature.ts';
import { FEATURES } from '../features.ts';
import { createServices, type Services } from '../platform/services.ts';
import {
  call,
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testConfig,
  testDatabase,
} from '../test/harness.ts';

const TOKEN = randomBytes(24).toString('hex');
const lines: string[] = [];
let services: Services;
let app: App;
let backupDir: string;

beforeAll(async () => {
  backupDir = await mkdtemp(path.join(tmpdir(), 'lantern-backups-'));
  const note = (m: string) => void lines.push(m);
  services = await createServices(
    testConfig({
      logLevel: 'info',
      metricsToken: TOKEN,
      backup: { ...testConfig().backup, dir: backupDir },
    }),
    { db: await testDatabase(), log: { info: note, warn: note, error: note } },
  );
  ({ app } = await buildApp(services, FEATURES, { logDestination: { write: note } }));
});
afterAll(async () => {
  await app.close();
  await services.db.close();
});

const metrics = (authorization?: string) =>
  app.inject({
    method: 'GET',
    url: '/metrics',
    headers: authorization ? { authorization } : {},
  });

describe('/metrics', () => {
  it('is not there without a token configured', async () => {
    const other = await createServices(testConfig(), { db: services.db, log: services.log });
    const { app: plain } = await buildApp(other, FEATURES);
    const res = await plain.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(404);
    expect(
      (
        await plain.inject({
          method: 'GET',
          url: '/metrics',
          headers: { authorization: 'Bearer x' },
        })
      ).statusCode,
    ).toBe(404);
    await plain.close();
  });

  it('refuses a request without the token or with another', async () => {
    for (const auth of [undefined, `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, 'Bearer ']) {
      const res = await metrics(auth);
      expect(res.statusCode, String(auth)).toBe(401);
      expect(res.json<{ error: { message: string } }>().error.message).toContain(
        'LANTERN_METRICS_TOKEN',
      );
      expect(res.body).not.toContain('lantern_');
    }
  });

  it('serves the series by route pattern, with failed sign-ins, audit and backup age', async () => {
    const schoolId = await makeSchool(services);
    const user = await makeUser(services, schoolId, 'dsl');
    const pupil = await makePupil(services, schoolId);
    const [category] = await categoryIds(services, schoolId);
    const dsl = await signIn(app, user, { elevated: true });
    const logged = await call(app, dsl, 'POST', '/api/concerns', {
      pupils: [{ pupilId: pupil.id, role: 'subject' }],
      categoryIds: [category!.id],
      happenedAt: new Date(Date.now() - 60_000).toISOString(),
      body: 'Bruise on the arm.',
    });
    expect(logged.statusCode, logged.body).toBe(201);
    const id = logged.json<{ id: string }>().id;
    expect((await call(app, dsl, 'GET', `/api/concerns/${id}`)).statusCode).toBe(200);
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { email: user.email, password: 'not-the-Password-9' },
    });
    expect(wrong.statusCode).toBe(401);
    const backup = path.join(backupDir, 'lantern-1.backup');
    await writeFile(backup, 'x');
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(backup, hourAgo, hourAgo);

    const res = await metrics(`Bearer ${TOKEN}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.body;
    expect(text).toMatch(
      /lantern_http_request_duration_seconds_count\{method="GET",route="\/api\/concerns\/:id",status_class="2xx"\} [1-9]/,
    );
    expect(text).toMatch(
      /lantern_http_request_duration_seconds_count\{method="POST",route="\/api\/auth\/sign-in",status_class="4xx"\} [1-9]/,
    );
    expect(text).not.toContain(id);
    expect(text).not.toContain(schoolId);
    expect(text).toMatch(/lantern_sign_in_failures_total [1-9]/);
    expect(text).toMatch(/lantern_audit_append_seconds_count [1-9]/);
    const age = Number(/lantern_backup_age_seconds ([\d.e+]+)/.exec(text)?.[1]);
    expect(age).toBeGreaterThan(3_500);
    expect(age).toBeLessThan(3_700);
    if (services.db.engine === 'postgres') {
      expect(text).toMatch(/lantern_db_pool_connections\{pool="main",state="total"\} [1-9]/);
    }
  });
});

describe('/readyz and the request id', () => {
  it('honours a safe request id, replaces an unsafe one, and logs JSON lines without queries', async () => {
    const safe = await app.inject({
      method: 'GET',
      url: '/healthz?pupil=Ada',
      headers: { 'x-request-id': 'lb-1234-abcd' },
    });
    expect(safe.headers['x-request-id']).toBe('lb-1234-abcd');
    for (const unsafe of ['has space', 'x'.repeat(65), 'Ada"}\n{"msg":"forged']) {
      const res = await app.inject({
        method: 'GET',
        url: '/healthz',
        headers: { 'x-request-id': unsafe },
      });
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
    const denied = await app.inject({ method: 'GET', url: '/api/concerns' });
    expect(denied.statusCode).toBe(401);
    expect(denied.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);

    const requestLines = lines
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { reqId?: string; req?: { path?: string } });
    expect(requestLines.length).toBeGreaterThan(0);
    expect(requestLines.every((l) => typeof l.reqId === 'string' && l.reqId.length > 0)).toBe(true);
    expect(requestLines.some((l) => l.reqId === 'lb-1234-abcd')).toBe(true);
    const all = lines.join('\n');
    expect(all).not.toContain('pupil=Ada');
    expect(all).not.toContain('forged');
  });

  it('is ready while working, and not ready once shutting down', async () => {
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode, ready.body).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
    markShuttingDown(app);
    const going = await app.inject({ method: 'GET', url: '/readyz' });
    expect(going.statusCode).toBe(503);
    expect(going.json()).toEqual({ status: 'not_ready', reason: 'shutting_down' });
    // Alive still: /healthz is about the process and its database, not about taking traffic.
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
