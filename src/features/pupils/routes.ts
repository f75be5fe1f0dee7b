import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx, type Tx } from '../../core/context.ts';
import { IdParams, responses } from '../../shared/schemas/common.ts';
import { forbidden, notFound } from '../../core/errors.ts';
import { can } from '../../core/access/actor.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import { pupilInScope } from '../../core/access/permissions.ts';
import { pupilGroupRefs } from '../../core/access/load.ts';
import { buildChronology } from '../chronology/service.ts';
import {
  ChronologyEntry,
  ChronologyQuery,
  exportChronologyPdf,
  toFilter,
} from '../chronology/routes.ts';

const PupilSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  yearGroup: Type.Union([Type.String(), Type.Null()]),
  form: Type.Union([Type.String(), Type.Null()]),
});

type PupilRow = { id: string; name: string; year_group: string | null; form: string | null };
const summary = (r: PupilRow) => ({
  id: r.id,
  name: r.name,
  yearGroup: r.year_group,
  form: r.form,
});

const NAME = `coalesce(preferred_name, first_name) || ' ' || last_name`;

/**
 * The pupil whose chronology is asked for, if within the viewer's scope. Protects the chronology
 * and its PDF export alike: both must refuse a pupil outside every grant's scope (403), whatever
 * capabilities (export) the viewer holds.
 */
async function pupilInReach(t: Tx, id: string): Promise<PupilRow> {
  const [pupil] = await t.q<PupilRow & { group_refs: string[] }>(
    `SELECT id, ${NAME} AS name, year_group, form,
            lantern_pupil_group_refs(id, form) AS group_refs FROM pupils WHERE id = $1`,
    [id],
  );
  if (!pupil) throw notFound('That pupil');
  const scoped = {
    yearGroup: pupil.year_group,
    groupIds: pupilGroupRefs({ form: pupil.form, groupRefs: pupil.group_refs }),
  };
  if (!pupilInScope(t.actor.permissions, scoped)) {
    throw forbidden('This pupil is outside the groups your permissions cover.');
  }
  return pupil;
}

export function registerPupilRoutes(app: App, _services: Services): void {
  app.get(
    '/api/pupils',
    {
      schema: {
        tags: ['pupils'],
        summary: 'Find pupils by part of a name (the picker when logging a concern)',
        querystring: Type.Object(
          {
            q: Type.String({ minLength: 1, maxLength: 100 }),
            // Archived pupils (leavers) are hidden from pickers; those who may read records find them.
            includeArchived: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Object({ items: Type.Array(PupilSummary) }) }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireAbility(c.actor, 'pupil.pick');
      const includeArchived = req.query.includeArchived === true;
      if (includeArchived && !can(c.actor, 'pupil.chronology')) throw forbidden();
      // Every word typed must match the start of a name part; LIKE metacharacters are escaped.
      const words = req.query.q
        .toLowerCase()
        .split(/\s+/)
        .filter(Boolean)
        .slice(0, 4)
        .map((w) => w.replace(/[\\%_]/g, (m) => `\\${m}`));
      if (words.length === 0) return { items: [] };
      const conds = words.map(
        (_, i) =>
          `(lower(first_name) LIKE $${i + 1} OR lower(last_name) LIKE $${i + 1}
            OR lower(coalesce(preferred_name, '')) LIKE $${i + 1}
            OR lower(last_name) LIKE '%' || $${i + 1})`,
      );
      const rows = await c.tx((t) =>
        t.q<PupilRow>(
          `SELECT id, ${NAME} AS name, year_group, form FROM pupils
           WHERE ${includeArchived ? '' : 'archived_at IS NULL AND '}${conds.join(' AND ')}
           ORDER BY last_name, first_name LIMIT 20`,
          words.map((w) => `${w}%`),
        ),
      );
      return { items: rows.map(summary) };
    },
  );

  app.get(
    '/api/pupils/:id/chronology',
    {
      schema: {
        tags: ['pupils'],
        summary:
          "A pupil's chronology: every record about them the viewer may see, by when it happened",
        params: IdParams,
        querystring: ChronologyQuery,
        response: responses({
          200: Type.Object({ pupil: PupilSummary, entries: Type.Array(ChronologyEntry) }),
        }),
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
        const entries = await buildChronology(t, pupil.id, toFilter(req.query));
        return { pupil: summary(pupil), entries };
      });
    },
  );

  app.get(
    '/api/pupils/:id/chronology.pdf',
    {
      schema: {
        tags: ['pupils'],
        summary: "Export a pupil's chronology as PDF (audited: who, when)",
        params: IdParams,
        querystring: ChronologyQuery,
        produces: ['application/pdf'],
        response: responses({ 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireAbility(c.actor, 'pupil.chronology');
      requireAbility(c.actor, 'export');
      const pdf = await c.tx(async (t) => {
        const pupil = await pupilInReach(t, req.params.id);
        return exportChronologyPdf(t, pupil, toFilter(req.query));
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
