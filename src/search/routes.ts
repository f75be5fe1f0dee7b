// "Search records": words in the (encrypted) text through the keyed blind index, plus filters by
// pupil, category, author, status and dates. Results pass the same visibility rules as every list
// (concerns: visibleWhere + canRead; actions: actionsVisibleWhere; conversations: case managers).
// Every search is audited with its filters and the NUMBER of words, never the words themselves.
import { Type, type Static } from 'typebox';
import { requireAbility } from '../access/step-up.ts';
import type { App } from '../http/app.ts';
import type { Services } from '../services.ts';
import { ctx, type Tx } from '../http/context.ts';
import { Uuid, responses } from '../http/schemas.ts';
import { badRequest } from '../http/errors.ts';
import { can } from '../access/actor.ts';
import { blindQuery } from '../records/search-index.ts';
import { canRead, visibleWhere } from '../concerns/policy.ts';
import { metaOf, newestConcernsSql, presentConcern, type ConcernRow } from '../concerns/read.ts';
import { actionsVisibleWhere } from '../actions/service.ts';

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
type SearchQuery = Static<typeof SearchQuery>;

const Hit = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  happenedAt: Type.String({ format: 'date-time' }),
  pupils: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
  categories: Type.Array(
    Type.Object({ id: Type.String(), name: Type.String(), colour: Type.String() }),
  ),
  author: Type.String(),
  status: Type.String(),
  excerpt: Type.String(),
});

const excerpt = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…` : text);

async function search(t: Tx, query: SearchQuery) {
  const sealer = await t.sealer();
  const tokens = query.q ? blindQuery(sealer.searchKey, query.q) : [];
  const hasFilter =
    query.pupilId || query.categoryId || query.authorId || query.status || query.from || query.to;
  if (tokens.length === 0 && !hasFilter)
    throw badRequest('Type a word to search for, or choose a filter.', 'empty_search');
  const limit = query.limit ?? 50;
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where: string[] = [];
  // Matched as the owner through the GIN index (migration 0007); visibility is still applied below.
  if (tokens.length > 0)
    where.push(`c.id IN (SELECT lantern_search_matches('concern', ${p(tokens)}::text[]))`);
  if (query.pupilId)
    where.push(
      `EXISTS (SELECT 1 FROM concern_pupils x WHERE x.concern_id = c.id AND x.pupil_id = ${p(query.pupilId)})`,
    );
  if (query.categoryId)
    where.push(
      `EXISTS (SELECT 1 FROM concern_categories y WHERE y.concern_id = c.id AND y.category_id = ${p(query.categoryId)})`,
    );
  if (query.authorId) where.push(`c.author_id = ${p(query.authorId)}`);
  if (query.status) where.push(`c.status = ${p(query.status)}`);
  if (query.from) where.push(`c.happened_at >= ${p(new Date(query.from))}`);
  if (query.to) where.push(`c.happened_at <= ${p(new Date(query.to))}`);
  const vis = visibleWhere(t.actor, params.length + 1);
  where.push(vis.sql);
  params.push(...vis.params);
  const rows = (
    await t.q<ConcernRow>(newestConcernsSql(where.join(' AND '), p(limit)), params)
  ).filter((r) => canRead(t.actor, metaOf(r)));
  const hits = rows.map((r) => {
    const v = presentConcern(t, sealer, r);
    return {
      id: v.id,
      kind: 'concern',
      happenedAt: v.happenedAt,
      pupils: v.pupils.map((x) => ({ id: x.id, name: x.name })),
      categories: v.categories,
      author: v.author.name,
      status: v.status,
      excerpt: excerpt(v.body),
    };
  });
  // Actions and conversations carry no categories: they match on words (and pupil) only.
  if (tokens.length > 0 && !query.categoryId && !query.status) {
    const av = actionsVisibleWhere(t, 3);
    const actions = await t.q<{
      id: string;
      created_at: Date;
      text: Buffer;
      pupil_id: string;
      pupil: string;
      author: string;
      done: boolean;
    }>(
      `SELECT a.id, a.created_at, a.text, a.pupil_id, coalesce(p.preferred_name, p.first_name) || ' ' || p.last_name AS pupil,
              u.name AS author, a.completed_at IS NOT NULL AS done
       FROM actions a JOIN pupils p ON p.id = a.pupil_id JOIN users u ON u.id = a.created_by
       WHERE a.id IN (SELECT lantern_search_matches('action', $1::text[])) AND ($2::uuid IS NULL OR a.pupil_id = $2) AND ${av.sql}
       ORDER BY a.created_at DESC LIMIT 50`,
      [tokens, query.pupilId ?? null, ...av.params],
    );
    for (const a of actions) {
      hits.push({
        id: a.id,
        kind: 'action',
        happenedAt: a.created_at.toISOString(),
        pupils: [{ id: a.pupil_id, name: a.pupil }],
        categories: [],
        author: a.author,
        status: a.done ? 'completed' : 'open',
        excerpt: excerpt(sealer.open('actions.text', a.id, a.text)),
      });
    }
    if (can(t.actor, 'case.manage')) {
      const convs = await t.q<{
        id: string;
        happened_at: Date;
        text: Buffer;
        pupil_id: string;
        pupil: string;
        author: string;
      }>(
        `SELECT v.id, v.happened_at, v.text, v.pupil_id, coalesce(p.preferred_name, p.first_name) || ' ' || p.last_name AS pupil, u.name AS author
         FROM conversations v JOIN pupils p ON p.id = v.pupil_id JOIN users u ON u.id = v.author_id
         WHERE v.id IN (SELECT lantern_search_matches('conversation', $1::text[])) AND ($2::uuid IS NULL OR v.pupil_id = $2)
         ORDER BY v.happened_at DESC LIMIT 50`,
        [tokens, query.pupilId ?? null],
      );
      for (const v of convs) {
        hits.push({
          id: v.id,
          kind: 'conversation',
          happenedAt: v.happened_at.toISOString(),
          pupils: [{ id: v.pupil_id, name: v.pupil }],
          categories: [],
          author: v.author,
          status: 'recorded',
          excerpt: excerpt(sealer.open('conversations.text', v.id, v.text)),
        });
      }
    }
  }
  await t.audit({
    action: 'records.searched',
    details: {
      terms: tokens.length,
      filters: Object.keys(query).filter((k) => k !== 'q' && k !== 'limit'),
      results: hits.map((h) => h.id),
    },
  });
  return hits;
}

export function registerSearchRoutes(app: App, services: Services): void {
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
      const c = ctx(services, req);
      requireAbility(c.actor, 'search');
      return { items: await c.tx((t) => search(t, req.query)) };
    },
  );
}
