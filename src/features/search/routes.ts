// "Search records": the route (query and response schemas, the search capability with step-up);
// the matching, filters and visibility rules are in service.ts.
import { Type } from 'typebox';
import { requireAbility } from '../../core/access/step-up.ts';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { Uuid, responses } from '../../shared/schemas/common.ts';
import { searchRecords } from './service.ts';

const SearchQuery = Type.Object(
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

const Hit = Type.Object({
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

export function registerSearchRoutes(app: App, _services: Services): void {
  app.get(
    '/api/search',
    {
      schema: {
        tags: ['search'],
        summary: 'Search records by words in their text and by filters',
        querystring: SearchQuery,
        response: responses({ 200: Type.Object({ items: Type.Array(Hit) }) }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireAbility(c.actor, 'search');
      return { items: await c.tx((t) => searchRecords(t, req.query)) };
    },
  );
}
