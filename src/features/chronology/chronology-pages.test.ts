// A long chronology through the API, a page at a time (issue 12): the first page is the newest
// 100 the viewer may see with the total; following the cursors returns every entry exactly once in
// the chronology's order, ties on time included (within a kind and across kinds); a cursor from
// another pupil, another school or other filters, or an altered one, is refused with 400; a head
// of year who may see only some entries gets a total (counted for each page, never carried in the
// cursor) and pages without the others; each page is audited; and the PDF, read in several
// batches, holds the first entry and the last.
//   Ava: 230 concerns (10 of them in Prevent, restricted), one a minute; 20 conversations; 10
//        MIS events; and two instants each shared by entries of three kinds, placed so that they
//        straddle a page's end: 12 at TIE (99 entries are newer: the first page ends among them)
//        and 6 at TIE2 (247 are newer: the PDF's first batch of 250, newest first as on the
//        screen, ends among them).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractText } from 'unpdf';
import { inSchool, unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { joinGroupsByKey } from '../../core/access/seed-groups.ts';
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
} from '../../test/harness.ts';
import { EXPORT_BATCH } from './export.ts';

type Entry = { id: string; kind: string; happenedAt: string; text: string | null };
type Page = { entries: Entry[]; total: number; nextCursor?: string };

let t: TestApp;
let w: Awaited<ReturnType<typeof world>>;
const MINUTE = 60_000;
const START = Date.UTC(2025, 0, 6, 8, 0);
/** The instants entries of three kinds share. */
const TIE = new Date(START + 136 * MINUTE + 30_000);
const TIE2 = new Date(START + 19 * MINUTE + 30_000);

type Seeded = { id: string; kind: string; at: Date; prevent: boolean };

async function world() {
  const schoolId = await makeSchool(t.services);
  const dslUser = await makeUser(t.services, schoolId, 'dsl', 'Dee Lead');
  const hoyUser = await makeUser(t.services, schoolId, 'head_of_year', 'Hana Year');
  await unsafeAsOwner(t.services.db, (q) =>
    joinGroupsByKey(q, schoolId, hoyUser.id, ['head_of_year_7']),
  );
  const ava = await makePupil(t.services, schoolId, { firstName: 'Ava', yearGroup: 'Year 7' });
  const ben = await makePupil(t.services, schoolId, { firstName: 'Ben', yearGroup: 'Year 7' });
  const cats = await categoryIds(t.services, schoolId);
  const bullying = cats.find((c) => c.name === 'Bullying')!;
  const prevent = cats.find((c) => c.name.startsWith('Prevent'))!;
  expect(prevent.restricted).toBe(true);
  const seeded: Seeded[] = [];
  await inSchool(t.services.db, schoolId, async (q) => {
    const sealer = await t.services.keys.forSchool(q, schoolId);
    const concern = async (at: Date, n: number, restricted: boolean) => {
      const id = randomUUID();
      await q.query(
        `INSERT INTO concerns (id, school_id, author_id, happened_at, recorded_at, body)
         VALUES ($1, $2, $3, $4, $4, $5)`,
        [id, schoolId, dslUser.id, at, sealer.seal('concerns.body', id, `Concern number ${n}.`)],
      );
      await q.query(
        'INSERT INTO concern_pupils (school_id, concern_id, pupil_id) VALUES ($1, $2, $3)',
        [schoolId, id, ava.id],
      );
      await q.query(
        'INSERT INTO concern_categories (school_id, concern_id, category_id) VALUES ($1, $2, $3)',
        [schoolId, id, restricted ? prevent.id : bullying.id],
      );
      seeded.push({ id, kind: 'concern', at, prevent: restricted });
    };
    const conversation = async (at: Date, n: number) => {
      const id = randomUUID();
      await q.query(
        `INSERT INTO conversations (id, school_id, pupil_id, with_whom, happened_at, text,
           author_id, recorded_at) VALUES ($1, $2, $3, 'parent', $4, $5, $6, $4)`,
        [id, schoolId, ava.id, at, sealer.seal('conversations.text', id, `Talk ${n}.`), dslUser.id],
      );
      seeded.push({ id, kind: 'conversation', at, prevent: false });
    };
    const misEvent = async (at: Date) => {
      const [row] = await q.query<{ id: string }>(
        `INSERT INTO pupil_events (school_id, pupil_id, kind, happened_at, to_value)
         VALUES ($1, $2, 'changed_form', $3, '7B') RETURNING id`,
        [schoolId, ava.id, at],
      );
      seeded.push({ id: row!.id, kind: 'mis_event', at, prevent: false });
    };
    for (let n = 0; n < 230; n++) await concern(new Date(START + n * MINUTE), n, n % 23 === 5);
    for (let n = 0; n < 4; n++) {
      await concern(TIE, 1000 + n, false);
      await conversation(TIE, 1000 + n);
      await misEvent(TIE);
    }
    for (let n = 0; n < 2; n++) {
      await concern(TIE2, 2000 + n, false);
      await conversation(TIE2, 2000 + n);
      await misEvent(TIE2);
    }
    for (let n = 0; n < 20; n++) await conversation(new Date(START + (n * 7 + 3) * MINUTE), n);
    for (let n = 0; n < 10; n++) await misEvent(new Date(START + (n * 11 + 2) * MINUTE));
  });
  const dsl = await signIn(t.app, dslUser, { elevated: true });
  const hoy = await signIn(t.app, hoyUser, { elevated: true });
  return { schoolId, dsl, hoy, dslUser, ava, ben, bullying, seeded };
}

beforeAll(async () => {
  t = await testApp();
  w = await world();
}, 180_000);
afterAll(async () => t.close());

/** Newest first by (time, kind, id): the chronology's order. */
const newestFirst = (xs: Seeded[]) =>
  [...xs].sort(
    (a, b) =>
      b.at.getTime() - a.at.getTime() || (`${b.kind}:${b.id}` < `${a.kind}:${a.id}` ? -1 : 1),
  );
const keyOf = (e: { kind: string; id: string }) => `${e.kind}:${e.id}`;

async function page(s: Session, query = '', pupilId = w.ava.id) {
  return call(t.app, s, 'GET', `/api/pupils/${pupilId}/chronology${query ? `?${query}` : ''}`);
}

async function allPages(s: Session, filter = ''): Promise<{ pages: Page[]; entries: Entry[] }> {
  const pages: Page[] = [];
  let cursor: string | undefined;
  do {
    const q = [filter, cursor ? `cursor=${encodeURIComponent(cursor)}` : '']
      .filter(Boolean)
      .join('&');
    const res = await page(s, q);
    expect(res.statusCode, res.body).toBe(200);
    const p = res.json<Page>();
    pages.push(p);
    cursor = p.nextCursor;
  } while (cursor && pages.length < 20);
  return { pages, entries: pages.flatMap((p) => p.entries) };
}

describe('the first page', () => {
  it('is the newest 100 entries with the total of every page', async () => {
    const res = await page(w.dsl);
    expect(res.statusCode, res.body).toBe(200);
    const p = res.json<Page>();
    expect(p.total).toBe(w.seeded.length);
    expect(p.entries.map(keyOf)).toEqual(newestFirst(w.seeded).slice(0, 100).map(keyOf));
    expect(p.nextCursor).toEqual(expect.any(String));
    expect(p.entries[0]!.text).toBe('Concern number 229.');
  });
});

describe('paging by cursor', () => {
  it('returns every entry exactly once, in order, ties on time included', async () => {
    // The entries at TIE straddle the first page's end.
    const order = newestFirst(w.seeded).map((s) => s.at.getTime());
    expect(order.indexOf(TIE.getTime())).toBeLessThan(100);
    expect(order.lastIndexOf(TIE.getTime())).toBeGreaterThanOrEqual(100);
    const { pages, entries } = await allPages(w.dsl);
    expect(pages.map((p) => p.entries.length)).toEqual([100, 100, 78]);
    expect(pages.every((p) => p.total === w.seeded.length)).toBe(true);
    expect(pages.at(-1)!.nextCursor).toBeUndefined();
    expect(entries.map(keyOf)).toEqual(newestFirst(w.seeded).map(keyOf));
    // The dozen entries at one instant are all there, once each, whatever page they fell on.
    const tied = entries.filter((e) => e.happenedAt === TIE.toISOString());
    expect(new Set(tied.map(keyOf)).size).toBe(12);
  });

  it('pages under a filter by the same filter', async () => {
    const { entries, pages } = await allPages(w.dsl, 'kinds=conversation&kinds=mis_event');
    const expected = newestFirst(w.seeded.filter((s) => s.kind !== 'concern'));
    expect(pages[0]!.total).toBe(expected.length);
    expect(entries.map(keyOf)).toEqual(expected.map(keyOf));
  });

  it('audits each page read as a view of the chronology', async () => {
    const count = async () => {
      const [row] = await unsafeAsOwner(t.services.db, (q) =>
        q.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM audit_events
           WHERE school_id = $1 AND action = 'pupil.chronology_viewed' AND target_id = $2`,
          [w.schoolId, w.ava.id],
        ),
      );
      return row!.n;
    };
    const before = await count();
    const { pages } = await allPages(w.dsl);
    expect(await count()).toBe(before + pages.length);
  });
});

describe('a cursor from somewhere else', () => {
  const firstCursor = async (s: Session, query = '', pupilId = w.ava.id) => {
    const res = await page(s, query, pupilId);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Page>().nextCursor!;
  };
  const refused = async (s: Session, query: string, pupilId = w.ava.id) => {
    const res = await page(s, query, pupilId);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('bad_cursor');
  };

  it('another pupil: refused with 400', async () => {
    const cursor = await firstCursor(w.dsl);
    await refused(w.dsl, `cursor=${encodeURIComponent(cursor)}`, w.ben.id);
  });

  it('other filters: refused with 400', async () => {
    const cursor = await firstCursor(w.dsl);
    await refused(w.dsl, `kinds=concern&cursor=${encodeURIComponent(cursor)}`);
    await refused(w.dsl, `categoryId=${w.bullying.id}&cursor=${encodeURIComponent(cursor)}`);
    const filtered = await firstCursor(w.dsl, `categoryId=${w.bullying.id}`);
    await refused(w.dsl, `cursor=${encodeURIComponent(filtered)}`);
  });

  it('another school: refused with 400', async () => {
    const cursor = await firstCursor(w.dsl);
    const other = await makeSchool(t.services);
    const theirDsl = await signIn(t.app, await makeUser(t.services, other, 'dsl'), {
      elevated: true,
    });
    const theirPupil = await makePupil(t.services, other);
    await refused(theirDsl, `cursor=${encodeURIComponent(cursor)}`, theirPupil.id);
  });

  it('altered in any part, or not a cursor at all: refused with 400', async () => {
    const cursor = await firstCursor(w.dsl);
    const [payload, signature] = cursor.split('.') as [string, string];
    const position = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      at: string;
      id: string;
    };
    const moved = Buffer.from(
      JSON.stringify({ ...position, at: '2030-01-01T00:00:00.000000Z' }),
    ).toString('base64url');
    await refused(w.dsl, `cursor=${encodeURIComponent(`${moved}.${signature}`)}`);
    const flipped = signature.slice(0, -1) + (signature.endsWith('A') ? 'B' : 'A');
    await refused(w.dsl, `cursor=${encodeURIComponent(`${payload}.${flipped}`)}`);
    await refused(w.dsl, 'cursor=not-a-cursor');
  });
});

describe('a viewer who may see only some entries', () => {
  it('gets a total and pages without what they may not see', async () => {
    const { pages, entries } = await allPages(w.hoy);
    const visible = newestFirst(w.seeded.filter((s) => !s.prevent && s.kind !== 'conversation'));
    expect(pages[0]!.total).toBe(visible.length);
    // Every page's total is the number of entries the viewer gets across all the pages.
    expect(pages.every((p) => p.total === entries.length)).toBe(true);
    expect(entries.map(keyOf)).toEqual(visible.map(keyOf));
    const hidden = new Set(w.seeded.filter((s) => s.prevent).map((s) => s.id));
    expect(entries.some((e) => hidden.has(e.id))).toBe(false);
  });
});

describe('what a cursor holds', () => {
  it('only a position: no total, and a cursor replayed by another viewer counts for them', async () => {
    const first = (await page(w.dsl)).json<Page>();
    const cursor = first.nextCursor!;
    const position = JSON.parse(
      Buffer.from(cursor.split('.')[0]!, 'base64url').toString('utf8'),
    ) as Record<string, unknown>;
    expect(Object.keys(position).sort()).toEqual(['at', 'id']);
    // The DSL's cursor, used by the head of year: their total, never the DSL's.
    const res = await page(w.hoy, `cursor=${encodeURIComponent(cursor)}`);
    expect(res.statusCode, res.body).toBe(200);
    const hoyTotal = w.seeded.filter((s) => !s.prevent && s.kind !== 'conversation').length;
    expect(hoyTotal).toBeLessThan(first.total);
    expect(res.json<Page>().total).toBe(hoyTotal);
  });
});

describe('the PDF export', () => {
  it('holds every entry, the first and the last, read in several batches', async () => {
    // The entries at TIE2 straddle the end of the first batch, newest first.
    const order = newestFirst(w.seeded).map((s) => s.at.getTime());
    expect(order.indexOf(TIE2.getTime())).toBeLessThan(EXPORT_BATCH);
    expect(order.lastIndexOf(TIE2.getTime())).toBeGreaterThanOrEqual(EXPORT_BATCH);
    const res = await call(t.app, w.dsl, 'GET', `/api/pupils/${w.ava.id}/chronology.pdf`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    // A reference and a date in the file's name, never the child's name.
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="chronology-[0-9a-f]{8}-\d{4}-\d{2}-\d{2}\.pdf"$/,
    );
    const { text } = await extractText(new Uint8Array(res.rawPayload), { mergePages: true });
    expect(text).toContain('OFFICIAL-SENSITIVE');
    expect(text).toContain(`${w.seeded.length} entries`);
    // Newest first, as on the screen: the last concern, then (much later) the first.
    const first = text.indexOf('Concern number 229.');
    const last = text.indexOf('Concern number 0.');
    expect(first).toBeGreaterThan(-1);
    expect(last).toBeGreaterThan(first);
    for (const n of [1000, 1003, 2000, 2001, 12]) expect(text).toContain(`Concern number ${n}.`);
    expect(text).toContain('Talk 19.');
    const concerns = text.match(/Concern number \d+\./g) ?? [];
    expect(new Set(concerns).size).toBe(236);
    expect(concerns).toHaveLength(236);
    expect(text.match(/Talk \d+\./g)).toHaveLength(26);
    expect(text.match(/Moved form to 7B\./g)).toHaveLength(16);
  });
});
