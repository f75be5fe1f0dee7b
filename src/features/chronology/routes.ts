// A pupil's chronology and its PDF export (under /api/pupils/:id/, tagged with the pupils' routes).
// Both need the chronology ability and the pupil within the viewer's scope (pupilInReach); the
// export also needs the export capability. Viewing and exporting are audited.
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { IdParams, responses } from '../../shared/schemas/common.ts';
import { Chronology, ChronologyQuery } from '../../shared/schemas/chronology.ts';
import { FileBody } from '../../shared/schemas/vault.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import { presentPupil, pupilInReach } from '../pupils/service.ts';
import { buildChronology, type ChronologyFilter } from './service.ts';
import { exportChronologyPdf } from './export.ts';

function filterOf(q: ChronologyQuery): ChronologyFilter {
  return {
    ...(q.categoryId ? { categoryId: q.categoryId } : {}),
    ...(q.kinds ? { kinds: q.kinds } : {}),
    ...(q.from ? { from: new Date(q.from) } : {}),
    ...(q.to ? { to: new Date(q.to) } : {}),
  };
}

export function registerChronologyRoutes(app: App, _services: Services): void {
  const tags = ['pupils'];
  app.get(
    '/api/pupils/:id/chronology',
    {
      schema: {
        tags,
        summary:
          "A pupil's chronology: every record about them the viewer may see, by when it happened",
        params: IdParams,
        querystring: ChronologyQuery,
        response: responses({ 200: Chronology }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireAbility(c.actor, 'pupil.chronology');
      return c.tx(async (t) => {
        const pupil = await pupilInReach(t, req.params.id);
        await t.audit({
          action: 'pupil.chronology_viewed',
          targetType: 'pupil',
          targetId: pupil.id,
        });
        const entries = await buildChronology(t, pupil.id, filterOf(req.query));
        return { pupil: presentPupil(pupil), entries };
      });
    },
  );

  app.get(
    '/api/pupils/:id/chronology.pdf',
    {
      schema: {
        tags,
        summary: "Export a pupil's chronology as PDF (audited: who, when)",
        params: IdParams,
        querystring: ChronologyQuery,
        produces: ['application/pdf'],
        response: responses({ 200: FileBody }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireAbility(c.actor, 'pupil.chronology');
      requireAbility(c.actor, 'export');
      const pdf = await c.tx(async (t) => {
        const pupil = await pupilInReach(t, req.params.id);
        return exportChronologyPdf(t, pupil, filterOf(req.query));
      });
      return reply
        .header('Content-Type', 'application/pdf')
        .header('Content-Disposition', 'attachment; filename="chronology.pdf"')
        .header('Cache-Control', 'private, no-store')
        .header('X-Content-Type-Options', 'nosniff')
        .send(pdf);
    },
  );
}
