// The access matrix: every registered route, driven as signed out, as every role of school A and
// as a user of school B. Generated from the route list, so a new route without its row here fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../access/actor.ts';
import {
  call,
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  type Session,
  type TestApp,
  type TestUser,
} from '../test/harness.ts';
import { unsafeAsOwner } from '../db/tenancy.ts';

type Fixture = { pupilId: string; concernId: string; categoryId: string; contactId: string };
/** 403: the role may not do this at all; 404: the record exists but is not theirs to see. */
type Expect = 'ok' | 403 | 404;
type MatrixRow = {
  /** Public routes answer without a session. */
  public?: boolean;
  request: (f: Fixture) => { url: string; payload?: unknown };
  /** What each role of the owning school gets. */
  roles: Record<Role, Expect>;
  /** A signed-in user of another school asking for this school's record gets 404. */
  otherSchool: 'not_found' | 'own_data';
  /** Sign in with the second factor too (reads of records need it). */
  elevated?: boolean;
};

const everyone = Object.fromEntries(ROLES.map((r) => [r, 'ok'])) as Record<Role, Expect>;
const leads: Record<Role, Expect> = {
  teacher: 403,
  head_of_year: 403,
  dsl: 'ok',
  deputy_dsl: 'ok',
  headteacher: 'ok',
  school_admin: 403,
};

/** Issue 5: who reads the pupil profile, who manages overrides and restrictions, who runs the MIS. */
const MIS_READERS: Record<Role, Expect> = {
  ...leads,
  teacher: 403,
  head_of_year: 403,
  school_admin: 403,
};
const MIS_MANAGERS: Record<Role, Expect> = {
  ...leads,
  teacher: 403,
  head_of_year: 403,
  school_admin: 403,
};
const MIS_ADMINS: Record<Role, Expect> = {
  ...leads,
  teacher: 403,
  head_of_year: 403,
  school_admin: 'ok',
};
/** For a request naming a record that does not exist: allowed roles get 404, others 403. */
const okAs404 = (r: Record<Role, Expect>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === 'ok' ? 404 : v])) as Record<
    Role,
    Expect
  >;

const MATRIX: Record<string, MatrixRow> = {
  'GET /healthz': {
    public: true,
    request: () => ({ url: '/healthz' }),
    roles: everyone,
    otherSchool: 'own_data',
  },
  'GET /api/openapi.json': {
    public: true,
    request: () => ({ url: '/api/openapi.json' }),
    roles: everyone,
    otherSchool: 'own_data',
  },
  'POST /api/auth/sign-in': {
    public: true,
    request: () => ({
      url: '/api/auth/sign-in',
      payload: { email: 'x@y.invalid', password: 'wrong' },
    }),
    roles: everyone, // answered (401 wrong password) rather than refused: checked in auth tests
    otherSchool: 'own_data',
  },
  'POST /api/auth/sign-out': {
    request: () => ({ url: '/api/auth/sign-out' }),
    roles: everyone,
    otherSchool: 'own_data',
  },
  'GET /api/auth/session': {
    request: () => ({ url: '/api/auth/session' }),
    roles: everyone,
    otherSchool: 'own_data',
  },
  'GET /api/pupils': {
    request: () => ({ url: '/api/pupils?q=Zed' }),
    roles: everyone,
    otherSchool: 'own_data',
  },
  'GET /api/pupils/:id/chronology': {
    request: (f) => ({ url: `/api/pupils/${f.pupilId}/chronology` }),
    roles: leads,
    otherSchool: 'not_found',
  },
  'GET /api/categories': {
    request: () => ({ url: '/api/categories' }),
    roles: everyone,
    otherSchool: 'own_data',
  },
  'POST /api/concerns': {
    request: (f) => ({
      url: '/api/concerns',
      payload: {
        pupils: [{ pupilId: f.pupilId, role: 'subject' }],
        categoryIds: [f.categoryId],
        happenedAt: new Date(Date.now() - 60_000).toISOString(),
        body: 'matrix',
      },
    }),
    roles: everyone,
    otherSchool: 'not_found', // another school's pupil and category are unknown there: refused
  },
  'GET /api/concerns': {
    request: () => ({ url: '/api/concerns' }),
    roles: everyone,
    otherSchool: 'own_data',
  },
  'GET /api/concerns/:id': {
    request: (f) => ({ url: `/api/concerns/${f.concernId}` }),
    roles: { ...leads, teacher: 404, head_of_year: 404, school_admin: 404 },
    otherSchool: 'not_found',
  },
  // MIS (issue 5). The push API authenticates its own API key (tested in src/mis/api.test.ts).
  'POST /api/mis/push': {
    public: true,
    request: () => ({
      url: '/api/mis/push',
      payload: { batchId: 'm', format: 'wonde', kind: 'delta', files: {} },
    }),
    roles: everyone,
    otherSchool: 'own_data',
  },
  'GET /api/pupils/:id': {
    elevated: true,
    request: (f) => ({ url: `/api/pupils/${f.pupilId}` }),
    roles: MIS_READERS,
    otherSchool: 'not_found',
  },
  'POST /api/pupils/:id/overrides': {
    elevated: true,
    request: (f) => ({
      url: `/api/pupils/${f.pupilId}/overrides`,
      payload: { field: 'last_name' },
    }),
    roles: MIS_MANAGERS,
    otherSchool: 'not_found',
  },
  'POST /api/pupils/:id/overrides/remove': {
    elevated: true,
    request: (f) => ({
      url: `/api/pupils/${f.pupilId}/overrides/remove`,
      payload: { field: 'last_name' },
    }),
    roles: MIS_MANAGERS,
    otherSchool: 'not_found',
  },
  'POST /api/pupils/:id/restrictions': {
    elevated: true,
    request: (f) => ({
      url: `/api/pupils/${f.pupilId}/restrictions`,
      payload: { contactId: f.contactId, kind: 'no_collection', courtOrder: true },
    }),
    roles: MIS_MANAGERS,
    otherSchool: 'not_found',
  },
  'POST /api/pupils/:id/restrictions/:restrictionId/remove': {
    elevated: true,
    request: (f) => ({ url: `/api/pupils/${f.pupilId}/restrictions/${f.concernId}/remove` }),
    roles: { ...MIS_MANAGERS, ...okAs404(MIS_MANAGERS) },
    otherSchool: 'not_found',
  },
  'GET /api/admin/mis/runs': {
    elevated: true,
    request: () => ({ url: '/api/admin/mis/runs' }),
    roles: MIS_ADMINS,
    otherSchool: 'own_data',
  },
  'GET /api/admin/mis/keys': {
    elevated: true,
    request: () => ({ url: '/api/admin/mis/keys' }),
    roles: MIS_ADMINS,
    otherSchool: 'own_data',
  },
  'POST /api/admin/mis/keys': {
    elevated: true,
    request: () => ({ url: '/api/admin/mis/keys', payload: { label: 'matrix' } }),
    roles: MIS_ADMINS,
    otherSchool: 'own_data',
  },
  'POST /api/admin/mis/keys/:id/revoke': {
    elevated: true,
    request: (f) => ({ url: `/api/admin/mis/keys/${f.concernId}/revoke` }),
    roles: okAs404(MIS_ADMINS),
    otherSchool: 'not_found',
  },
  'GET /api/admin/mis/connector': {
    elevated: true,
    request: () => ({ url: '/api/admin/mis/connector' }),
    roles: MIS_ADMINS,
    otherSchool: 'own_data',
  },
  'PUT /api/admin/mis/connector': {
    elevated: true,
    request: () => ({
      url: '/api/admin/mis/connector',
      payload: { baseUrl: 'https://api.example.invalid/v1.0/schools/A1', token: 'matrix-token' },
    }),
    roles: MIS_ADMINS,
    otherSchool: 'own_data',
  },
};

let t: TestApp;
let fixture: Fixture;
let users: Record<Role, TestUser>;
let outsider: TestUser;

beforeAll(async () => {
  t = await testApp();
  const a = await makeSchool(t.services);
  const b = await makeSchool(t.services);
  users = Object.fromEntries(
    await Promise.all(ROLES.map(async (r) => [r, await makeUser(t.services, a, r)] as const)),
  ) as Record<Role, TestUser>;
  outsider = await makeUser(t.services, b, 'dsl');
  const pupil = await makePupil(t.services, a, { firstName: 'Zed' });
  const [cat] = await categoryIds(t.services, a);
  // A concern written by someone other than the roles under test, so "own record" never applies.
  const author = await makeUser(t.services, a, 'teacher');
  const res = await call(t.app, await signIn(t.app, author), 'POST', '/api/concerns', {
    pupils: [{ pupilId: pupil.id, role: 'subject' }],
    categoryIds: [cat!.id],
    happenedAt: new Date(Date.now() - 60_000).toISOString(),
    body: 'matrix record',
  });
  const [contact] = await unsafeAsOwner(t.services.db, (q) =>
    q.query<{ id: string }>(
      `INSERT INTO contacts (school_id, mis_id, first_name, last_name) VALUES ($1, 'C-matrix', 'Con', 'Tact') RETURNING id`,
      [a],
    ),
  );
  fixture = {
    pupilId: pupil.id,
    categoryId: cat!.id,
    concernId: res.json<{ id: string }>().id,
    contactId: contact!.id,
  };
});
afterAll(async () => t.close());

const keyOf = (r: { method: string; url: string }) => `${r.method} ${r.url}`;
const isOk = (status: number) => status >= 200 && status < 300;

describe('access matrix', () => {
  it('has a row for every registered API route', () => {
    const registered = t.routes.filter((r) => r.url !== '/*').map(keyOf);
    expect(registered.filter((k) => !MATRIX[k])).toEqual([]);
    expect(Object.keys(MATRIX).filter((k) => !registered.includes(k))).toEqual([]);
  });

  for (const [key, row] of Object.entries(MATRIX)) {
    const [method] = key.split(' ') as ['GET' | 'POST' | 'PUT'];
    it(`${key}: signed out, every role, and another school`, async () => {
      const route = t.routes.find((r) => keyOf(r) === key);
      expect(route?.public ?? false).toBe(row.public ?? false);
      const req = row.request(fixture);
      const anon = await call(t.app, null, method, req.url, req.payload);
      if (row.public) expect(anon.statusCode).not.toBe(403);
      else expect(anon.statusCode).toBe(401);
      if (row.public) return;

      for (const role of ROLES) {
        const session: Session = await signIn(t.app, users[role], {
          elevated: row.elevated ?? false,
        });
        const res = await call(t.app, session, method, req.url, req.payload);
        const expected = row.roles[role];
        if (expected === 'ok')
          expect(isOk(res.statusCode), `${role}: ${res.statusCode} ${res.body}`).toBe(true);
        else expect(res.statusCode, `${role}: ${res.body}`).toBe(expected);
      }
      const other = await call(
        t.app,
        await signIn(t.app, outsider, { elevated: row.elevated ?? false }),
        method,
        req.url,
        req.payload,
      );
      if (row.otherSchool === 'not_found') {
        expect([400, 404], `${other.statusCode} ${other.body}`).toContain(other.statusCode);
        expect(other.body).not.toContain(fixture.pupilId === '' ? 'x' : 'matrix record');
      } else {
        expect(other.body).not.toContain('matrix record');
        expect(other.body).not.toContain(fixture.concernId);
      }
    });
  }
});
