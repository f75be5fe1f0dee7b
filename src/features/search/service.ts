// "Search records": words in the (encrypted) text through the keyed blind index, plus filters by
// pupil, category, author, status and dates, a page at a time. Each kind of record is a source
// (sources.ts) that applies the words, the filters and the searcher's permission filter in the
// database before its limit; the pages are merged newest first and counted (exactly up to a
// bound, then "more than" it), and the next page is named by a signed cursor bound to these words
// and filters in this school (src/core/page-cursor.ts: any other cursor is refused with 400).
// Linked pupils are shown through pupilAsSeen, as on the concern page.
// Every filter applies to every kind of hit, or that kind is left out:
//   pupil    concerns linked to the pupil; actions and conversations about them — only where
//            the viewer is shown that pupil (pupilAsSeen), so a hidden pupil's id finds nothing
//            the viewer did not take part in
//   category concerns only (actions and conversations carry no category: left out)
//   author   who recorded it: a concern's author, an action's creator, a conversation's author
//   status   concerns by their case (CONCERN_STATUS_SQL); actions open until completed or cancelled, then
//            closed; conversations have no status and are left out
//   from/to  when it happened: a concern's or conversation's date, an action's creation
// Every search — a further page too — is audited with its filters and the NUMBER of words, never
// the words themselves; the cursor holds a time and an id, and is signed over the blind tokens.
import type { Tx } from '../../core/context.ts';
import { badRequest } from '../../core/errors.ts';
import { can } from '../../core/access/actor.ts';
import { pageCursor, readPageCursor, timeAndId, type CursorList } from '../../core/page-cursor.ts';
import { blindQuery } from './blind-index.ts';
import { anyAwaitingReindex } from './reindex.ts';
import { canSeePupil } from '../concerns/policy.ts';
import {
  SEARCH_COUNT_BOUND,
  SEARCH_PAGE,
  type SearchBody,
  type SearchResults,
} from '../../shared/schemas/search.ts';
import {
  actionSource,
  concernSource,
  conversationSource,
  type Found,
  type Position,
  type SearchBounds,
  type SearchScope,
  type Source,
} from './sources.ts';

/** The route's body: words, filters, page size and cursor (src/shared/schemas/search.ts). */
export type SearchFilters = SearchBody;
export type { SearchBounds };

/**
 * How a search finds and counts: "more than 1,000"; the newest 4,000 records first; a word's
 * matches sorted below 5,000 of them (no dearer than counting them, which a searcher who sees a
 * fifth of the school does anyway: 1,000 visible hits are some 5,000 matches).
 */
export const SEARCH_BOUNDS: SearchBounds = {
  count: SEARCH_COUNT_BOUND,
  newestWindow: 4000,
  matchesToSort: 5000,
};

const EXACT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The list a cursor belongs to: this searcher, these words (as blind tokens, never the words) and
 * exactly these filters. The page size is not part of it: a cursor names a position, whatever the
 * page. Bound to the searcher, another member's cursor is refused rather than replayed.
 */
function listOf(userId: string, tokens: string[], f: SearchFilters): CursorList {
  const iso = (d: string | undefined) => (d ? new Date(d).toISOString() : null);
  const subject = JSON.stringify([
    userId,
    [...new Set(tokens)].sort(),
    f.pupilId ?? null,
    f.categoryId ?? null,
    f.authorId ?? null,
    f.status ?? null,
    iso(f.from),
    iso(f.to),
  ]);
  return { kind: 'search', subject };
}

function positionOf(raw: unknown): Position | undefined {
  const p = timeAndId(raw);
  return p && EXACT.test(p.at) && UUID.test(p.id) ? p : undefined;
}

/** Which kinds of record these filters can find, and this searcher may see. */
function sourcesFor(t: Tx, f: SearchFilters): Source[] {
  // Actions and conversations carry no category: a category filter leaves them out.
  if (f.categoryId) return [concernSource];
  // Conversations have no status: a status filter leaves them out.
  const talks = !f.status && can(t.actor, 'case.manage');
  return [concernSource, actionSource, ...(talks ? [conversationSource] : [])];
}

/** Whether the searcher may see this pupil (name included) wherever they are linked. */
async function pupilShown(t: Tx, pupilId: string): Promise<boolean> {
  const [p] = await t.q<{
    id: string;
    year_group: string | null;
    form: string | null;
    refs: string[];
  }>(
    `SELECT id, year_group, form, lantern_pupil_group_refs(id, form) AS refs
     FROM pupils WHERE id = $1`,
    [pupilId],
  );
  return (
    p !== undefined &&
    canSeePupil(t.actor, { id: p.id, yearGroup: p.year_group, form: p.form, groupRefs: p.refs })
  );
}

const newestFirst = (a: Found, b: Found) =>
  a.at > b.at ? -1 : a.at < b.at ? 1 : a.id > b.id ? -1 : a.id < b.id ? 1 : 0;

export async function searchRecords(
  t: Tx,
  f: SearchFilters,
  bounds: SearchBounds = SEARCH_BOUNDS,
): Promise<SearchResults> {
  const sealer = await t.sealer();
  const tokens = f.q ? blindQuery(sealer.searchKey, f.q) : [];
  const hasFilter = f.pupilId || f.categoryId || f.authorId || f.status || f.from || f.to;
  if (tokens.length === 0 && !hasFilter)
    throw badRequest('Type a word to search for, or choose a filter.', 'empty_search');
  if (f.from && f.to && new Date(f.from) > new Date(f.to))
    throw badRequest('"From" must be on or before "to".', 'bad_date_range');
  const limit = f.limit ?? SEARCH_PAGE;
  const list = listOf(t.actor.userId, tokens, f);
  const scope: SearchScope = {
    f,
    tokens,
    after: f.cursor ? readPageCursor(sealer, list, f.cursor, positionOf) : undefined,
    pupilHidden: f.pupilId ? !(await pupilShown(t, f.pupilId)) : false,
  };
  // Each source gives its newest limit + 1 after the position (one more than a page says whether
  // another page follows) and its count up to one past the bound (which says "more than").
  const found: Found[] = [];
  let counted = 0;
  for (const source of sourcesFor(t, f)) {
    const { hits, n } = await source.find(t, scope, limit + 1, bounds.count + 1, bounds);
    found.push(...hits);
    counted += n;
  }
  // Found by a pupil only where that pupil is shown (the sources ask this in SQL too): searching
  // by the id of a pupil the viewer may not see must not confirm which readable records link them.
  const shownHits = f.pupilId
    ? found.filter((h) => h.pupils.some((x) => x.id === f.pupilId))
    : found;
  shownHits.sort(newestFirst);
  const page = shownHits.slice(0, limit);
  const last = page.at(-1);
  await t.audit({
    action: 'records.searched',
    details: {
      terms: tokens.length,
      // 'cursor' among them marks a further page of the same search.
      filters: Object.keys(f).filter((k) => k !== 'q' && k !== 'limit'),
      results: page.map((h) => h.id),
    },
  });
  const reindexing = tokens.length > 0 && (await anyAwaitingReindex(t));
  return {
    items: page.map(({ at: _at, ...hit }) => hit),
    ...(reindexing ? { reindexing: true as const } : {}),
    count: Math.min(counted, bounds.count),
    countIsLowerBound: counted > bounds.count,
    ...(shownHits.length > limit && last
      ? { nextCursor: pageCursor(sealer, list, { at: last.at, id: last.id }) }
      : {}),
  };
}
