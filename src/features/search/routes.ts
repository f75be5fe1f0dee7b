// "Search records": the route (the search capability with step-up). The words and filters travel
// in a JSON body (POST, with the session's CSRF token like any POST): a searched word ("knife", a
// child's name) is as sensitive as the records, so it must never sit in a URL that proxies and
// logs keep. The schemas are in src/shared/schemas/search.ts; the matching, filters, visibility
// rules, count and cursor are in service.ts and sources.ts.
import { requireAbility } from '../../core/access/step-up.ts';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { responses } from '../../shared/schemas/common.ts';
import { SearchBody, SearchNoQuery, SearchResults } from '../../shared/schemas/search.ts';
import { SEARCH_BOUNDS, searchRecords, type SearchBounds } from './service.ts';

/** The search route with these bounds (tests choose small ones; the app uses SEARCH_BOUNDS). */
export function searchRoutesWith(bounds: SearchBounds) {
  return (app: App, _services: Services): void => {
    app.post(
      '/api/search',
      {
        schema: {
          tags: ['search'],
          summary: 'Search records by words in their text and by filters (sent in the body)',
          querystring: SearchNoQuery,
          body: SearchBody,
          response: responses({ 200: SearchResults }),
        },
      },
      async (req) => {
        const c = ctx(req);
        requireAbility(c.actor, 'search');
        return c.tx((t) => searchRecords(t, req.body, bounds));
      },
    );
  };
}

export const registerSearchRoutes = searchRoutesWith(SEARCH_BOUNDS);
