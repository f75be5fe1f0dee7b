// The push API's front door (issue 11, finding 6): the key is checked before the body is read,
// a body over the school's limit is refused as it streams, and pushes are rate-limited per key
// and per address with Retry-After. Bodies are streamed lazily so the tests can count how much of
// each the server ever pulled.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, makeSchool, makeUser, signIn, testApp, type TestApp } from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { PUSH_RATES } from './push-guard.ts';

const MB = 1024 * 1024;
let t: TestApp;

beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t.close());

/** `total` bytes of `fill`, made one chunk at a time as the reader asks; `pulled()` says how many. */
function lazyBody(total: number, fill = '{'.repeat(64 * 1024)) {
  let made = 0;
  const chunk = Buffer.from(fill);
  const stream = new Readable({
    read() {
      if (made >= total) return void this.push(null);
      const piece = chunk.subarray(0, Math.min(chunk.length, total - made));
      made += piece.length;
      this.push(piece);
    },
  });
  return { stream, pulled: () => made };
}

let addressN = 0;
const freshAddress = () => `198.51.100.${(addressN += 1)}`;

async function newKey(schoolId: string): Promise<string> {
  const admin = await signIn(t.app, await makeUser(t.services, schoolId, 'school_admin'), {
    elevated: true,
  });
  const res = await call(t.app, admin, 'POST', '/api/admin/mis/keys', { label: 'Integrator' });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ key: string }>().key;
}

function pushStream(
  key: string | null,
  body: ReturnType<typeof lazyBody>,
  length: number | null,
  address = freshAddress(),
) {
  return t.app.inject({
    method: 'POST',
    url: '/api/mis/push',
    remoteAddress: address,
    headers: {
      'content-type': 'application/json',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(length !== null ? { 'content-length': String(length) } : {}),
    },
    payload: body.stream,
  });
}

const delta = (batchId: string) => ({ batchId, format: 'wonde', kind: 'delta', files: {} });

function pushJson(key: string | null, body: unknown, address: string) {
  return t.app.inject({
    method: 'POST',
    url: '/api/mis/push',
    remoteAddress: address,
    headers: key ? { authorization: `Bearer ${key}` } : {},
    payload: body as object,
  });
}

describe('the key before the body', () => {
  it('refuses a 100 MB malformed push with a wrong or missing key (401), reading none of it', async () => {
    for (const key of ['lmis_not-a-real-key', null]) {
      const body = lazyBody(100 * MB);
      const res = await pushStream(key, body, 100 * MB);
      // Before: the whole body was read and parsed first, and its bad JSON answered 400.
      expect(res.statusCode, res.body).toBe(401);
      expect(res.json<{ error: { message: string } }>().error.message).toMatch(/MIS API key/);
      expect(body.pulled()).toBeLessThan(MB);
    }
  });

  it('refuses a push over the default 50 MB limit with a good key (413), before reading it', async () => {
    const key = await newKey(await makeSchool(t.services));
    const body = lazyBody(60 * MB);
    const res = await pushStream(key, body, 60 * MB);
    expect(res.statusCode, res.body).toBe(413);
    expect(res.headers['retry-after']).toBeUndefined();
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(
      /larger than this school accepts \(50 MB\)/,
    );
    expect(body.pulled()).toBeLessThan(MB);
  });

  it("stops a body with no declared length at the school's own limit as it streams (413)", async () => {
    const school = await makeSchool(t.services);
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(
        `UPDATE schools SET settings = settings || '{"maxMisPushBytes": 2097152}'::jsonb WHERE id = $1`,
        [school],
      ),
    );
    const key = await newKey(school);
    const body = lazyBody(20 * MB, ' '.repeat(64 * 1024));
    const res = await pushStream(key, body, null);
    expect(res.statusCode, res.body).toBe(413);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(/\(2 MB\)/);
    expect(body.pulled()).toBeLessThan(3 * MB);
    // A push within the limit still applies.
    const ok = await pushJson(key, delta('small-1'), freshAddress());
    expect(ok.statusCode, ok.body).toBe(200);
  });
});

describe('rate limits', () => {
  it('limits pushes per key with 429 and Retry-After; another key of the school is not held up', async () => {
    const school = await makeSchool(t.services);
    const key = await newKey(school);
    const other = await newKey(school);
    for (let i = 0; i < PUSH_RATES.key.burst; i++) {
      const res = await pushJson(key, delta(`k-${i}`), freshAddress());
      expect(res.statusCode, res.body).toBe(200);
    }
    const held = await pushJson(key, delta('k-over'), freshAddress());
    expect(held.statusCode, held.body).toBe(429);
    const wait = Number(held.headers['retry-after']);
    expect(Number.isInteger(wait) && wait >= 1 && wait <= PUSH_RATES.key.refillMs / 1000).toBe(
      true,
    );
    expect(held.json<{ error: { message: string } }>().error.message).toMatch(
      /Too many pushes from this API key\. Try again in \d+ seconds/,
    );
    expect((await pushJson(other, delta('o-1'), freshAddress())).statusCode).toBe(200);
  });

  it('limits pushes per address, before any key is looked up', async () => {
    // The good key is made first: on a loaded machine making it took longer than the bucket's
    // refill (one every 2 s), and the address was let through again.
    const key = await newKey(await makeSchool(t.services));
    const address = freshAddress();
    for (let i = 0; i < PUSH_RATES.address.burst; i++) {
      expect((await pushJson('lmis_guess', delta('a'), address)).statusCode).toBe(401);
    }
    const held = await pushJson('lmis_guess', delta('a'), address);
    expect(held.statusCode).toBe(429);
    expect(Number(held.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(held.json<{ error: { message: string } }>().error.message).toMatch(
      /Too many pushes from this address/,
    );
    // Even a good key is held at that address; another address is not.
    expect((await pushJson(key, delta('a-good'), address)).statusCode).toBe(429);
    expect((await pushJson(key, delta('a-good'), freshAddress())).statusCode).toBe(200);
  });
});
