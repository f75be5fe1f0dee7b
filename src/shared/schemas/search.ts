// "Search records": the request (words and filters, sent as a JSON body: the words are as
// sensitive as the records, so they never travel in a URL that proxies and logs keep) and a page
// of its hits: the newest first, how many there are (exact up to SEARCH_COUNT_BOUND, then "more
// than" it), and the signed cursor of the next page.
import { Type, type Static } from 'typebox';
import { Uuid } from './common.ts';

/** How many hits a page holds unless the request asks for fewer or more. */
export const SEARCH_PAGE = 50;
/** Hits are counted exactly up to this many; beyond it the count reads "more than" it. */
export const SEARCH_COUNT_BOUND = 1000;

export const SearchBody = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 500 })),
    pupilId: Type.Optional(Uuid),
    categoryId: Type.Optional(Uuid),
    authorId: Type.Optional(Uuid),
    status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed')])),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: SEARCH_PAGE })),
    /**
     * Where the page starts: the `nextCursor` of the page before, for the same words and filters
     * (signed, opaque; it holds a time and a record's id, never the words).
     */
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
);
export type SearchBody = Static<typeof SearchBody>;

/** No query string: a word put there by mistake is refused, not quietly logged by a proxy. */
export const SearchNoQuery = Type.Object({}, { additionalProperties: false });

export const SearchHit = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  happenedAt: Type.String({ format: 'date-time' }),
  pupils: Type.Array(
    Type.Object({
      id: Type.Union([Type.String(), Type.Null()], {
        description: 'null for a pupil the searcher may not see (named "Another pupil").',
      }),
      name: Type.String(),
    }),
  ),
  categories: Type.Array(
    Type.Object({ id: Type.String(), name: Type.String(), colour: Type.String() }),
  ),
  author: Type.String(),
  status: Type.String(),
  /** About 200 characters of the record's text, from near the first word the search matched. */
  excerpt: Type.String(),
  /**
   * The words of the record the search matched, as written ("bruised" and "bruises" for a search
   * for "bruise": search finds word forms). Empty when the search had no words.
   */
  matched: Type.Array(Type.String()),
});
export type SearchHit = Static<typeof SearchHit>;

export const SearchResults = Type.Object({
  /** Newest first (by when each happened, then by id), at most `limit`. */
  items: Type.Array(SearchHit),
  /** Every hit the searcher may see, on all pages: exact, or a lower bound (below). */
  count: Type.Integer({ minimum: 0 }),
  /** True when there are more than `count` hits (counting stopped at SEARCH_COUNT_BOUND). */
  countIsLowerBound: Type.Boolean(),
  /** The next (older) page; absent on the last. */
  nextCursor: Type.Optional(Type.String()),
  /**
   * True while some of the school's records are not yet re-indexed since the way words are
   * indexed changed (issue 14's word forms): a search by words cannot find those until the
   * background re-index reaches them. Present only for a search with words. (No count: how many
   * records a school holds is not every searcher's to know.)
   */
  reindexing: Type.Optional(Type.Literal(true)),
});
export type SearchResults = Static<typeof SearchResults>;
