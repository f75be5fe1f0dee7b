// Finding 1 of issue 11: a word searched for ("knife", a child's name) or a file's name must never
// reach the server's log or a URL. The app is built with its log at the production default level
// writing into an array; a unique marker is then searched for, used to look up a pupil and given
// as a file's name (and sent the old ways, in query strings, and in a broken body) and must be in
// no log line. Also finding 10 for pupil look-ups: one audit entry per request, without the words.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../http/app.ts';
import type { App } from '../../core/feature.ts';
import { FEATURES } from '../../features.ts';
import { createServices, type Services } from '../../platform/services.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import {
  call,
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testConfig,
  testDatabase,
  type Session,
} from '../../test/harness.ts';

/** Letters only, so it is one search token and a plausible surname. */
const MARKER = `Qx${randomBytes(8)
  .toString('hex')
  .replace(/\d/g, (d) => 'ghijklmnop'[Number(d)]!)}`;

const lines: string[] = [];
let services: Services;
let app: App;
let schoolId: string;
let dsl: Session;
let dslId: string;
let concernId: string;
let pupilId: string;

/** Everything the server logged so far: the request log and the services' own log. */
const logged = () => lines.join('\n').toLowerCase();

beforeAll(async () => {
  const note = (m: string) => void lines.push(m);
  services = await createServices(testConfig({ logLevel: 'info' }), {
    db: await testDatabase(),
    log: { info: note, warn: note, error: note },
  });
  ({ app } = await buildApp(services, FEATURES, { logDestination: { write: note } }));
  schoolId = await makeSchool(services);
  const user = await makeUser(services, schoolId, 'dsl');
  dslId = user.id;
  const pupil = await makePupil(services, schoolId, { firstName: 'Ada', lastName: MARKER });
  pupilId = pupil.id;
  const [category] = await categoryIds(services, schoolId);
  dsl = await signIn(app, user, { elevated: true });
  const res = await call(app, dsl, 'POST', '/api/concerns', {
    pupils: [{ pupilId, role: 'subject' }],
    categoryIds: [category!.id],
    happenedAt: new Date(Date.now() - 60_000).toISOString(),
    body: `Said the word ${MARKER} at the gate.`,
  });
  expect(res.statusCode, res.body).toBe(201);
  concernId = res.json<{ id: string }>().id;
}, 60_000);
afterAll(async () => {
  await app.close();
  await services.db.close();
});

const upload = (url: string, headers: Record<string, string>) =>
  app.inject({
    method: 'POST',
    url,
    headers: {
      cookie: dsl.cookie,
      'x-csrf-token': dsl.csrf,
      'content-type': 'application/octet-stream',
      ...headers,
    },
    payload: Buffer.from('A letter from home.\n'),
  });

async function pupilSearches() {
  return unsafeAsOwner(services.db, (q) =>
    q.query<{ actor_id: string; details: Record<string, unknown> }>(
      `SELECT actor_id, details FROM audit_events
       WHERE school_id = $1 AND action = 'pupil.searched' ORDER BY seq`,
      [schoolId],
    ),
  );
}

describe('no sensitive word in any URL or log', () => {
  it('searches, looks up a pupil and uploads with the words in bodies and headers', async () => {
    const found = await call(app, dsl, 'POST', '/api/search', { q: MARKER.toLowerCase() });
    expect(found.statusCode, found.body).toBe(200);
    expect(found.json<{ items: { id: string }[] }>().items.map((h) => h.id)).toEqual([concernId]);

    const pupils = await call(app, dsl, 'POST', '/api/pupils/search', {
      q: MARKER.slice(0, 8),
      includeArchived: true,
    });
    expect(pupils.statusCode, pupils.body).toBe(200);
    expect(pupils.json<{ items: { id: string }[] }>().items.map((p) => p.id)).toEqual([pupilId]);

    const name = `${MARKER} – letter from Mrs Ådams.txt`;
    const up = await upload(`/api/concerns/${concernId}/attachments`, {
      'x-file-name': encodeURIComponent(name),
    });
    expect(up.statusCode, up.body).toBe(201);
    expect(up.json<{ name: string }>().name).toBe(name);

    // The marker is in none of the log's lines...
    expect(logged()).not.toContain(MARKER.toLowerCase());
    // ...though the log did record these requests (so its silence means something).
    expect(logged()).toContain('"path":"/api/search"');
    expect(logged()).toContain('"path":"/api/pupils/search"');
    expect(logged()).toContain(`"path":"/api/concerns/${concernId}/attachments"`);
  });

  it('pages a search by a cursor and a count that hold no words, audited page by page without them', async () => {
    const [category] = await categoryIds(services, schoolId);
    const again = await call(app, dsl, 'POST', '/api/concerns', {
      pupils: [{ pupilId, role: 'subject' }],
      categoryIds: [category!.id],
      happenedAt: new Date(Date.now() - 120_000).toISOString(),
      body: `Said ${MARKER} again at lunch.`,
    });
    expect(again.statusCode, again.body).toBe(201);
    const before = await unsafeAsOwner(services.db, (q) =>
      q.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_events WHERE school_id = $1 AND action = 'records.searched'`,
        [schoolId],
      ),
    );
    type Page = { items: { id: string }[]; count: number; nextCursor?: string };
    const first = await call(app, dsl, 'POST', '/api/search', { q: MARKER, limit: 1 });
    expect(first.statusCode, first.body).toBe(200);
    const page1 = first.json<Page>();
    expect([page1.items.length, page1.count]).toEqual([1, 2]);
    const cursor = page1.nextCursor!;
    // The cursor holds a time and an id: neither the words nor anything made from them alone.
    const held = Buffer.from(cursor.split('.')[0]!, 'base64url').toString('utf8');
    expect(Object.keys(JSON.parse(held) as object).sort()).toEqual(['at', 'id']);
    expect(`${cursor} ${held}`.toLowerCase()).not.toContain(MARKER.toLowerCase());
    const second = await call(app, dsl, 'POST', '/api/search', { q: MARKER, limit: 1, cursor });
    expect(second.statusCode, second.body).toBe(200);
    const page2 = second.json<Page>();
    expect([page2.items.length, page2.count, page2.nextCursor]).toEqual([1, 2, undefined]);
    // Each page is a search in the audit trail: the number of words, the filters, what was shown.
    const events = await unsafeAsOwner(services.db, (q) =>
      q.query<{ details: Record<string, unknown> }>(
        `SELECT details FROM audit_events WHERE school_id = $1 AND action = 'records.searched'
         ORDER BY seq OFFSET $2`,
        [schoolId, before[0]!.n],
      ),
    );
    expect(events.map((e) => e.details)).toEqual([
      { terms: 1, filters: [], results: [page1.items[0]!.id] },
      { terms: 1, filters: ['cursor'], results: [page2.items[0]!.id] },
    ]);
    expect(JSON.stringify(events).toLowerCase()).not.toContain(MARKER.toLowerCase());
    expect(JSON.stringify(events)).not.toContain(cursor);
    // Neither the words nor the cursor reached the log.
    expect(logged()).not.toContain(MARKER.toLowerCase());
    expect(logged()).not.toContain(cursor.toLowerCase());
  });

  it('has no GET form with the words in the query, and refuses words in a query string', async () => {
    const m = encodeURIComponent(MARKER);
    expect((await call(app, dsl, 'GET', `/api/search?q=${m}`)).statusCode).toBe(404);
    expect((await call(app, dsl, 'GET', `/api/pupils?q=${m}`)).statusCode).toBe(404);
    expect(
      (await call(app, dsl, 'GET', `/api/pupils?q=${m}&includeArchived=true`)).statusCode,
    ).toBe(404);
    // The POST routes take no query string at all: a word put there is refused, not used.
    const inQuery = await call(app, dsl, 'POST', `/api/search?q=${m}`, {});
    expect(inQuery.statusCode).toBe(400);
    expect(inQuery.json<{ error: { message: string } }>().error.message).toMatch(/unexpected/);
    expect((await call(app, dsl, 'POST', `/api/pupils/search?q=${m}`, { q: 'a' })).statusCode).toBe(
      400,
    );
    const named = await upload(`/api/concerns/${concernId}/attachments?name=${m}.txt`, {
      'x-file-name': 'letter.txt',
    });
    expect(named.statusCode).toBe(400);
    // Without the header the upload is refused with a message naming it.
    const nameless = await upload(`/api/concerns/${concernId}/attachments`, {});
    expect(nameless.statusCode).toBe(400);
    expect(nameless.json<{ error: { message: string } }>().error.message).toMatch(/x-file-name/);
    // A name that is not valid percent-encoding is refused plainly.
    const garbled = await upload(`/api/concerns/${concernId}/attachments`, {
      'x-file-name': `${MARKER}%E0%A4%A.txt`,
    });
    expect(garbled.statusCode).toBe(400);
    expect(garbled.json<{ error: { message: string } }>().error.message).toMatch(/percent-encoded/);
    // A broken body is refused without being written anywhere.
    const broken = await app.inject({
      method: 'POST',
      url: '/api/search',
      headers: { cookie: dsl.cookie, 'x-csrf-token': dsl.csrf, 'content-type': 'application/json' },
      payload: `{"q": "${MARKER}`,
    });
    expect(broken.statusCode).toBe(400);

    expect(logged()).not.toContain(MARKER.toLowerCase());
    expect(logged()).not.toContain('?q=');
    expect(logged()).toContain('"path":"/api/search"');
  });

  it('audits each pupil look-up once, with counts and ids but never the words', async () => {
    const before = (await pupilSearches()).length;
    const one = await call(app, dsl, 'POST', '/api/pupils/search', { q: `ada ${MARKER}` });
    expect(one.statusCode, one.body).toBe(200);
    const none = await call(app, dsl, 'POST', '/api/pupils/search', { q: 'Zzzznobody' });
    expect(none.json<{ items: unknown[] }>().items).toEqual([]);
    const events = (await pupilSearches()).slice(before);
    expect(events).toEqual([
      { actor_id: dslId, details: { terms: 2, includeArchived: false, results: [pupilId] } },
      { actor_id: dslId, details: { terms: 1, includeArchived: false, results: [] } },
    ]);
    const text = JSON.stringify(events.map((e) => e.details)).toLowerCase();
    expect(text).not.toContain(MARKER.toLowerCase());
    expect(text).not.toContain('zzzznobody');
    expect(text).not.toContain('ada');
  });

  it('writes no audit entry for a look-up it refuses', async () => {
    // An administrator sees no records, so may not look up leavers (who are found only there).
    const user = await makeUser(services, schoolId, 'school_admin');
    const teacher = await signIn(app, user, { elevated: true });
    const before = (await pupilSearches()).length;
    const res = await call(app, teacher, 'POST', '/api/pupils/search', {
      q: MARKER,
      includeArchived: true,
    });
    expect(res.statusCode).toBe(403);
    expect((await pupilSearches()).length).toBe(before);
  });
});
