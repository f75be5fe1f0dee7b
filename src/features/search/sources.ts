// Where "Search records" finds its hits: one source per kind of record (concerns, actions,
// conversations). Each source answers, in the database, the newest hits after a position and how
// many there are (up to a bound), with the words, the filters and the searcher's permission filter
// all applied before the limit — the same visibility rules as every list (concerns: visibleWhere;
// actions: actionsVisibleWhere; conversations: conversationTouchesGranted), never a second copy.
// Hits are ordered newest first by (time, id), with the time to the microsecond (`at`), so the
// pages of a cursor (service.ts) give every hit exactly once. To change safely: a condition added
// to a page must be added to its count too (both are built from the same `where`), and the
// visibility fragment must stay on every statement that reads records.
import type { Tx } from '../../core/context.ts';
import { canRead, visibleWhere } from '../concerns/policy.ts';
import { CONCERN_STATUS_SQL, metaOf, presentConcern, SELECT_VIEW } from '../concerns/read.ts';
import type { ConcernRow } from '../concerns/read.ts';
import { actionsVisibleWhere } from '../actions/service.ts';
import { conversationTouchesGranted } from '../conversations/policy.ts';
import { pupilAsSeen } from '../concerns/policy.ts';
import type { SearchBody, SearchHit } from '../../shared/schemas/search.ts';
import { matchedWords } from './blind-index.ts';

/** Where a page starts: the exact time (microseconds, UTC) and id of the hit before it. */
export type Position = { at: string; id: string };
/** A hit with its exact time, which orders the merged page and makes the next cursor. */
export type Found = SearchHit & { at: string };

/** What every source is asked: the words (blind tokens), the filters and where the page starts. */
export type SearchScope = {
  f: SearchBody;
  tokens: string[];
  after: Position | undefined;
  /**
   * The pupil filtered by is not one the searcher may see (canSeePupil): they are then shown,
   * and found, only on records the searcher took part in (pupilAsSeen's `knownTo`).
   */
  pupilHidden: boolean;
};

/** How a search finds and counts (SEARCH_BOUNDS in service.ts; a test may choose small ones). */
export type SearchBounds = {
  /** Hits are counted up to this many; beyond it the count is "more than" it. */
  count: number;
  /** How many of the newest records are tested first: a common word fills its page there. */
  newestWindow: number;
  /**
   * Below this many records holding the words, a page is found from those records, named by the
   * word index and sorted; above it, by walking the records newest first and testing each one's
   * tokens, as a page of such a word is met soon enough (issue 12).
   */
  matchesToSort: number;
};

export type Source = {
  kind: SearchHit['kind'];
  /** The newest `limit` hits after the scope's position, and every hit counted up to `bound`. */
  find(
    t: Tx,
    s: SearchScope,
    limit: number,
    bound: number,
    b: SearchBounds,
  ): Promise<{ hits: Found[]; n: number }>;
};

const exactTime = (expr: string) =>
  `to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const EXCERPT = 200;

/**
 * What a hit shows of its text: about EXCERPT characters, starting a little before the first
 * word the search matched when that is further in (at a word's start), and the matched words.
 */
function shown(text: string, q: string | undefined, also = ''): Pick<Found, 'excerpt' | 'matched'> {
  const { words, firstAt } = q ? matchedWords(also ? `${text}\n${also}` : text, q) : NO_MATCH;
  let start = 0;
  if (firstAt > EXCERPT / 2 && firstAt < text.length) {
    const space = text.lastIndexOf(' ', firstAt - EXCERPT / 4);
    start = space > 0 ? space + 1 : firstAt;
  }
  const end = Math.min(text.length, start + EXCERPT);
  const excerpt = `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
  return { excerpt, matched: words };
}
const NO_MATCH = { words: [], firstAt: -1 };

/** Numbered parameters for one statement. */
class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
  /** Appends a fragment's own parameters, numbered after these. */
  fragment(make: (from: number) => { sql: string; params: unknown[] }): string {
    const frag = make(this.values.length + 1);
    this.values.push(...frag.params);
    return frag.sql;
  }
}

/** Rows of `time`/`id` strictly after the position, in newest-first order. */
function afterSql(p: Params, time: string, id: string, after: Position | undefined): string[] {
  if (!after) return [];
  const at = p.add(after.at);
  return [
    `${time} <= ${at}::timestamptz`,
    `(${time} < ${at}::timestamptz OR ${id} < ${p.add(after.id)}::uuid)`,
  ];
}

const boundedCount = (from: string, where: string[], bound: string) =>
  `SELECT count(*)::int AS n FROM (SELECT 1 FROM ${from} WHERE ${where.join(' AND ')} LIMIT ${bound}) k`;

// ---- Concerns -----------------------------------------------------------------------------------

/**
 * A concern's conditions over alias `c`, in two parts. `driving`: the filters an index can serve
 * (pupil, category, author, dates), which choose the rows walked. `checked`: the permission filter
 * and the status, asked of each walked row in its own LATERAL look-up (checkedSql) — so the
 * planner asks them row by row as the walk goes and stops with the page, rather than building a
 * hash of every category link in the school first (which it prefers when it expects many rows).
 */
function concernWhere(t: Tx, s: SearchScope, p: Params): { driving: string[]; checked: string[] } {
  const { f } = s;
  const driving: string[] = [];
  const checked: string[] = [];
  if (f.pupilId) {
    driving.push(
      `c.id IN (SELECT x.concern_id FROM concern_pupils x WHERE x.pupil_id = ${p.add(f.pupilId)})`,
    );
    if (s.pupilHidden) driving.push(`c.author_id = ${p.add(t.actor.userId)}`);
  }
  if (f.categoryId)
    driving.push(
      `c.id IN (SELECT y.concern_id FROM concern_categories y WHERE y.category_id = ${p.add(f.categoryId)})`,
    );
  if (f.authorId) driving.push(`c.author_id = ${p.add(f.authorId)}`);
  if (f.from) driving.push(`c.happened_at >= ${p.add(new Date(f.from))}`);
  if (f.to) driving.push(`c.happened_at <= ${p.add(new Date(f.to))}`);
  if (f.status) checked.push(`${CONCERN_STATUS_SQL} = ${p.add(f.status)}`);
  checked.push(p.fragment((from) => visibleWhere(t.actor, from)));
  return { driving, checked };
}

/** The walked row `w` passes `checked` (see concernWhere): one key look-up per row. */
const checkedSql = (checked: string[]) =>
  `CROSS JOIN LATERAL (SELECT 1 FROM concerns c WHERE c.id = w.id AND ${checked.join(' AND ')}
     LIMIT 1) ok`;

const whereOf = (conditions: string[]) =>
  conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';

type Page = { ids: { id: string; at: string }[]; n: number };

/**
 * A rarer word: the records holding it (fewer than matchesToSort, named by the word index) are
 * filtered and counted once, then sorted. MATERIALIZED keeps that shape: the planner may not walk
 * the whole school newest first looking for them.
 */
async function fromMatches(t: Tx, s: SearchScope, ids: string[], limit: number, bound: number) {
  const p = new Params();
  const { driving, checked } = concernWhere(t, s, p);
  const after = afterSql(p, 'm.happened_at', 'm.id', s.after);
  const [row] = await t.q<Page>(
    `WITH m AS MATERIALIZED (
       SELECT w.id, w.happened_at FROM (SELECT c.id, c.happened_at FROM concerns c
         ${whereOf([`c.id = ANY(${p.add(ids)}::uuid[])`, ...driving])}) w ${checkedSql(checked)}),
     pg AS (SELECT m.id, m.happened_at FROM m ${whereOf(after)}
            ORDER BY m.happened_at DESC, m.id DESC LIMIT ${p.add(limit)})
     SELECT least((SELECT count(*) FROM m), ${p.add(bound)})::int AS n,
       coalesce((SELECT json_agg(json_build_object('id', pg.id, 'at', ${exactTime('pg.happened_at')})
         ORDER BY pg.happened_at DESC, pg.id DESC) FROM pg), '[]'::json) AS ids`,
    p.values,
  );
  return row!;
}

/**
 * The newest `limit` records after the position that hold the words (tested on each record's
 * tokens) and pass the filters and the permission filter, walking the records newest first —
 * only the `window` newest after the position when given.
 */
async function newestPage(t: Tx, s: SearchScope, limit: number, window?: number) {
  const p = new Params();
  const after = afterSql(p, 'c.happened_at', 'c.id', s.after);
  const from = window
    ? `(SELECT c.id, c.happened_at, c.author_id, c.search_tokens FROM concerns c ${whereOf(after)}
        ORDER BY c.happened_at DESC, c.id DESC LIMIT ${p.add(window)}) c`
    : 'concerns c';
  const words = s.tokens.length > 0 ? [`c.search_tokens @> ${p.add(s.tokens)}::text[]`] : [];
  const { driving, checked } = concernWhere(t, s, p);
  return t.q<{ id: string; at: string }>(
    `SELECT w.id, ${exactTime('w.happened_at')} AS at
     FROM (SELECT c.id, c.happened_at FROM ${from}
           ${whereOf([...words, ...driving, ...(window ? [] : after)])}
           ORDER BY c.happened_at DESC, c.id DESC) w ${checkedSql(checked)}
     ORDER BY w.happened_at DESC, w.id DESC LIMIT ${p.add(limit)}`,
    p.values,
  );
}

/**
 * Every hit up to `bound`: the holders of the words are named by the word index one by one (each
 * then looked up by its key, filtered and checked) until the bound; with no words, or a pupil or
 * author chosen, the records those filters find, each tested against the words.
 */
async function countUpTo(t: Tx, s: SearchScope, bound: number): Promise<number> {
  const p = new Params();
  const words = s.tokens.length > 0 ? p.add(s.tokens) : undefined;
  const { driving, checked } = concernWhere(t, s, p);
  // With words, every condition is asked of each holder the word index names, in its order —
  // unless a pupil or an author is chosen: their records are few, and found by their own index.
  const walked =
    words && !s.f.pupilId && !s.f.authorId
      ? `(SELECT lantern_search_matches('concern', ${words}::text[]) AS id) w
         ${checkedSql([...driving, ...checked])}`
      : `(SELECT c.id FROM concerns c
          ${whereOf([...(words ? [`c.search_tokens @> ${words}::text[]`] : []), ...driving])}) w
         ${checkedSql(checked)}`;
  const [row] = await t.q<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM ${walked} LIMIT ${p.add(bound)}) k`,
    p.values,
  );
  return row!.n;
}

/**
 * The newest hits and their count, by the cheapest way for these words: a word in many records
 * fills a page among the newest records (newestWindow); a rarer word is sorted from its matches
 * (fewer than matchesToSort); only a word between the two walks further back.
 */
async function concernPage(
  t: Tx,
  s: SearchScope,
  limit: number,
  bound: number,
  b: SearchBounds,
): Promise<Page> {
  if (s.tokens.length === 0)
    return { ids: await newestPage(t, s, limit), n: await countUpTo(t, s, bound) };
  const near = await newestPage(t, s, limit, b.newestWindow);
  if (near.length === limit) return { ids: near, n: await countUpTo(t, s, bound) };
  const matches = await t.q<{ id: string }>(
    `SELECT lantern_search_matches('concern', $1::text[]) AS id LIMIT $2`,
    [s.tokens, b.matchesToSort],
  );
  if (matches.length < b.matchesToSort)
    return fromMatches(
      t,
      s,
      matches.map((m) => m.id),
      limit,
      bound,
    );
  return { ids: await newestPage(t, s, limit), n: await countUpTo(t, s, bound) };
}

export const concernSource: Source = {
  kind: 'concern',
  async find(t, s, limit, bound, b) {
    const page = await concernPage(t, s, limit, bound, b);
    if (page.ids.length === 0) return { hits: [], n: page.n };
    const rows = await t.q<ConcernRow>(`${SELECT_VIEW} WHERE c.id = ANY($1::uuid[])`, [
      page.ids.map((r) => r.id),
    ]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const sealer = await t.sealer();
    const hits: Found[] = [];
    for (const { id, at } of page.ids) {
      const r = byId.get(id);
      // The policy is asked again of each row, as every concern list does.
      if (!r || !canRead(t.actor, metaOf(r))) continue;
      const v = presentConcern(t, sealer, r);
      hits.push({
        id: v.id,
        at,
        kind: 'concern',
        happenedAt: v.happenedAt,
        pupils: v.pupils.map((x) => ({ id: x.id, name: x.name })),
        categories: v.categories,
        author: v.author.name,
        status: v.status,
        ...shown(v.body, s.f.q, v.location ?? ''),
      });
    }
    return { hits, n: page.n };
  },
};

// ---- Actions and conversations ------------------------------------------------------------------

/** The pupil of an action or conversation, with what pupilAsSeen needs. */
const PUPIL_COLUMNS = `p.id AS pupil_id,
  coalesce(p.preferred_name, p.first_name) || ' ' || p.last_name AS pupil_name,
  p.year_group AS pupil_year, p.form AS pupil_form,
  lantern_pupil_group_refs(p.id, p.form) AS pupil_refs`;
type PupilColumns = {
  pupil_id: string;
  pupil_name: string;
  pupil_year: string | null;
  pupil_form: string | null;
  pupil_refs: string[];
};

function pupilOf(t: Tx, r: PupilColumns, knownTo: string[]) {
  return pupilAsSeen(
    t.actor,
    {
      id: r.pupil_id,
      name: r.pupil_name,
      yearGroup: r.pupil_year,
      form: r.pupil_form,
      groupRefs: r.pupil_refs,
    },
    { knownTo },
  );
}

function actionWhere(t: Tx, s: SearchScope, p: Params): string[] {
  const { f } = s;
  const where: string[] = [];
  if (s.tokens.length > 0)
    where.push(`a.id IN (SELECT lantern_search_matches('action', ${p.add(s.tokens)}::text[]))`);
  if (f.pupilId) {
    where.push(`a.pupil_id = ${p.add(f.pupilId)}`);
    if (s.pupilHidden) {
      const me = p.add(t.actor.userId);
      where.push(`(a.created_by = ${me} OR a.assignee_id = ${me})`);
    }
  }
  if (f.authorId) where.push(`a.created_by = ${p.add(f.authorId)}`);
  // A cancelled action (a case closed with it still open: migration 0026) is done with, as a
  // completed one is.
  if (f.status === 'open') where.push('a.completed_at IS NULL AND a.cancelled_at IS NULL');
  if (f.status === 'closed')
    where.push('(a.completed_at IS NOT NULL OR a.cancelled_at IS NOT NULL)');
  if (f.from) where.push(`a.created_at >= ${p.add(new Date(f.from))}`);
  if (f.to) where.push(`a.created_at <= ${p.add(new Date(f.to))}`);
  where.push(p.fragment((from) => actionsVisibleWhere(t, from)));
  return where;
}

export const actionSource: Source = {
  kind: 'action',
  async find(t, s, limit, bound) {
    const p = new Params();
    const where = [...actionWhere(t, s, p), ...afterSql(p, 'a.created_at', 'a.id', s.after)];
    const rows = await t.q<
      PupilColumns & {
        id: string;
        at: string;
        created_at: Date;
        text: Buffer;
        author: string;
        created_by: string;
        assignee_id: string;
        done: boolean;
      }
    >(
      `SELECT a.id, ${exactTime('a.created_at')} AS at, a.created_at, a.text, a.created_by,
              a.assignee_id, ${PUPIL_COLUMNS}, u.name AS author,
              (a.completed_at IS NOT NULL OR a.cancelled_at IS NOT NULL) AS done
       FROM actions a JOIN pupils p ON p.id = a.pupil_id JOIN users u ON u.id = a.created_by
       WHERE ${where.join(' AND ')} ORDER BY a.created_at DESC, a.id DESC LIMIT ${p.add(limit)}`,
      p.values,
    );
    const q = new Params();
    const [count] = await t.q<{ n: number }>(
      boundedCount('actions a', actionWhere(t, s, q), q.add(bound)),
      q.values,
    );
    const sealer = await t.sealer();
    const hits: Found[] = rows.map((a) => ({
      id: a.id,
      at: a.at,
      kind: 'action',
      happenedAt: a.created_at.toISOString(),
      pupils: [pupilOf(t, a, [a.created_by, a.assignee_id])],
      categories: [],
      author: a.author,
      status: a.done ? 'completed' : 'open',
      ...shown(sealer.open('actions.text', a.id, a.text), s.f.q),
    }));
    return { hits, n: count!.n };
  },
};

function conversationWhere(t: Tx, s: SearchScope, p: Params): string[] {
  const { f } = s;
  const where: string[] = [];
  if (s.tokens.length > 0)
    where.push(
      `v.id IN (SELECT lantern_search_matches('conversation', ${p.add(s.tokens)}::text[]))`,
    );
  if (f.pupilId) {
    where.push(`v.pupil_id = ${p.add(f.pupilId)}`);
    if (s.pupilHidden) where.push(`v.author_id = ${p.add(t.actor.userId)}`);
  }
  if (f.authorId) where.push(`v.author_id = ${p.add(f.authorId)}`);
  if (f.from) where.push(`v.happened_at >= ${p.add(new Date(f.from))}`);
  if (f.to) where.push(`v.happened_at <= ${p.add(new Date(f.to))}`);
  where.push(p.fragment((from) => conversationTouchesGranted(t.actor, from)));
  return where;
}

export const conversationSource: Source = {
  kind: 'conversation',
  async find(t, s, limit, bound) {
    const p = new Params();
    const where = [...conversationWhere(t, s, p), ...afterSql(p, 'v.happened_at', 'v.id', s.after)];
    const rows = await t.q<
      PupilColumns & {
        id: string;
        at: string;
        happened_at: Date;
        text: Buffer;
        author: string;
        author_id: string;
      }
    >(
      `SELECT v.id, ${exactTime('v.happened_at')} AS at, v.happened_at, v.text, v.author_id,
              ${PUPIL_COLUMNS}, u.name AS author
       FROM conversations v JOIN pupils p ON p.id = v.pupil_id JOIN users u ON u.id = v.author_id
       WHERE ${where.join(' AND ')}
       ORDER BY v.happened_at DESC, v.id DESC LIMIT ${p.add(limit)}`,
      p.values,
    );
    const q = new Params();
    const [count] = await t.q<{ n: number }>(
      boundedCount('conversations v', conversationWhere(t, s, q), q.add(bound)),
      q.values,
    );
    const sealer = await t.sealer();
    const hits: Found[] = rows.map((v) => ({
      id: v.id,
      at: v.at,
      kind: 'conversation',
      happenedAt: v.happened_at.toISOString(),
      pupils: [pupilOf(t, v, [v.author_id])],
      categories: [],
      author: v.author,
      status: 'recorded',
      ...shown(sealer.open('conversations.text', v.id, v.text), s.f.q),
    }));
    return { hits, n: count!.n };
  },
};
