// The trust's door, generated from the route list (issue 20): every /api/trust/ route must have a
// row here, declare `trust: true`, and no other route may. For every signed-in route: signed out
// → 401; a staff session alone → 401; a parent session alone → 401; a member of another trust →
// nothing of this trust (404 for a school or grant of this trust, their own empty answer
// otherwise). And every staff route answers 401 to a trust cookie alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  makePupil,
  makeUser,
  signIn,
  testApp,
  type Session,
  type TestApp,
} from '../../test/harness.ts';
import { makeParent, signInParent } from '../parents/parent-test-kit.ts';
import { logConcerns, makeTrust, makeTrustMember, signInTrust } from './trust-test-kit.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type F = { schoolId: string; grantId: string; pupilId: string };
type Row = {
  request: (f: F) => { url: string; payload?: unknown };
  /** What a member of another trust gets (a full session). */
  otherTrust: 200 | 404;
  public?: true;
  /** Reachable before the second factor: answered, not 401, for a pending session. */
  anyStage?: true;
};

const ROWS: Record<string, Row> = {
  'POST /api/trust/auth/sign-in': {
    request: () => ({ url: '/api/trust/auth/sign-in', payload: { email: 'x@y.z', password: 'p' } }),
    otherTrust: 200,
    public: true,
  },
  'POST /api/trust/auth/code': {
    request: () => ({ url: '/api/trust/auth/code', payload: { code: '000000' } }),
    otherTrust: 200,
    anyStage: true,
  },
  'POST /api/trust/auth/totp/enrol': {
    request: () => ({ url: '/api/trust/auth/totp/enrol' }),
    otherTrust: 200,
    anyStage: true,
  },
  'GET /api/trust/session': {
    request: () => ({ url: '/api/trust/session' }),
    otherTrust: 200,
    anyStage: true,
  },
  'POST /api/trust/auth/sign-out': {
    request: () => ({ url: '/api/trust/auth/sign-out' }),
    otherTrust: 200,
    anyStage: true,
  },
  'GET /api/trust/overview': { request: () => ({ url: '/api/trust/overview' }), otherTrust: 200 },
  'POST /api/trust/overview/refresh': {
    request: () => ({ url: '/api/trust/overview/refresh' }),
    otherTrust: 200,
  },
  'GET /api/trust/schools/:schoolId/figures': {
    request: (f) => ({ url: `/api/trust/schools/${f.schoolId}/figures` }),
    otherTrust: 404,
  },
  'GET /api/trust/grants': { request: () => ({ url: '/api/trust/grants' }), otherTrust: 200 },
  'GET /api/trust/grants/:grantId/pupils': {
    request: (f) => ({ url: `/api/trust/grants/${f.grantId}/pupils` }),
    otherTrust: 404,
  },
  'GET /api/trust/grants/:grantId/pupils/:pupilId/chronology': {
    request: (f) => ({ url: `/api/trust/grants/${f.grantId}/pupils/${f.pupilId}/chronology` }),
    otherTrust: 404,
  },
};

let t: TestApp;
let f: F;
let staff: Session;
let parent: Session;
let otherTrust: () => Promise<Session>;
const keyOf = (r: { method: string; url: string }) => `${r.method} ${r.url}`;

beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' } });
  const trust = await makeTrust(t, 1);
  const other = await makeTrust(t, 1);
  const schoolId = trust.schoolIds[0]!;
  const dslUser = await makeUser(t.services, schoolId, 'dsl');
  staff = await signIn(t.app, dslUser, { elevated: true });
  const pupil = await makePupil(t.services, schoolId);
  await logConcerns(t, staff, schoolId, pupil.id, 1);
  const member = await makeTrustMember(t, trust.trustId);
  await call(
    t.app,
    await signIn(t.app, await makeUser(t.services, schoolId, 'school_admin'), { elevated: true }),
    'PUT',
    '/api/trust-sharing',
    { sharing: true },
  );
  const made = await call(t.app, staff, 'POST', '/api/trust-grants', {
    memberId: member.id,
    scope: 'school',
    reason: 'Separation test',
    days: 3,
  });
  expect(made.statusCode, made.body).toBe(200);
  f = { schoolId, grantId: made.json<{ id: string }>().id, pupilId: pupil.id };
  parent = await signInParent(t, await makeParent(t, schoolId, [pupil.id]));
  const outsider = await makeTrustMember(t, other.trustId);
  otherTrust = () => signInTrust(t, outsider);
  // The member's own session works (the rows' 200s below are not a broken fixture).
  const mine = await signInTrust(t, member);
  const ok = await call(t.app, mine, 'GET', `/api/trust/grants/${f.grantId}/pupils`);
  expect(ok.statusCode, ok.body).toBe(200);
}, 120_000);
afterAll(async () => t.close());

const trustRoutes = () => t.routes.filter((r) => r.url.startsWith('/api/trust/'));

describe('trust routes are sealed off', () => {
  it('has a row for every trust route, each declared trust, and no trust route elsewhere', () => {
    expect(trustRoutes().map(keyOf).sort()).toEqual(Object.keys(ROWS).sort());
    expect(trustRoutes().filter((r) => !r.trust)).toEqual([]);
    expect(t.routes.filter((r) => r.trust && !r.url.startsWith('/api/trust/'))).toEqual([]);
  });

  for (const [key, row] of Object.entries(ROWS)) {
    const method = key.split(' ')[0] as Method;
    it(`${key}: refuses the signed out, staff and parents; another trust gets nothing`, async () => {
      const req = row.request(f);
      const send = (s: Session | null) => call(t.app, s, method, req.url, req.payload);
      if (!row.public) {
        expect((await send(null)).statusCode).toBe(401);
        expect((await send(staff)).statusCode).toBe(401);
        expect((await send(parent)).statusCode).toBe(401);
      }
      const res = await send(await otherTrust());
      expect(res.statusCode).toBeLessThan(500);
      if (row.otherTrust === 404) expect(res.statusCode, res.body).toBe(404);
      expect(res.body).not.toContain(f.pupilId);
    });
  }

  it('answers every staff route 401 to a trust cookie alone', async () => {
    const s = await otherTrust();
    const staffRoutes = t.routes.filter(
      (r) => r.url.startsWith('/api/') && !r.trust && !r.parent && !r.public,
    );
    expect(staffRoutes.length).toBeGreaterThan(50);
    const wrong: string[] = [];
    for (const r of staffRoutes) {
      const url = r.url.replace(/:[A-Za-z]+/g, f.pupilId);
      const res = await call(
        t.app,
        s,
        r.method as Method,
        url,
        r.method === 'GET' ? undefined : {},
      );
      if (res.statusCode !== 401) wrong.push(`${keyOf(r)} → ${res.statusCode}`);
    }
    expect(wrong).toEqual([]);
  });
});
