// Finding a pupil by part of a name: the picker when logging a concern, and the pupil filter of
// search. The typed name travels in a JSON body (POST, with the session's CSRF token like any
// POST), never in a URL that proxies and logs keep. Archived pupils (leavers) are found only by
// those who may read records. Every look-up is audited (ids and counts, never the typed words).
// The pupil's chronology is src/features/chronology/.
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { responses } from '../../shared/schemas/common.ts';
import { PupilList, PupilSearch, PupilSearchNoQuery } from '../../shared/schemas/pupils.ts';
import { forbidden } from '../../core/errors.ts';
import { can } from '../../core/access/actor.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import { searchPupils } from './service.ts';

export function registerPupilRoutes(app: App, _services: Services): void {
  app.post(
    '/api/pupils/search',
    {
      schema: {
        tags: ['pupils'],
        summary: 'Find pupils by part of a name, sent in the body (the picker and search filter)',
        querystring: PupilSearchNoQuery,
        body: PupilSearch,
        response: responses({ 200: PupilList }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireAbility(c.actor, 'pupil.pick');
      const includeArchived = req.body.includeArchived === true;
      if (includeArchived && !can(c.actor, 'pupil.chronology')) throw forbidden();
      return { items: await c.tx((t) => searchPupils(t, req.body.q, includeArchived)) };
    },
  );
}
