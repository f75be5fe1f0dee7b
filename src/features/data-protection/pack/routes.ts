// The data-protection pack (issue 17): generated afresh on each request from the live
// configuration (build.ts), as JSON (the page and its download) or as a PDF; each generation is
// audited with its format and whether the audit chain was found whole. The chain is recomputed for
// every download; the page reuses the school's check from the last five minutes. Both routes ask the
// `data_protection` ability first (../policy.ts).
import type { App } from '../../../core/feature.ts';
import type { Services } from '../../../platform/services.ts';
import { ctx, type RequestContext } from '../../../core/context.ts';
import { loadSchoolSettings } from '../../../core/settings.ts';
import { verifyAudit, type VerifyResult } from '../../../platform/audit/verify.ts';
import { responses } from '../../../shared/schemas/common.ts';
import { FileBody } from '../../../shared/schemas/vault.ts';
import { DataProtectionPack, PackQuery } from '../../../shared/schemas/dp-rights.ts';
import { requireDataProtection } from '../policy.ts';
import { buildPack } from './build.ts';
import { renderPackPdf } from './pdf.ts';

const tags = ['data-protection'];

/** How long the page may show an earlier check of the chain: a download always checks afresh. */
const CHECK_REUSE_MS = 5 * 60_000;
type Check = { at: Date; result: VerifyResult };

async function generate(
  c: RequestContext,
  services: Services,
  format: 'view' | 'json' | 'pdf',
  checks: Map<string, Check>,
) {
  requireDataProtection(c.actor);
  // Recomputing the whole chain is heavy on a school with years of audit, so viewing the page
  // reuses this school's last check for a few minutes; a download (JSON or PDF), the pack that is
  // kept, recomputes it now. The chain is recomputed as the owner, outside the transaction.
  const schoolId = c.actor.schoolId;
  const last = checks.get(schoolId);
  let check: Check;
  if (format === 'view' && last && Date.now() - last.at.getTime() < CHECK_REUSE_MS) check = last;
  else {
    check = { at: new Date(), result: await verifyAudit(services.db, schoolId) };
    checks.set(schoolId, check);
  }
  return c.tx(async (t) => {
    const built = await buildPack(t, services.config, services.db, check.result, check.at);
    await t.audit({
      action: 'dp.pack_generated',
      details: { format, auditIntact: built.auditIntact },
    });
    const settings = await loadSchoolSettings(t.db, t.schoolId);
    return { pack: built.pack, marking: settings.protectiveMarking };
  });
}

export function registerPackRoutes(app: App, services: Services): void {
  // This server's last check of each school's chain (one entry a school).
  const checks = new Map<string, Check>();
  app.get(
    '/api/data-protection/pack',
    {
      schema: {
        tags,
        summary: 'The data-protection pack, generated now from the live configuration (audited)',
        querystring: PackQuery,
        response: responses({ 200: DataProtectionPack }),
      },
    },
    async (req) =>
      (await generate(ctx(req), services, req.query.download === true ? 'json' : 'view', checks))
        .pack,
  );

  app.get(
    '/api/data-protection/pack.pdf',
    {
      schema: {
        tags,
        summary: 'The data-protection pack as a PDF, generated now (audited)',
        produces: ['application/pdf'],
        response: responses({ 200: FileBody }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      const { pack, marking } = await generate(c, services, 'pdf', checks);
      const pdf = await renderPackPdf(pack, { exportedBy: c.actor.name, marking });
      return reply
        .header('Content-Type', 'application/pdf')
        .header(
          'Content-Disposition',
          `attachment; filename="data-protection-pack-${pack.generatedAt.slice(0, 10)}.pdf"`,
        )
        .header('Cache-Control', 'private, no-store')
        .header('X-Content-Type-Options', 'nosniff')
        .send(pdf);
    },
  );
}
