// Feeds in flight are never on disk in clear (issue 11, finding 9). The operating system's
// temporary folder is pointed at a fresh folder for these tests and searched for unique markers
// carried by a feed (a pupil's religion and ethnicity, a contact's phone number): a pushed feed
// is read from memory, so nothing of it is written at all; a pulled feed is spooled page by page
// to files encrypted under a key held only in memory, which are gone when the run ends.
import { readdir, readFile, rm, mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fullBatch, generateSchool, writeBatch } from './fixtures/generate.ts';
import { call, makeSchool, makeUser, signIn, testApp, type TestApp } from '../../test/harness.ts';
import { asSystem } from '../../core/context.ts';
import { withPushedSnapshot } from './push.ts';
import { pullAndSync } from './pull.ts';
import type { PushBody } from '../../shared/schemas/mis.ts';

const marker = (what: string) => `M${what}${randomBytes(8).toString('hex')}`;
const MARKS = { religion: marker('rel'), ethnicity: marker('eth'), phone: marker('phone') };

let t: TestApp;
let fixtureDir: string;
let spoolRoot: string;
let files: Record<string, unknown>;

type Scan = { files: number; found: string[] };

/** Every file under the temporary folder, searched for the markers as text, UTF-16, base64, hex. */
async function scan(): Promise<Scan> {
  const entries = await readdir(spoolRoot, { withFileTypes: true, recursive: true });
  const paths = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  const found: string[] = [];
  for (const p of paths) {
    let bytes: Buffer;
    try {
      bytes = await readFile(p);
    } catch {
      continue; // removed while we looked
    }
    for (const m of Object.values(MARKS)) {
      for (const form of [
        Buffer.from(m),
        Buffer.from(m, 'utf16le'),
        Buffer.from(Buffer.from(m).toString('base64')),
        Buffer.from(Buffer.from(m).toString('hex')),
      ]) {
        if (bytes.includes(form)) found.push(`${m} in ${p}`);
      }
    }
  }
  return { files: paths.length, found };
}

beforeAll(async () => {
  // Development: the pull below talks to a local server on loopback.
  t = await testApp({ config: { env: 'development' } });
  const school = generateSchool({ pupils: 12, staff: 3, groups: 20, days: 2, seed: 5 });
  school.pupils[0]!.religion = { code: 'X1', description: MARKS.religion };
  school.pupils[0]!.ethnicity = { code: 'X2', description: MARKS.ethnicity };
  school.contacts[0]!.phones = [{ kind: 'mobile', number: MARKS.phone }];
  fixtureDir = await mkdtemp(join(tmpdir(), 'lantern-feed-fixture-'));
  await writeBatch('wonde', fixtureDir, fullBatch(school));
  files = {};
  for (const f of await readdir(fixtureDir))
    files[f] = JSON.parse(await readFile(join(fixtureDir, f), 'utf8')) as unknown;
  // From here on, the process's temporary folder is one only these tests look at.
  spoolRoot = await mkdtemp(join(tmpdir(), 'lantern-feed-tmp-'));
  vi.stubEnv('TMPDIR', spoolRoot);
  expect(tmpdir()).toBe(spoolRoot);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await t.close();
  await rm(fixtureDir, { recursive: true, force: true });
  await rm(spoolRoot, { recursive: true, force: true });
});

describe('a feed in flight', () => {
  it('pushed: read from memory, so no file during or after the run holds its words', async () => {
    const body = { batchId: 'mem-1', format: 'wonde', kind: 'full', files } as PushBody;
    let during: Scan | undefined;
    const pupils = await withPushedSnapshot(body, async (snap) => {
      during = await scan();
      const s = await snap();
      return s.pupils;
    });
    expect(pupils.some((p) => p.religion.description === MARKS.religion)).toBe(true);
    expect(during!.found).toEqual([]);

    // And the whole push through the API, with its sync, leaves nothing behind either.
    const schoolId = await makeSchool(t.services);
    const admin = await signIn(t.app, await makeUser(t.services, schoolId, 'school_admin'), {
      elevated: true,
    });
    const created = await call(t.app, admin, 'POST', '/api/admin/mis/keys', { label: 'Feed' });
    const key = created.json<{ key: string }>().key;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/mis/push',
      headers: { authorization: `Bearer ${key}` },
      payload: { ...body, batchId: 'api-1' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(await scan()).toEqual({ files: 0, found: [] });
  });

  it('pulled: spooled encrypted while the run lasts, and removed when it ends', async () => {
    let during: Scan | undefined;
    let base = '';
    const server: Server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', base);
      const name = url.pathname.split('/').pop() ?? '';
      const send = () => {
        const body = files[`${name}.json`];
        if (body === undefined) return res.writeHead(404).end();
        const pages = (Array.isArray(body) ? body : [body]) as Record<string, unknown>[];
        const n = Number(url.searchParams.get('page') ?? '1');
        const next = n < pages.length ? `${base}/${name}?page=${n + 1}` : null;
        const page = { ...pages[n - 1], meta: { pagination: { next } } };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(page));
      };
      // The last endpoint: every earlier one is spooled by now. Look before answering.
      if (name === 'deletions') {
        void scan().then((s) => {
          during = s;
          send();
        });
      } else send();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/v1.0/schools/S1`;
    try {
      const schoolId = await makeSchool(t.services);
      const result = await pullAndSync(
        asSystem(t.services, schoolId, 'mis_sync'),
        { baseUrl: base, token: 'pull-token' },
        { allowPrivate: true },
      );
      expect(result.status).toBe('applied');
      expect(result.added).toBeGreaterThan(0);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
    // The pages were on disk (students, contacts…), but only encrypted.
    expect(during!.files).toBeGreaterThanOrEqual(5);
    expect(during!.found).toEqual([]);
    expect(await scan()).toEqual({ files: 0, found: [] });
  });
});
