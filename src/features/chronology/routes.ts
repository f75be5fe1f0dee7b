// A pupil's chronology and its PDF export (under /api/pupils/:id/, tagged with the pupils' routes).
// Both need the chronology ability and the pupil within the viewer's scope (pupilInReach); the
// export also needs the export capability. Viewing is audited page by page (each page is a read
// of more of the child's record), and exporting once, before the file's first byte.
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { IdParams, responses } from '../../shared/schemas/common.ts';
import {
  Chronology,
  CHRONOLOGY_PAGE,
  ChronologyPageQuery,
  ChronologyQuery,
} from '../../shared/schemas/chronology.ts';
import { FileBody } from '../../shared/schemas/vault.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import { presentPupil, pupilInReach } from '../pupils/service.ts';
import {
  countChronology,
  cursorAfter,
  positionOf,
  readChronology,
  type ChronologyFilter,
} from './service.ts';
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
          "A page of a pupil's chronology: the newest records about them the viewer may see, the total, and the next page's cursor",
        params: IdParams,
        querystring: ChronologyPageQuery,
        response: responses({ 200: Chronology }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireAbility(c.actor, 'pupil.chronology');
      const { cursor, ...query } = req.query;
      const filter = filterOf(query);
      return c.tx(async (t) => {
        const pupil = await pupilInReach(t, req.params.id);
        const from = cursor ? await positionOf(t, pupil.id, filter, cursor) : undefined;
        await t.audit({
          action: 'pupil.chronology_viewed',
          targetType: 'pupil',
          targetId: pupil.id,
        });
        const page = await readChronology(t, pupil.id, filter, {
          size: CHRONOLOGY_PAGE,
          direction: 'newest_first',
          ...(from ? { after: from } : {}),
        });
        // Counted on every page under this viewer's rules (one statement): a cursor holds only
        // a position, never a figure counted for someone else.
        const total = await countChronology(t, pupil.id, filter);
        return {
          pupil: presentPupil(pupil),
          entries: page.entries,
          total,
          ...(page.more && page.last
            ? { nextCursor: await cursorAfter(t, pupil.id, filter, page.last) }
            : {}),
        };
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
      const pdf = await exportChronologyPdf(c, req.params.id, filterOf(req.query), req.log);
      void reply
        .header('Content-Type', 'application/pdf')
        // A reference and the date, never the child's name (a file name travels in emails,
        // download folders and printer queues).
        .header(
          'Content-Disposition',
          `attachment; filename="chronology-${req.params.id.slice(0, 8)}-${new Date().toISOString().slice(0, 10)}.pdf"`,
        )
        .header('Cache-Control', 'private, no-store')
        .header('X-Content-Type-Options', 'nosniff')
        // FileBody declares the bytes; fastify pipes a stream of them to the reader as they come.
        .send(pdf.stream as unknown as Uint8Array);
      await pdf.written;
      return reply;
    },
  );
}
