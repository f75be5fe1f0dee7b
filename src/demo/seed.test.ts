// Demo data (issue 2, item 8): a labelled demo trust with two schools, staff in every role with
// working passwords, authenticator secrets for the roles that read records, and concerns that the
// DSL can find after stepping up. Seeds only into an empty embedded database.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { call, testApp, type TestApp } from '../test/harness.ts';
import { totpCodeAt } from '../features/identity/totp.ts';
import { unsafeAsOwner } from '../platform/db/tenancy.ts';
import { seedDemo, seedDemoIfEmpty, type DemoCredential } from './seed.ts';

let t: TestApp;
let creds: DemoCredential[];
beforeAll(async () => {
  t = await testApp({ config: { dataDir: mkdtempSync(path.join(tmpdir(), 'lantern-demo-')) } });
  creds = await seedDemo(t.services, 30);
});
afterAll(async () => t.close());

describe('demo data', () => {
  it('creates two labelled schools with staff in every role', async () => {
    const schools = new Set(creds.map((c) => c.school));
    expect([...schools].sort()).toEqual(['DEMO Northfield Academy', 'DEMO Riverside High School']);
    for (const role of ['teacher', 'head_of_year', 'dsl', 'headteacher', 'school_admin']) {
      expect(creds.filter((c) => c.role === role).length).toBeGreaterThanOrEqual(2);
    }
    const pupils = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pupils p JOIN schools s ON s.id = p.school_id
         WHERE s.name LIKE 'DEMO %'`,
      ),
    );
    expect(pupils[0]!.n).toBe(60);
  });

  it('gives the DSL an authenticator that steps up, and the seeded concerns are searchable', async () => {
    const dsl = creds.find((c) => c.role === 'dsl' && c.school === 'DEMO Northfield Academy')!;
    expect(dsl.totpSecret).toMatch(/^[A-Z2-7]+$/);
    expect(creds.find((c) => c.role === 'teacher')!.totpSecret).toBeUndefined();

    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { email: dsl.email, password: dsl.password },
    });
    expect(res.statusCode).toBe(200);
    const csrf = res.json<{ csrfToken: string }>().csrfToken;
    const cookie = `lantern_session=${res.cookies.find((c) => c.name === 'lantern_session')!.value}`;
    let session = { cookie, csrf };
    const verified = await call(t.app, session, 'POST', '/api/auth/verify/totp', {
      code: totpCodeAt(dsl.totpSecret!, t.services.clock.now()),
    });
    expect(verified.statusCode, verified.body).toBe(200);
    const rotated = verified.cookies.find((c) => c.name === 'lantern_session');
    session = {
      cookie: rotated ? `lantern_session=${rotated.value}` : cookie,
      csrf: verified.json<{ csrfToken: string }>().csrfToken,
    };
    const found = await call(t.app, session, 'GET', '/api/search?q=coat');
    expect(found.statusCode, found.body).toBe(200);
    expect(JSON.stringify(found.json())).toContain('without a coat');
  });

  it('seeds only an empty embedded database, and writes the credentials file with mode 0600', async () => {
    if (inject('engine') === 'postgres') return; // demo data never seeds on PostgreSQL
    const again = await seedDemoIfEmpty(t.services);
    expect(again).toBeNull();
    const fresh = await testApp({
      config: { dataDir: mkdtempSync(path.join(tmpdir(), 'lantern-demo-')) },
    });
    try {
      const seeded = await seedDemoIfEmpty(fresh.services);
      expect(seeded?.length).toBeGreaterThan(10);
      const file = path.join(fresh.services.config.dataDir, 'demo-credentials.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const written = JSON.parse(readFileSync(file, 'utf8')) as DemoCredential[];
      expect(written.map((c) => c.email)).toEqual(seeded!.map((c) => c.email));
    } finally {
      await fresh.close();
    }
  });
});
