// Reports (issue 20): the school's figures with their definitions, as JSON for the page, and as
// CSV and PDF. Every route needs the `reports` ability (elevated; the DSL team, the headteacher
// and the pastoral team by default) and is audited in the same transaction. The figures are
// aggregates: no names, no record text (figures.ts filters records by what the reader may see).
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx, type Tx } from '../../core/context.ts';
import { badRequest } from '../../core/errors.ts';
import { csvRow } from '../../shared/csv.ts';
import { responses } from '../../shared/schemas/common.ts';
import { FileBody } from '../../shared/schemas/vault.ts';
import {
  NewPack,
  Pack,
  PackList,
  PackSummary,
  Report,
  REPORT_MAX_DAYS,
  ReportQuery,
} from '../../shared/schemas/reports.ts';
import { IdParams } from '../../shared/schemas/common.ts';
import { listPacks, packPdf, preparePack, readPack, releasePack } from './governors-pack.ts';
import { packRange } from './pack-periods.ts';
import { registerInspectionRoutes } from './inspection-routes.ts';
import { renderChronologyPdf, type ChronologyPdfEntry } from '../chronology/pdf.ts';
import { englandDay } from '../../shared/calendar.ts';
import { academicYearStart } from './buckets.ts';
import { laReturnCsv } from './la-return.ts';
import { packDecider, requireCaseWorkReports, requireReports, seesCaseWork } from './policy.ts';
import { buildReport, rangeDays, type Range } from './figures.ts';

/** The range asked for, or this academic year so far; refused when it runs backwards or is too long. */
function rangeOf(q: ReportQuery, now: Date): Range {
  const today = englandDay(now);
  const to = q.to ?? today;
  const from = q.from ?? academicYearStart(to);
  if (to < from) {
    throw badRequest('The “To date” must be on or after the “From date”.', 'bad_range');
  }
  if (rangeDays({ from, to }) > REPORT_MAX_DAYS) {
    throw badRequest(
      `A report covers at most ${REPORT_MAX_DAYS} days. Choose a shorter range.`,
      'range_too_long',
    );
  }
  return { from, to };
}

const cell = (v: number | null) => (v === null ? '' : v);

function reportCsv(report: Report): string {
  const lines = [csvRow(['Report', 'Row', 'Column', 'Value'])];
  lines.push(csvRow(['Range', `${report.from} to ${report.to}`, '', '']));
  for (const tbl of report.tables) {
    lines.push(csvRow([tbl.title, 'Definition', '', tbl.definition]));
    for (const row of [...tbl.rows, ...(tbl.total ? [tbl.total] : [])]) {
      row.values.forEach((v, i) => {
        lines.push(csvRow([tbl.title, row.label, tbl.columns[i + 1] ?? '', cell(v)]));
      });
    }
  }
  for (const w of report.withheld) lines.push(csvRow(['Not included', '', '', w]));
  return lines.join('');
}

async function reportPdf(t: Tx, report: Report): Promise<Buffer> {
  const [school] = await t.q<{ name: string }>('SELECT name FROM schools WHERE id = $1', [
    t.schoolId,
  ]);
  const entries = report.tables.map((tbl): ChronologyPdfEntry => ({
    happenedAt: t.now,
    kind: 'Figure',
    title: tbl.title,
    categories: [],
    author: 'Lantern',
    text: [
      tbl.definition,
      '',
      tbl.columns.join(' | '),
      ...[...tbl.rows, ...(tbl.total ? [tbl.total] : [])].map(
        (r) => `${r.label} | ${r.values.map((v) => (v === null ? '–' : String(v))).join(' | ')}`,
      ),
    ].join('\n'),
  }));
  return renderChronologyPdf({
    schoolName: school?.name ?? '',
    pupilName: '',
    title: `Reports, ${report.from} to ${report.to}`,
    unit: { one: 'figure', many: 'figures' },
    exportedBy: t.actor.name,
    exportedAt: t.now,
    entries,
  });
}

export function registerReportRoutes(app: App, _services: Services): void {
  const tags = ['reports'];
  app.get(
    '/api/reports',
    {
      schema: {
        tags,
        summary:
          "The school's figures for a range of days (both ends included; this academic year by default), each with its definition",
        querystring: ReportQuery,
        response: responses({ 200: Report }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireReports(c.actor);
      return c.tx(async (t) => {
        const range = rangeOf(req.query, t.now);
        const report = await buildReport(t, range);
        await t.audit({
          action: 'reports.viewed',
          details: { from: range.from, to: range.to, figures: report.tables.length },
        });
        // The inspection pack's rule (inspection-routes.ts): case work, and the DSL team.
        const inspection = seesCaseWork(t.actor) && (await packDecider(t.db, t.actor));
        return { ...report, allowed: inspection ? ['inspection_pack' as const] : [] };
      });
    },
  );

  for (const format of ['csv', 'pdf'] as const) {
    app.get(
      `/api/reports/export.${format}`,
      {
        schema: {
          tags,
          summary: `The same figures and definitions as ${format.toUpperCase()} (audited)`,
          querystring: ReportQuery,
          produces: [format === 'csv' ? 'text/csv' : 'application/pdf'],
          response: responses({ 200: FileBody }),
        },
      },
      async (req, reply) => {
        const c = ctx(req);
        requireReports(c.actor);
        const { body, range } = await c.tx(async (t) => {
          const range = rangeOf(req.query, t.now);
          const report = await buildReport(t, range);
          await t.audit({
            action: 'reports.exported',
            details: { from: range.from, to: range.to, figures: report.tables.length, format },
          });
          const body =
            format === 'csv'
              ? Buffer.from(`\uFEFF${reportCsv(report)}`, 'utf8')
              : await reportPdf(t, report);
          return { body, range };
        });
        return reply
          .header('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/pdf')
          .header(
            'Content-Disposition',
            `attachment; filename="reports-${range.from}-to-${range.to}.${format}"`,
          )
          .header('Cache-Control', 'private, no-store')
          .header('X-Content-Type-Options', 'nosniff')
          .send(body);
      },
    );
  }

  app.get(
    '/api/reports/la-return.csv',
    {
      schema: {
        tags,
        summary:
          'The local-authority (section 175) return: the counts for a range with no identifiers (the DSL team; audited)',
        querystring: ReportQuery,
        produces: ['text/csv'],
        response: responses({ 200: FileBody }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireCaseWorkReports(c.actor);
      const { csv, range } = await c.tx(async (t) => {
        const range = rangeOf(req.query, t.now);
        const report = await buildReport(t, range);
        const [school] = await t.q<{ name: string }>('SELECT name FROM schools WHERE id = $1', [
          t.schoolId,
        ]);
        await t.audit({
          action: 'reports.exported',
          details: {
            from: range.from,
            to: range.to,
            figures: report.tables.length,
            format: 'la_return',
          },
        });
        return { csv: laReturnCsv(report, school?.name ?? ''), range };
      });
      return reply
        .header('Content-Type', 'text/csv; charset=utf-8')
        .header(
          'Content-Disposition',
          `attachment; filename="la-return-${range.from}-to-${range.to}.csv"`,
        )
        .header('Cache-Control', 'private, no-store')
        .header('X-Content-Type-Options', 'nosniff')
        .send(Buffer.from(`\uFEFF${csv}`, 'utf8'));
    },
  );

  // The governors' pack: prepared by a member with reports, approved and released by the DSL team.
  app.get(
    '/api/reports/governors-packs',
    {
      schema: {
        tags,
        summary: "The governors' packs, newest version first",
        response: responses({ 200: PackList }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireReports(c.actor);
      return c.tx(listPacks);
    },
  );

  app.post(
    '/api/reports/governors-packs',
    {
      schema: {
        tags,
        summary:
          "Prepare a governors' pack for a whole term, academic year or calendar month (this academic year by default), never overlapping a released pack in part: counts only, small numbers suppressed, waiting for a DSL's approval",
        body: NewPack,
        response: responses({ 201: PackSummary }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireReports(c.actor);
      const made = await c.tx((t) => preparePack(t, packRange(req.body, t.now)));
      return reply.code(201).send(made);
    },
  );

  app.get(
    '/api/reports/governors-packs/:id',
    {
      schema: {
        tags,
        summary: "A governors' pack: its figures as governors will see them (audited)",
        params: IdParams,
        response: responses({ 200: Pack }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireReports(c.actor);
      return c.tx((t) => readPack(t, req.params.id));
    },
  );

  app.post(
    '/api/reports/governors-packs/:id/release',
    {
      schema: {
        tags,
        summary: "Approve a governors' pack for release (a member of the DSL team; once)",
        params: IdParams,
        response: responses({ 200: PackSummary }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireReports(c.actor);
      return c.tx((t) => releasePack(t, req.params.id));
    },
  );

  app.get(
    '/api/reports/governors-packs/:id/pdf',
    {
      schema: {
        tags,
        summary: "A released governors' pack as a PDF (audited)",
        params: IdParams,
        produces: ['application/pdf'],
        response: responses({ 200: FileBody }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireReports(c.actor);
      const { pdf, version } = await c.tx((t) => packPdf(t, req.params.id));
      return reply
        .header('Content-Type', 'application/pdf')
        .header('Content-Disposition', `attachment; filename="governors-pack-v${version}.pdf"`)
        .header('Cache-Control', 'private, no-store')
        .header('X-Content-Type-Options', 'nosniff')
        .send(pdf);
    },
  );

  registerInspectionRoutes(app);
}
