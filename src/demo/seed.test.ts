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

// The demo seeds only the embedded engine (config.demoData is never true on PostgreSQL), and its
// fixed addresses could be seeded only once into the shared PostgreSQL test database.
const embedded = inject('engine') !== 'postgres';
let t: TestApp;
let creds: DemoCredential[];
beforeAll(async () => {
  if (!embedded) return;
  t = await testApp({ config: { dataDir: mkdtempSync(path.join(tmpdir(), 'lantern-demo-')) } });
  creds = await seedDemo(t.services, 30);
});
afterAll(async () => t?.close());

type SignInBody = {
  csrfToken: string;
  secondFactorRequired?: boolean;
  secondFactor?: { enrolmentRequired?: boolean };
};

async function signInWithPassword(c: DemoCredential) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/auth/sign-in',
    payload: { email: c.email, password: c.password },
  });
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json<SignInBody>();
  const cookie = `lantern_session=${res.cookies.find((k) => k.name === 'lantern_session')!.value}`;
  return { body, session: { cookie, csrf: body.csrfToken } };
}

describe.runIf(embedded)('demo data', () => {
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
    // 30 a school, and each school's nursery intake of three for the parents' demo (issue 21).
    expect(pupils[0]!.n).toBe(66);
  });

  it('gives the DSL an authenticator that steps up, and the seeded concerns are searchable', async () => {
    const dsl = creds.find((c) => c.role === 'dsl' && c.school === 'DEMO Northfield Academy')!;
    expect(dsl.totpSecret).toMatch(/^[A-Z2-7]+$/);
    expect(creds.find((c) => c.role === 'teacher')!.totpSecret).toMatch(/^[A-Z2-7]+$/);

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
    const found = await call(t.app, session, 'POST', '/api/search', { q: 'coat' });
    expect(found.statusCode, found.body).toBe(200);
    expect(JSON.stringify(found.json())).toContain('without a coat');
  });

  it('has a trip naming the consent form, its pupils asked by it, and a plan with its document', async () => {
    const rows = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ school: string; forms: number; asked: number; plans: number }>(
        `SELECT s.name AS school,
           (SELECT count(*)::int FROM trip_consent_forms l WHERE l.trip_id = tr.id) AS forms,
           (SELECT count(*)::int FROM trip_consent_forms l
              JOIN consent_form_pupils fp ON fp.form_id = l.form_id
              JOIN trip_pupils tp ON tp.trip_id = tr.id AND tp.pupil_id = fp.pupil_id
            WHERE l.trip_id = tr.id) AS asked,
           (SELECT count(*)::int FROM medical_plans m JOIN trip_pupils tp
              ON tp.pupil_id = m.pupil_id AND tp.trip_id = tr.id
            WHERE m.replaced_at IS NULL AND m.parent_confirmed_at IS NOT NULL
              AND m.staff_acknowledged_at IS NOT NULL AND m.size_bytes > 0) AS plans
         FROM trips tr JOIN schools s ON s.id = tr.school_id
         WHERE s.name LIKE 'DEMO %' AND tr.name = 'Science museum visit' ORDER BY s.name`,
      ),
    );
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.forms, r.school).toBe(1);
      expect(r.asked, r.school).toBeGreaterThan(0);
      expect(r.plans, r.school).toBe(1);
    }
  });

  it('gives every teacher an authenticator but the new starter, who is asked to set one up', async () => {
    const teachers = creds.filter((c) => c.role === 'teacher' && !/Lunchtime/.test(c.name));
    const starters = teachers.filter((c) => /New-Starter/.test(c.name));
    expect(starters).toHaveLength(2); // one in each school
    for (const c of teachers) {
      if (starters.includes(c)) expect(c.totpSecret).toBeUndefined();
      else expect(c.totpSecret, c.email).toMatch(/^[A-Z2-7]+$/);
    }
    const teacher = teachers.find((c) => !starters.includes(c))!;
    const signedIn = await signInWithPassword(teacher);
    expect(signedIn.body).toMatchObject({ secondFactorRequired: true });
    const verified = await call(t.app, signedIn.session, 'POST', '/api/auth/verify/totp', {
      code: totpCodeAt(teacher.totpSecret!, t.services.clock.now()),
    });
    expect(verified.statusCode, verified.body).toBe(200);
    const starter = await signInWithPassword(starters[0]!);
    expect(starter.body).toMatchObject({ secondFactor: { enrolmentRequired: true } });
  });

  it('has a lunchtime supervisor who may only log concerns, with no second factor', async () => {
    const supervisor = creds.find(
      (c) => /Lunchtime/.test(c.name) && c.school === 'DEMO Northfield Academy',
    )!;
    expect(supervisor.totpSecret).toBeUndefined();
    const { body, session } = await signInWithPassword(supervisor);
    expect(body.secondFactorRequired ?? false).toBe(false);
    expect(body.secondFactor?.enrolmentRequired ?? false).toBe(false);
    const [school] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ pupil: string; category: string; concern: string }>(
        `SELECT (SELECT p.id FROM pupils p WHERE p.school_id = s.id LIMIT 1) AS pupil,
                (SELECT c.id FROM categories c WHERE c.school_id = s.id AND NOT c.restricted
                   AND c.parent_id IS NULL LIMIT 1) AS category,
                (SELECT c.id FROM concerns c WHERE c.school_id = s.id LIMIT 1) AS concern
         FROM schools s WHERE s.name = $1`,
        [supervisor.school],
      ),
    );
    const logged = await call(t.app, session, 'POST', '/api/concerns', {
      pupils: [{ pupilId: school!.pupil, role: 'subject' }],
      categoryIds: [school!.category],
      happenedAt: new Date(Date.now() - 60_000).toISOString(),
      body: 'Seen crying alone at lunch.',
    });
    expect(logged.statusCode, logged.body).toBe(201);
    // Someone else's record: not theirs to read, with or without a second factor.
    const other = await call(t.app, session, 'GET', `/api/concerns/${school!.concern}`);
    expect([403, 404]).toContain(other.statusCode);
    const groups = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ key: string }>(
        `SELECT g.key FROM staff_group_members m JOIN staff_groups g ON g.id = m.group_id
         JOIN users u ON u.id = m.user_id WHERE u.email = $1`,
        [supervisor.email],
      ),
    );
    expect(groups.map((g) => g.key)).toEqual(['all_staff']);
  });

  it('seeds only an empty embedded database, and writes the credentials file with mode 0600', async () => {
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
