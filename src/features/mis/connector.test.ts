// The pull connector's token goes only where it was given (issue 11, finding 7): a changed address
// needs its own token; outside development only public https addresses are accepted, whether
// written as an address or reached through a name; and a redirect is never followed.
import { createServer, type Server } from 'node:http';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  type Session,
  type TestApp,
} from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { asSystem } from '../../core/context.ts';
import { isNonPublicAddress } from './destination.ts';
import { pullAndSync } from './pull.ts';
import { SyncRejected } from './sync.ts';

/** A local API that records every connection and request, and answers with `answer`. */
async function localApi(answer: (path: string) => { status: number; location?: string }) {
  const seen = { connections: 0, paths: [] as string[], tokens: [] as string[] };
  const server: Server = createServer((req, res) => {
    seen.paths.push(req.url ?? '');
    seen.tokens.push(req.headers.authorization ?? '');
    const a = answer(req.url ?? '');
    res
      .writeHead(a.status, {
        'content-type': 'application/json',
        ...(a.location ? { location: a.location } : {}),
      })
      .end(a.status === 200 ? '{"data":[],"meta":{"pagination":{"next":null}}}' : '');
  });
  server.on('connection', () => (seen.connections += 1));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { seen, port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function adminOf(t: TestApp, schoolId: string): Promise<Session> {
  return signIn(t.app, await makeUser(t.services, schoolId, 'school_admin'), { elevated: true });
}

async function stored(t: TestApp, schoolId: string) {
  const [row] = await unsafeAsOwner(t.services.db, (q) =>
    q.query<{ base_url: string; token: Buffer }>(
      'SELECT base_url, token FROM mis_connectors WHERE school_id = $1',
      [schoolId],
    ),
  );
  return row!;
}

async function pullError(run: Promise<unknown>): Promise<string> {
  const err = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SyncRejected);
  return (err as SyncRejected).result.error ?? '';
}

describe('outside development (production configuration)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp({ config: { env: 'production' } });
  });
  afterAll(async () => t.close());

  it('needs a new token with a new address, and keeps the old one for the old address', async () => {
    const school = await makeSchool(t.services);
    const admin = await adminOf(t, school);
    const put = (body: object) => call(t.app, admin, 'PUT', '/api/admin/mis/connector', body);
    const first = 'https://api.example.invalid/v1.0/schools/A1';
    expect((await put({ baseUrl: first, token: 'token-for-a1' })).statusCode).toBe(200);
    const before = await stored(t, school);

    // Before: the saved token was kept and would have gone to the new host.
    const moved = await put({ baseUrl: 'https://elsewhere.example.invalid/v1.0/schools/A1' });
    expect(moved.statusCode, moved.body).toBe(400);
    expect(moved.json<{ error: { message: string } }>().error.message).toMatch(
      /enter the token for the new address too/,
    );
    expect(await stored(t, school)).toEqual(before);

    // The same address keeps its token (a schedule change needs none).
    const same = await put({ baseUrl: first, schedule: 'hourly' });
    expect(same.statusCode, same.body).toBe(200);
    expect((await stored(t, school)).token).toEqual(before.token);

    const withToken = await put({
      baseUrl: 'https://elsewhere.example.invalid/v1.0/schools/A1',
      token: 'token-for-elsewhere',
    });
    expect(withToken.statusCode, withToken.body).toBe(200);
    expect((await stored(t, school)).token).not.toEqual(before.token);
  });

  it('refuses loopback, link-local and private addresses, IPv4 and IPv6, and plain http', async () => {
    const school = await makeSchool(t.services);
    const admin = await adminOf(t, school);
    const refused = [
      'https://127.0.0.1/v1.0/schools/A1',
      'https://2130706433/v1.0/schools/A1', // 127.0.0.1 written as a number
      'https://localhost/v1.0/schools/A1',
      'https://api.localhost./v1.0/schools/A1',
      'https://10.1.2.3/v1.0/schools/A1',
      'https://172.16.0.9/v1.0/schools/A1',
      'https://192.168.1.10/v1.0/schools/A1',
      'https://169.254.169.254/latest/meta-data',
      'https://100.64.0.1/v1.0/schools/A1',
      'https://0.0.0.0/v1.0/schools/A1',
      'https://[::1]/v1.0/schools/A1',
      'https://[fe80::1]/v1.0/schools/A1',
      'https://[fd12:3456::1]/v1.0/schools/A1',
      'https://[::ffff:192.168.0.1]/v1.0/schools/A1',
      'https://[::ffff:127.0.0.1]/v1.0/schools/A1',
    ];
    for (const baseUrl of refused) {
      const res = await call(t.app, admin, 'PUT', '/api/admin/mis/connector', {
        baseUrl,
        token: 'a-token',
      });
      expect(res.statusCode, baseUrl).toBe(400);
      expect(res.json<{ error: { message: string } }>().error.message, baseUrl).toMatch(
        /only to a public https address: loopback, link-local and private network addresses are refused outside development/,
      );
    }
    const plain = await call(t.app, admin, 'PUT', '/api/admin/mis/connector', {
      baseUrl: 'http://127.0.0.1:8080/v1.0/schools/A1',
      token: 'a-token',
    });
    expect(plain.statusCode).toBe(400);
    expect(plain.json<{ error: { message: string } }>().error.message).toMatch(/must use https/);
    expect(
      (
        await call(t.app, admin, 'PUT', '/api/admin/mis/connector', {
          baseUrl: 'https://[2a00:1450::1]/v1.0/schools/A1',
          token: 'a-token',
        })
      ).statusCode,
    ).toBe(200);
  });

  it('refuses, when it connects, a name that resolves to a private address (and never connects)', async () => {
    // This machine's own name resolves to a loopback or private address (checked, not assumed).
    const name = hostname();
    const { address } = await lookup(name);
    expect(isNonPublicAddress(address), `${name} → ${address}`).toBe(true);
    const api = await localApi(() => ({ status: 200 }));
    try {
      const school = await makeSchool(t.services);
      const door = asSystem(t.services, school, 'mis_sync');
      const error = await pullError(
        pullAndSync(
          door,
          { baseUrl: `https://${name}:${api.port}/v1.0/schools/A1`, token: 'secret-token' },
          { allowPrivate: false },
        ),
      );
      expect(error).toMatch(/only to a public https address/);
      expect(api.seen.connections).toBe(0);
    } finally {
      await api.close();
    }
  });
});

describe('in development', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp({ config: { env: 'development' } });
  });
  afterAll(async () => t.close());

  it('does not follow a redirect, and says so', async () => {
    const api = await localApi((path) =>
      path.includes('/students')
        ? { status: 302, location: '/v1.0/schools/OTHER/students' }
        : path.includes('OTHER')
          ? { status: 200 }
          : { status: 404 },
    );
    try {
      const school = await makeSchool(t.services);
      const admin = await adminOf(t, school);
      const base = `http://127.0.0.1:${api.port}/v1.0/schools/A1`;
      const set = await call(t.app, admin, 'PUT', '/api/admin/mis/connector', {
        baseUrl: base,
        token: 'secret-token',
      });
      expect(set.statusCode, set.body).toBe(200);
      const error = await pullError(
        pullAndSync(
          asSystem(t.services, school, 'mis_sync'),
          { baseUrl: base, token: 'secret-token' },
          { allowPrivate: true },
        ),
      );
      expect(error).toMatch(/students: the API answered with a redirect \(302\)/);
      expect(error).toMatch(/does not follow redirects/);
      // Before: fetch followed it, carrying the token to the other school's path.
      expect(api.seen.paths.some((p) => p.includes('OTHER'))).toBe(false);
    } finally {
      await api.close();
    }
  });
});
