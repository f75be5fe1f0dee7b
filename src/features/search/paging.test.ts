// A search answers a page at a time (issue 12): the newest 50 in order (by when, then id), a
// count that is exact up to a bound and a lower bound above it, and a signed cursor whose pages
// give every hit exactly once — by each of the three ways the service finds a page (the newest
// records first, sorting the word index's matches, walking further back), chosen here by small
// bounds. A head of year's search never returns or counts another year's records, and still fills
// its page when the newest matches are another year's. A cursor from another search, another
// school, or altered in any way is refused with 400.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../http/app.ts';
import type { App } from '../../core/feature.ts';
import { FEATURES } from '../../features.ts';
import type { Services } from '../../platform/services.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import {
  call,
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testServices,
  type Session,
} from '../../test/harness.ts';
import { SEARCH_BOUNDS, type SearchBounds } from './service.ts';
import { searchRoutesWith } from './routes.ts';
import type { SearchResults } from '../../shared/schemas/search.ts';

let services: Services;
const apps: App[] = [];
/** The app with the search route built with these bounds (the others as in production). */
async function appWith(bounds: SearchBounds): Promise<App> {
  const features = FEATURES.map((f) =>
    f.name === 'search' ? { name: 'search', routes: searchRoutesWith(bounds) } : f,
  );
  const { app } = await buildApp(services, features);
  apps.push(app);
  return app;
}

let app: App;
let w: Awaited<ReturnType<typeof world>>;
const WORD = 'plover';

/**
 * 60 concerns about a Year 7 pupil (the newest) and 55 about a Year 9 pupil, all holding WORD,
 * two at each minute (so the id decides between them); 3 of the Year 9 ones also hold "dunlin".
 */
async function world() {
  const schoolId = await makeSchool(services);
  const dslUser = await makeUser(services, schoolId, 'dsl');
  const hoyUser = await makeUser(services, schoolId, 'head_of_year');
  // The head of year sees Year 9 only.
  await unsafeAsOwner(services.db, async (q) => {
    await q.query('DELETE FROM staff_group_members WHERE user_id = $1', [hoyUser.id]);
    await q.query(
      `INSERT INTO staff_group_members (school_id, group_id, user_id)
       SELECT $2, id, $1 FROM staff_groups WHERE school_id = $2 AND key IN ('all_staff', 'head_of_year_9')`,
      [hoyUser.id, schoolId],
    );
  });
  const y7 = await makePupil(services, schoolId, { yearGroup: 'Year 7', form: '7A' });
  const y9 = await makePupil(services, schoolId, { yearGroup: 'Year 9', form: '9A' });
  const [cat] = (await categoryIds(services, schoolId)).filter((c) => !c.restricted);
  const dsl = await signIn(app, dslUser, { elevated: true });
  const hoy = await signIn(app, hoyUser, { elevated: true });
  const base = Date.now() - 86_400_000;
  const made: { id: string; at: number; year: 7 | 9; dunlin: boolean }[] = [];
  for (let i = 0; i < 115; i++) {
    const year = i < 55 ? 9 : 7;
    const dunlin = year === 9 && i % 20 === 0;
    const at = base + Math.floor(i / 2) * 60_000;
    const res = await call(app, dsl, 'POST', '/api/concerns', {
      pupils: [{ pupilId: year === 9 ? y9.id : y7.id, role: 'subject' }],
      categoryIds: [cat!.id],
      happenedAt: new Date(at).toISOString(),
      body: `Saw a ${WORD} on the field${dunlin ? ' and a dunlin' : ''}, note ${i}.`,
    });
    expect(res.statusCode, res.body).toBe(201);
    made.push({ id: res.json<{ id: string }>().id, at, year, dunlin });
  }
  // Newest first by when it happened, then by id (descending), as the search orders them.
  made.sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1));
  return { schoolId, dsl, hoy, y7, y9, made };
}

beforeAll(async () => {
  services = await testServices();
  app = await appWith(SEARCH_BOUNDS);
  w = await world();
}, 180_000);
afterAll(async () => {
  for (const a of apps) await a.close();
  await services.db.close();
});

async function search(a: App, s: Session, body: object): Promise<SearchResults> {
  const res = await call(a, s, 'POST', '/api/search', body);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<SearchResults>();
}

/** Every page of a search, following its cursors. */
async function allPages(a: App, s: Session, body: object) {
  const pages: SearchResults[] = [];
  let cursor: string | undefined;
  do {
    const page = await search(a, s, cursor ? { ...body, cursor } : body);
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor && pages.length < 10);
  return pages;
}

const idsOf = (pages: SearchResults[]) => pages.flatMap((p) => p.items.map((h) => h.id));

describe('search pages, counts and cursors', () => {
  it('gives the newest 50 in order, a count, and pages that give every hit exactly once', async () => {
    const expected = w.made.map((m) => m.id);
    const pages = await allPages(app, w.dsl, { q: WORD });
    expect(pages.map((p) => p.items.length)).toEqual([50, 50, 15]);
    expect(pages[0]!.items.map((h) => h.id)).toEqual(expected.slice(0, 50));
    expect(idsOf(pages)).toEqual(expected);
    for (const p of pages) expect([p.count, p.countIsLowerBound]).toEqual([115, false]);
    expect(pages[2]!.nextCursor).toBeUndefined();
    // A smaller page size pages the same list.
    const small = await allPages(app, w.dsl, { q: WORD, limit: 40 });
    expect(idsOf(small)).toEqual(expected);
  });

  it('finds the same pages whichever way a page is found', async () => {
    const expected = w.made.map((m) => m.id);
    const ways: SearchBounds[] = [
      // The newest records do not hold a page: the word index's matches are sorted.
      { count: 1000, newestWindow: 5, matchesToSort: 1000 },
      // Too many matches to sort: the records are walked newest first.
      { count: 1000, newestWindow: 5, matchesToSort: 10 },
    ];
    for (const bounds of ways) {
      const other = await appWith(bounds);
      // A session is the school's, not an app's: the same sign-in serves every app here.
      expect(idsOf(await allPages(other, w.dsl, { q: WORD }))).toEqual(expected);
      const hoyPages = await allPages(other, w.hoy, { q: WORD });
      expect(idsOf(hoyPages)).toEqual(w.made.filter((m) => m.year === 9).map((m) => m.id));
      expect(hoyPages[0]!.count).toBe(55);
    }
  });

  it("a head of year's search fills its page from their year and counts only what they may see", async () => {
    const year9 = w.made.filter((m) => m.year === 9).map((m) => m.id);
    const pages = await allPages(app, w.hoy, { q: WORD });
    // The 60 newest matches are Year 7's: the page of 50 is still full, of Year 9 alone.
    expect(pages.map((p) => p.items.length)).toEqual([50, 5]);
    expect(idsOf(pages)).toEqual(year9);
    expect(pages[0]!.count).toBe(55);
    const rare = await search(app, w.hoy, { q: `dunlin ${WORD}` });
    expect(rare.items.map((h) => h.id)).toEqual(w.made.filter((m) => m.dunlin).map((m) => m.id));
    expect([rare.count, rare.countIsLowerBound, rare.nextCursor]).toEqual([3, false, undefined]);
    // By pupil: the Year 9 pupil's records, paged and counted; the Year 7 pupil is not one the
    // head of year may see, so their id finds (and counts) nothing.
    const byPupil = await allPages(app, w.dsl, { q: WORD, pupilId: w.y9.id });
    expect(idsOf(byPupil)).toEqual(year9);
    expect(byPupil[0]!.count).toBe(55);
    const hidden = await search(app, w.hoy, { q: WORD, pupilId: w.y7.id });
    expect([hidden.items, hidden.count]).toEqual([[], 0]);
  });

  it('counts exactly up to the bound, then says "more than"', async () => {
    const small = await appWith({ ...SEARCH_BOUNDS, count: 55 });
    const dsl = w.dsl;
    const many = await search(small, dsl, { q: WORD });
    expect([many.count, many.countIsLowerBound]).toEqual([55, true]);
    expect(many.items).toHaveLength(50);
    // Exactly at the bound is exact: the head of year sees 55.
    const hoy = await search(small, w.hoy, { q: WORD });
    expect([hoy.count, hoy.countIsLowerBound]).toEqual([55, false]);
    const few = await search(small, dsl, { q: 'dunlin' });
    expect([few.count, few.countIsLowerBound]).toEqual([3, false]);
    // Each way of finding a page counts the same.
    for (const way of [
      { newestWindow: 5, matchesToSort: 1000 },
      { newestWindow: 5, matchesToSort: 10 },
    ]) {
      const other = await appWith({ count: 20, ...way });
      const r = await search(other, w.dsl, { q: WORD });
      expect([r.count, r.countIsLowerBound]).toEqual([20, true]);
      const h = await search(other, w.hoy, { q: WORD });
      expect([h.count, h.countIsLowerBound]).toEqual([20, true]);
    }
  });

  it('refuses a cursor from another search, another member, another school, or altered, with 400', async () => {
    const first = await search(app, w.dsl, { q: WORD });
    const cursor = first.nextCursor!;
    expect(cursor).toBeTruthy();
    // The cursor says where a page starts, never what was searched for.
    expect(Buffer.from(cursor.split('.')[0]!, 'base64url').toString()).not.toContain(WORD);
    const refused = async (s: Session, body: object) => {
      const res = await call(app, s, 'POST', '/api/search', body);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json<{ error: { code: string } }>().error.code).toBe('bad_cursor');
    };
    await refused(w.dsl, { q: 'dunlin', cursor });
    await refused(w.dsl, { q: WORD, pupilId: w.y9.id, cursor });
    await refused(w.dsl, { q: WORD, from: new Date(0).toISOString(), cursor });
    const flip = (c: string, i: number) =>
      c.slice(0, i) + (c[i] === 'A' ? 'B' : 'A') + c.slice(i + 1);
    await refused(w.dsl, { q: WORD, cursor: flip(cursor, 3) });
    await refused(w.dsl, { q: WORD, cursor: flip(cursor, cursor.length - 2) });
    await refused(w.dsl, { q: WORD, cursor: 'not-a-cursor' });
    // The same words in another school: that school's cursor is not this one's.
    const other = await makeSchool(services);
    const otherDsl = await signIn(app, await makeUser(services, other, 'dsl'), { elevated: true });
    const [cat] = await categoryIds(services, other);
    const pupil = await makePupil(services, other);
    for (let i = 0; i < 3; i++) {
      const res = await call(app, otherDsl, 'POST', '/api/concerns', {
        pupils: [{ pupilId: pupil.id, role: 'subject' }],
        categoryIds: [cat!.id],
        happenedAt: new Date(Date.now() - (i + 1) * 60_000).toISOString(),
        body: `A ${WORD} again.`,
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    const theirs = await search(app, otherDsl, { q: WORD, limit: 1 });
    await refused(w.dsl, { q: WORD, cursor: theirs.nextCursor! });
    await refused(otherDsl, { q: WORD, cursor });
    // A cursor is the searcher's own: another member of the same school, searching the same
    // words, is refused it rather than paged from the DSL's position.
    await refused(w.hoy, { q: WORD, cursor });
  });
});
