// "Search records" over the keyed blind index: found by words, corrected words replace old ones,
// another school's records never match (in the API or in the matching function itself), and a
// search with nothing to search for is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  type TestApp,
} from '../../test/harness.ts';
import { inPlatform, inSchool, unsafeAsOwner } from '../../platform/db/tenancy.ts';
import type { Queryable } from '../../platform/db/engine.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t.close());

async function school(word: string) {
  const schoolId = await makeSchool(t.services);
  const teacher = await makeUser(t.services, schoolId, 'teacher');
  const dsl = await makeUser(t.services, schoolId, 'dsl');
  const pupil = await makePupil(t.services, schoolId, { firstName: 'Kit', lastName: 'Marsh' });
  const [cat] = await categoryIds(t.services, schoolId);
  const author = await signIn(t.app, teacher);
  const res = await call(t.app, author, 'POST', '/api/concerns', {
    pupils: [{ pupilId: pupil.id, role: 'subject' }],
    categoryIds: [cat!.id],
    happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
    body: `Kit mentioned the ${word} by the gate.`,
  });
  expect(res.statusCode, res.body).toBe(201);
  return { schoolId, author, dsl, concernId: res.json<{ id: string }>().id };
}

type Hits = { items: { id: string; kind: string; excerpt: string }[] };
const ids = (r: { json: <T>() => T }) => r.json<Hits>().items.map((h) => h.id);

describe('search records', () => {
  it("finds a school's own records by a word, never another school's with the same word", async () => {
    const a = await school('heron');
    const b = await school('heron');
    const s = await signIn(t.app, a.dsl, { elevated: true });
    const res = await call(t.app, s, 'POST', '/api/search', { q: 'HERON' });
    expect(res.statusCode, res.body).toBe(200);
    expect(ids(res)).toEqual([a.concernId]);
    expect(res.body).not.toContain(b.concernId);
    const none = await call(t.app, s, 'POST', '/api/search', { q: 'kingfisher' });
    expect(ids(none)).toEqual([]);
  });

  it('finds a corrected concern by its new words and no longer by the removed ones', async () => {
    const a = await school('lantern-post');
    const edit = await call(t.app, a.author, 'PATCH', `/api/concerns/${a.concernId}`, {
      reason: 'It was the bike shed, not the gate.',
      body: 'Kit mentioned the bikeshed at break.',
    });
    expect(edit.statusCode, edit.body).toBe(200);
    const s = await signIn(t.app, a.dsl, { elevated: true });
    expect(ids(await call(t.app, s, 'POST', '/api/search', { q: 'bikeshed' }))).toEqual([
      a.concernId,
    ]);
    expect(ids(await call(t.app, s, 'POST', '/api/search', { q: 'gate' }))).toEqual([]);
  });

  it('matches only in the current school, and nothing with no school set', async () => {
    const a = await school('osprey');
    const b = await school('puffin');
    const [row] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ search_tokens: string[] }>('SELECT search_tokens FROM concerns WHERE id = $1', [
        a.concernId,
      ]),
    );
    const tokens = row!.search_tokens;
    expect(tokens.length).toBeGreaterThan(0);
    const match = (q: Queryable) =>
      q.query<{ id: string }>(`SELECT lantern_search_matches('concern', $1::text[]) AS id`, [
        tokens,
      ]);
    expect(await inSchool(t.services.db, a.schoolId, match)).toEqual([{ id: a.concernId }]);
    expect(await inSchool(t.services.db, b.schoolId, match)).toEqual([]);
    expect(await inPlatform(t.services.db, match)).toEqual([]);
  });

  it('refuses a search with no word and no filter', async () => {
    const a = await school('wren');
    const s = await signIn(t.app, a.dsl, { elevated: true });
    const res = await call(t.app, s, 'POST', '/api/search', { q: ' the ' });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(/Type a word/);
  });

  it('a word in many records gives the newest page of them, in order, and a rarer word still finds old ones (issue 12)', async () => {
    const a = await school('kestrel');
    const [cat] = await categoryIds(t.services, a.schoolId);
    const pupil = await makePupil(t.services, a.schoolId);
    const made: { id: string; at: number }[] = [];
    for (let i = 0; i < 14; i++) {
      const at = Date.now() - 60_000 * (i + 1);
      const res = await call(t.app, a.author, 'POST', '/api/concerns', {
        pupils: [{ pupilId: pupil.id, role: 'subject' }],
        categoryIds: [cat!.id],
        happenedAt: new Date(at).toISOString(),
        body: `Seen at the playground again, number ${i}.`,
      });
      made.push({ id: res.json<{ id: string }>().id, at });
    }
    const s = await signIn(t.app, a.dsl, { elevated: true });
    const newest = made.sort((x, y) => y.at - x.at).map((m) => m.id);
    // A page of 10: all found among the newest records read directly.
    const page = await call(t.app, s, 'POST', '/api/search', { q: 'playground', limit: 10 });
    expect(ids(page)).toEqual(newest.slice(0, 10));
    // Fewer matches than a page: the word index finds the rest, the oldest included.
    const all = await call(t.app, s, 'POST', '/api/search', { q: 'playground', limit: 20 });
    expect(ids(all)).toEqual(newest);
    expect(ids(await call(t.app, s, 'POST', '/api/search', { q: 'kestrel' }))).toEqual([
      a.concernId,
    ]);
  });
});
