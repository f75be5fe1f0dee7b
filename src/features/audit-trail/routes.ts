// Reading the audit trail (issue 20). Every route needs the `audit` ability (the DSL team, the
// headteacher and the DPO, elevated; policy in core/access/actor.ts) and is itself audited in the
// same transaction as the read. A pupil's log also needs the pupil within the reader's scope
// (pupilInReach: another school's pupil is a 404). Entries carry no details and no record text.
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import { badRequest } from '../../core/errors.ts';
import { verifyAudit } from '../../platform/audit/verify.ts';
import { csvRow } from '../../shared/csv.ts';
import { IdParams, responses } from '../../shared/schemas/common.ts';
import { FileBody } from '../../shared/schemas/vault.ts';
import {
  PupilLog,
  PupilLogQuery,
  TRAIL_EXPORT_LIMIT,
  TRAIL_PAGE,
  TrailIntegrity,
  TrailPage,
  TrailPageQuery,
  TrailQuery,
  UnusualAccess,
  UnusualAccessRules,
} from '../../shared/schemas/audit-trail.ts';
import { pupilInReach } from '../pupils/service.ts';
import { filterNames, pupilLog, trailChoices, trailPage } from './service.ts';
import { changeRules, readUnusualAccess } from './unusual-routes-service.ts';
import { Created } from '../../shared/schemas/administration.ts';
import { requireDataProtection } from '../data-protection/policy.ts';
import { draftBreachFromSignal } from './signal-breach.ts';
import { registerAnchorCodeRoutes } from './anchor-code-routes.ts';

export function registerAuditTrailRoutes(app: App, services: Services): void {
  const tags = ['audit'];
  app.get(
    '/api/pupils/:id/access-log',
    {
      schema: {
        tags,
        summary:
          "Who has seen this record: every view, opened search hit, export and change of a pupil's record, newest first",
        params: IdParams,
        querystring: PupilLogQuery,
        response: responses({ 200: PupilLog }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireAbility(c.actor, 'audit');
      const { cursor, ...filter } = req.query;
      return c.tx(async (t) => {
        const pupil = await pupilInReach(t, req.params.id);
        const page = await pupilLog(t, pupil.id, filter, cursor, TRAIL_PAGE);
        await t.audit({
          action: 'audit.pupil_log_viewed',
          targetType: 'pupil',
          targetId: pupil.id,
          details: { entries: page.entries.length, filters: filterNames(filter) },
        });
        return { pupil: { id: pupil.id, name: pupil.name }, ...page };
      });
    },
  );

  app.get(
    '/api/audit',
    {
      schema: {
        tags,
        summary: "The school's audit trail, newest first, by person, pupil, event and date",
        querystring: TrailPageQuery,
        response: responses({ 200: TrailPage }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireAbility(c.actor, 'audit');
      const { cursor, ...filter } = req.query;
      return c.tx(async (t) => {
        if (filter.pupil) await pupilInReach(t, filter.pupil);
        const page = await trailPage(t, filter, cursor, TRAIL_PAGE);
        await t.audit({
          action: 'audit.trail_viewed',
          ...(filter.pupil ? { targetType: 'pupil', targetId: filter.pupil } : {}),
          details: { entries: page.entries.length, filters: filterNames(filter) },
        });
        return { ...page, ...(await trailChoices(t)) };
      });
    },
  );

  app.get(
    '/api/audit/export.csv',
    {
      schema: {
        tags,
        summary: `The audit trail under the same filters as CSV (formula-safe; at most ${TRAIL_EXPORT_LIMIT} entries)`,
        querystring: TrailQuery,
        produces: ['text/csv'],
        response: responses({ 200: FileBody }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireAbility(c.actor, 'audit');
      requireAbility(c.actor, 'export');
      const filter = req.query;
      const csv = await c.tx(async (t) => {
        if (filter.pupil) await pupilInReach(t, filter.pupil);
        const page = await trailPage(t, filter, undefined, TRAIL_EXPORT_LIMIT);
        if (page.nextCursor)
          throw badRequest(
            `More than ${TRAIL_EXPORT_LIMIT.toLocaleString('en-GB')} entries match. Choose a shorter date range or one person, and export again.`,
            'too_many',
          );
        await t.audit({
          action: 'audit.trail_exported',
          ...(filter.pupil ? { targetType: 'pupil', targetId: filter.pupil } : {}),
          details: { entries: page.entries.length, filters: filterNames(filter) },
        });
        const head = csvRow([
          'Entry',
          'When (UTC)',
          'Who',
          'What',
          'Event',
          'Record type',
          'Record',
          'From',
        ]);
        return (
          head +
          page.entries
            .map((e) =>
              csvRow([e.seq, e.at, e.who, e.what, e.action, e.recordType, e.recordId, e.from]),
            )
            .join('')
        );
      });
      return reply
        .header('Content-Type', 'text/csv; charset=utf-8')
        .header(
          'Content-Disposition',
          `attachment; filename="audit-trail-${new Date().toISOString().slice(0, 10)}.csv"`,
        )
        .header('Cache-Control', 'private, no-store')
        .header('X-Content-Type-Options', 'nosniff')
        .send(Buffer.from(`\uFEFF${csv}`, 'utf8'));
    },
  );

  app.post(
    '/api/audit/integrity',
    {
      schema: {
        tags,
        summary:
          "Check the school's audit chain now: every entry's hash, its link to the one before, and the head",
        response: responses({ 200: TrailIntegrity }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireAbility(c.actor, 'audit');
      const result = await verifyAudit(services.db, c.actor.schoolId);
      const broken = result.breaks[0];
      await c.tx((t) =>
        t.audit({
          action: 'audit.integrity_checked',
          details: { entries: result.entries, intact: !broken },
        }),
      );
      return {
        intact: !broken,
        entries: result.entries,
        checkedAt: new Date().toISOString(),
        ...(broken
          ? { problem: `Entry ${broken.seq}: ${broken.problem}.`, brokenAt: broken.seq }
          : {}),
      };
    },
  );

  app.get(
    '/api/audit/unusual-access',
    {
      schema: {
        tags,
        summary: "The school's unusual-access rules and the newest signals they raised",
        response: responses({ 200: UnusualAccess }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireAbility(c.actor, 'audit');
      return c.tx(readUnusualAccess);
    },
  );

  app.put(
    '/api/audit/unusual-access/rules',
    {
      schema: {
        tags,
        summary: 'Tune the unusual-access rules (0 switches a count off; no hours, no hours rule)',
        body: UnusualAccessRules,
        response: responses({ 200: UnusualAccess }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireAbility(c.actor, 'audit');
      requireAbility(c.actor, 'case.manage');
      return c.tx(async (t) => {
        await changeRules(t, req.body);
        return readUnusualAccess(t);
      });
    },
  );

  app.post(
    '/api/audit/unusual-access/signals/:id/breach',
    {
      schema: {
        tags,
        summary:
          'Draft a breach in the register from an unusual-access signal (the rule, the member, the times and counts; no child named)',
        params: IdParams,
        response: responses({ 201: Created }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireAbility(c.actor, 'audit');
      requireDataProtection(c.actor);
      const made = await c.tx((t) => draftBreachFromSignal(t, req.params.id));
      return reply.status(201).send(made);
    },
  );

  registerAnchorCodeRoutes(app, services);
}
