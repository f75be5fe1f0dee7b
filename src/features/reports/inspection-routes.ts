// The inspection pack's routes (issue 20): the DSL team only (the `reports` ability with case work,
// and membership of the DSL's or deputies' group); on screen with names, as a PDF with references.
// Each preparation for the screen and each export is audited in its transaction: once with the
// sample's seed and decisions, and once per sampled pupil, on that pupil's access log.
import type { App } from '../../core/feature.ts';
import { ctx, type Tx } from '../../core/context.ts';
import { badRequest, forbidden } from '../../core/errors.ts';
import { englandDay } from '../../shared/calendar.ts';
import { responses } from '../../shared/schemas/common.ts';
import { FileBody } from '../../shared/schemas/vault.ts';
import { InspectionPack, InspectionQuery, REPORT_MAX_DAYS } from '../../shared/schemas/reports.ts';
import { academicYearStart } from './buckets.ts';
import { rangeDays, type Range } from './figures.ts';
import {
  buildInspectionPack,
  namesToRedact,
  newSampleSeed,
  type Sampled,
} from './inspection-pack.ts';
import { inspectionPdf } from './inspection-pdf.ts';
import { packDecider, requireCaseWorkReports } from './policy.ts';

function rangeOf(q: InspectionQuery, now: Date): Range {
  const to = q.to ?? englandDay(now);
  const from = q.from ?? academicYearStart(to);
  if (to < from)
    throw badRequest('The “To date” must be on or after the “From date”.', 'bad_range');
  if (rangeDays({ from, to }) > REPORT_MAX_DAYS)
    throw badRequest(
      `A pack covers at most ${REPORT_MAX_DAYS} days. Choose a shorter range.`,
      'range_too_long',
    );
  return { from, to };
}

async function requireDslTeam(t: Tx): Promise<void> {
  if (!(await packDecider(t.db, t.actor)))
    throw forbidden(
      'Only the DSL team can prepare the inspection pack: it shows case decisions and names.',
    );
}

/**
 * One summary entry (the seed and every sampled decision's id), and one entry per sampled pupil
 * (their decisions' ids), so the pack's reading appears in each child's "Who has seen this record".
 */
async function auditSample(
  t: Tx,
  action: 'reports.inspection_pack_viewed' | 'reports.inspection_pack_exported',
  range: Range,
  sample: string,
  sampled: Sampled,
): Promise<void> {
  await t.audit({
    action,
    details: {
      ...range,
      decisions: sampled.decisionIds.length,
      sample,
      decisionIds: sampled.decisionIds,
    },
  });
  for (const [pupilId, decisionIds] of sampled.byPupil)
    await t.audit({
      action,
      targetType: 'pupil',
      targetId: pupilId,
      details: { ...range, decisions: decisionIds.length, sample, decisionIds },
    });
}

export function registerInspectionRoutes(app: App): void {
  const tags = ['reports'];
  app.get(
    '/api/reports/inspection-pack',
    {
      schema: {
        tags,
        summary:
          'The inspection pack for the DSL team: a sample of case decisions with their reasons, policy versions and timeliness (names on screen; audited)',
        querystring: InspectionQuery,
        response: responses({ 200: InspectionPack }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireCaseWorkReports(c.actor);
      return c.tx(async (t) => {
        const range = rangeOf(req.query, t.now);
        await requireDslTeam(t);
        const { pack, sampled } = await buildInspectionPack(
          t,
          range,
          req.query.sample ?? newSampleSeed(),
        );
        await auditSample(t, 'reports.inspection_pack_viewed', range, pack.sample, sampled);
        return pack;
      });
    },
  );

  app.get(
    '/api/reports/inspection-pack.pdf',
    {
      schema: {
        tags,
        summary:
          'The inspection pack as a PDF, with references in place of names (the same sample as the screen; audited)',
        querystring: InspectionQuery,
        produces: ['application/pdf'],
        response: responses({ 200: FileBody }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireCaseWorkReports(c.actor);
      const { pack, schoolName, names } = await c.tx(async (t) => {
        const range = rangeOf(req.query, t.now);
        await requireDslTeam(t);
        const { pack: built, sampled } = await buildInspectionPack(
          t,
          range,
          req.query.sample ?? newSampleSeed(),
        );
        await auditSample(t, 'reports.inspection_pack_exported', range, built.sample, sampled);
        const [school] = await t.q<{ name: string }>('SELECT name FROM schools WHERE id = $1', [
          t.schoolId,
        ]);
        const names = await namesToRedact(t, [...sampled.byPupil.keys()]);
        return { pack: built, schoolName: school?.name ?? '', names };
      });
      const pdf = await inspectionPdf(
        pack,
        {
          schoolName,
          // The exporter by reference too: the PDF names nobody.
          exportedBy: `S-${c.actor.userId.slice(0, 8).toUpperCase()} (DSL team)`,
          exportedAt: new Date(pack.generatedAt),
        },
        names,
      );
      return reply
        .header('Content-Type', 'application/pdf')
        .header(
          'Content-Disposition',
          `attachment; filename="inspection-pack-${pack.from}-to-${pack.to}.pdf"`,
        )
        .header('Cache-Control', 'private, no-store')
        .header('X-Content-Type-Options', 'nosniff')
        .send(pdf);
    },
  );
}
