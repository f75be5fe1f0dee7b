// Finding a pupil by part of a name: the picker when logging a concern. Archived pupils (leavers)
// are found only by those who may read records. The pupil's chronology is src/features/chronology/.
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { responses } from '../../shared/schemas/common.ts';
import { PupilList, PupilSearch } from '../../shared/schemas/pupils.ts';
import { forbidden } from '../../core/errors.ts';
import { can } from '../../core/access/actor.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import { findPupils } from './service.ts';

export function registerPupilRoutes(app: App, _services: Services): void {
  app.get(
    '/api/pupils',
    {
      schema: {
        tags: ['pupils'],
        summary: 'Find pupils by part of a name (the picker when logging a concern)',
        querystring: PupilSearch,
        response: responses({ 200: PupilList }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireAbility(c.actor, 'pupil.pick');
      const includeArchived = req.query.includeArchived === true;
      if (includeArchived && !can(c.actor, 'pupil.chronology')) throw forbidden();
      return { items: await c.tx((t) => findPupils(t, req.query.q, includeArchived)) };
    },
  );
}
