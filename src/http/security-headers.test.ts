// The ASVS headers on real responses: the app-wide policy (CSP without plugins or <base>, COOP,
// CORP), a download's own stricter headers kept, the session cookie `__Host-` prefixed over TLS,
// and Clear-Site-Data when a browser signs out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
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
} from '../test/harness.ts';
import { installSecurityHeaders } from './security-headers.ts';
import { CLEAR_SITE_DATA } from '../features/identity/routes.ts';
import { DEFAULT_SOURCE_URL } from '../config.ts';
import { UPSTREAM_SOURCE_URL } from '../../web/src/app/SourceLink.tsx';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t.close());

type Reply = Awaited<ReturnType<TestApp['app']['inject']>>;

function expectAppWideHeaders(res: Reply) {
  expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
}

describe('security headers', () => {
  it('every answer forbids plugins and <base>, and isolates the page (COOP, CORP)', async () => {
    for (const res of [
      await t.app.inject({ method: 'GET', url: '/healthz' }),
      await t.app.inject({ method: 'GET', url: '/api/auth/session' }), // 401
    ]) {
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("base-uri 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expectAppWideHeaders(res);
    }
  });

  it("keeps a download's own sandboxing CSP and cache header, and adds CORP", async () => {
    const schoolId = await makeSchool(t.services);
    const pupil = await makePupil(t.services, schoolId);
    const [cat] = await categoryIds(t.services, schoolId);
    const teacher = await signIn(t.app, await makeUser(t.services, schoolId, 'teacher'));
    const logged = await call(t.app, teacher, 'POST', '/api/concerns', {
      pupils: [{ pupilId: pupil.id, role: 'subject' }],
      categoryIds: [cat!.id],
      happenedAt: new Date(Date.now() - 60_000).toISOString(),
      body: 'A file follows.',
    });
    expect(logged.statusCode, logged.body).toBe(201);
    const uploaded = await t.app.inject({
      method: 'POST',
      url: `/api/concerns/${logged.json<{ id: string }>().id}/attachments`,
      headers: {
        'x-file-name': 'notes.txt',
        cookie: teacher.cookie,
        'x-csrf-token': teacher.csrf,
        'content-type': 'application/octet-stream',
      },
      payload: Buffer.from('notes'),
    });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const dsl = await signIn(t.app, await makeUser(t.services, schoolId, 'dsl'), {
      elevated: true,
    });

    const file = await call(
      t.app,
      dsl,
      'GET',
      `/api/attachments/${uploaded.json<{ id: string }>().id}`,
    );
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(file.headers['cache-control']).toBe('private, no-store');
    expectAppWideHeaders(file);

    const pdf = await call(t.app, dsl, 'GET', `/api/pupils/${pupil.id}/chronology.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['cache-control']).toBe('private, no-store');
    expectAppWideHeaders(pdf);
  });

  it('fills in only what a route did not set, and never lets an API answer be cached', async () => {
    const app = Fastify();
    installSecurityHeaders(app, { tls: true });
    app.decorateRequest('auth', null);
    app.get('/api/own', async (_req, reply) =>
      reply
        .header('Content-Security-Policy', "default-src 'none'")
        .header('Cross-Origin-Resource-Policy', 'same-site')
        .header('Cache-Control', 'public, max-age=600')
        .send('x'),
    );
    app.get('/plain', async () => 'x');
    const own = await app.inject({ method: 'GET', url: '/api/own' });
    expect(own.headers['content-security-policy']).toBe("default-src 'none'");
    expect(own.headers['cross-origin-resource-policy']).toBe('same-site');
    expect(own.headers['cache-control']).toBe('no-store'); // a cacheable API answer is refused
    expect(own.headers['strict-transport-security']).toContain('max-age=');
    const plain = await app.inject({ method: 'GET', url: '/plain' });
    expect(plain.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(plain.headers['cache-control']).toBeUndefined();
    await app.close();
  });
});

/** The session cookie a reply set, by name. */
const cookieNamed = (res: Reply, name: string) => res.cookies.find((c) => c.name === name);

async function signInAs(app: TestApp, cookieName: string): Promise<Session & { res: Reply }> {
  const schoolId = await makeSchool(app.services);
  const user = await makeUser(app.services, schoolId, 'school_admin');
  const res = await app.app.inject({
    method: 'POST',
    url: '/api/auth/sign-in',
    payload: { email: user.email, password: user.password },
  });
  expect(res.statusCode, res.body).toBe(200);
  const c = cookieNamed(res, cookieName);
  expect(c, `no ${cookieName} in ${JSON.stringify(res.cookies)}`).toBeDefined();
  return {
    cookie: `${cookieName}=${c!.value}`,
    csrf: res.json<{ csrfToken: string }>().csrfToken,
    res,
  };
}

describe('the session cookie', () => {
  it('over TLS is __Host-lantern_session: Secure, Path=/, no Domain; the plain name is ignored', async () => {
    const tls = await testApp({ config: { tls: true } });
    try {
      const s = await signInAs(tls, '__Host-lantern_session');
      const c = cookieNamed(s.res, '__Host-lantern_session')!;
      expect(c).toMatchObject({ secure: true, path: '/', httpOnly: true, sameSite: 'Strict' });
      expect(c.domain).toBeUndefined();
      expect(cookieNamed(s.res, 'lantern_session')).toBeUndefined();
      expect((await call(tls.app, s, 'GET', '/api/auth/session')).statusCode).toBe(200);
      // The same token under the unprefixed name (as a sibling host could set) is no session.
      const plain = { ...s, cookie: s.cookie.replace('__Host-', '') };
      expect((await call(tls.app, plain, 'GET', '/api/auth/session')).statusCode).toBe(401);

      const out = await call(tls.app, s, 'POST', '/api/auth/sign-out');
      expect(out.statusCode).toBe(204);
      // Cleared with the attributes it was set with (a browser ignores a __Host- removal without).
      const cleared = cookieNamed(out, '__Host-lantern_session')!;
      expect(cleared).toMatchObject({ value: '', secure: true, path: '/' });
      expect(out.headers['clear-site-data']).toBe(CLEAR_SITE_DATA);
    } finally {
      await tls.close();
    }
  });

  it('without TLS keeps the plain name (browsers refuse __Host- without Secure)', async () => {
    const s = await signInAs(t, 'lantern_session');
    expect(cookieNamed(s.res, 'lantern_session')!.secure).toBeFalsy();
    expect(cookieNamed(s.res, '__Host-lantern_session')).toBeUndefined();
  });
});

describe('signing out', () => {
  it("tells the browser to clear its cache, here and everywhere, but not the origin's storage", async () => {
    // "storage" would wipe the offline trip cards and their unsent view log kept by card.html on
    // the same origin; the staff app clears its own storage in the web client instead.
    expect(CLEAR_SITE_DATA).toBe('"cache"');
    const one = await signInAs(t, 'lantern_session');
    const out = await call(t.app, one, 'POST', '/api/auth/sign-out');
    expect(out.statusCode).toBe(204);
    expect(out.headers['clear-site-data']).toBe(CLEAR_SITE_DATA);

    const two = await signInAs(t, 'lantern_session');
    const all = await call(t.app, two, 'POST', '/api/auth/sign-out-everywhere');
    expect(all.statusCode, all.body).toBe(200);
    expect(all.headers['clear-site-data']).toBe(CLEAR_SITE_DATA);

    // Any other answer leaves the browser's data alone.
    const three = await signInAs(t, 'lantern_session');
    const session = await call(t.app, three, 'GET', '/api/auth/session');
    expect(session.headers['clear-site-data']).toBeUndefined();
  });
});

describe('the source link', () => {
  it('goes to LANTERN_SOURCE_URL in the session answer; the web fallback is the same default', async () => {
    expect(UPSTREAM_SOURCE_URL).toBe(DEFAULT_SOURCE_URL);
    const s = await signInAs(t, 'lantern_session');
    expect(s.res.json<{ sourceUrl: string }>().sourceUrl).toBe(DEFAULT_SOURCE_URL);
    const forked = await testApp({ config: { sourceUrl: 'https://git.example.org/our-lantern' } });
    try {
      const f = await signInAs(forked, 'lantern_session');
      const session = await call(forked.app, f, 'GET', '/api/auth/session');
      expect(session.json<{ sourceUrl: string }>().sourceUrl).toBe(
        'https://git.example.org/our-lantern',
      );
    } finally {
      await forked.close();
    }
  });
});
