// "Search records": the request (words and filters, sent as a JSON body: the words are as
// sensitive as the records, so they never travel in a URL that proxies and logs keep) and its hits.
import { Type, type Static } from 'typebox';
import { Uuid } from './common.ts';

export const SearchBody = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 500 })),
    pupilId: Type.Optional(Uuid),
    categoryId: Type.Optional(Uuid),
    authorId: Type.Optional(Uuid),
    status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed')])),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
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
  excerpt: Type.String(),
});
export type SearchHit = Static<typeof SearchHit>;

export const SearchResults = Type.Object({ items: Type.Array(SearchHit) });
export type SearchResults = Static<typeof SearchResults>;
