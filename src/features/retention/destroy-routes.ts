// Destroying an approved batch and its certificates of destruction (issue 15). Every route asks
// the `retention` ability first (policy.ts: the DPO, the DSL team and the headteacher, with a
// second factor); destroying asks, in destroy.ts, that the member be one who may approve. Refusals
// are audited on their own (refusals.ts); listing and downloading certificates are audited too.
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { IdParams, responses } from '../../shared/schemas/common.ts';
import { FileBody } from '../../shared/schemas/vault.ts';
import { CertificateList, DestroyBatch, Destroyed } from '../../shared/schemas/retention.ts';
import { requireRetention } from './policy.ts';
import { destroyBatch } from './destroy.ts';
import { certificatePdf, listCertificates } from './certificates.ts';
import { auditingRefusals } from './refusals.ts';

export function registerDestructionRoutes(app: App, _services: Services): void {
  app.post(
    '/api/retention/destructions',
    {
      schema: {
        tags: ['retention'],
        summary:
          'Destroy a batch of approved records, all or none, and write its certificate of destruction',
        body: DestroyBatch,
        response: responses({ 201: Destroyed }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireRetention(c.actor);
      const done = await auditingRefusals(c, 'destroy', req.body.reviews, () =>
        c.tx((t) => destroyBatch(t, req.body)),
      );
      return reply.status(201).send(done);
    },
  );

  app.get(
    '/api/retention/certificates',
    {
      schema: {
        tags: ['retention'],
        summary: 'Certificates of destruction, newest first (audited)',
        response: responses({ 200: CertificateList }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireRetention(c.actor);
      return { items: await c.tx(listCertificates) };
    },
  );

  app.get(
    '/api/retention/certificates/:id/pdf',
    {
      schema: {
        tags: ['retention'],
        summary: 'A certificate of destruction as a PDF (audited)',
        params: IdParams,
        produces: ['application/pdf'],
        response: responses({ 200: FileBody }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireRetention(c.actor);
      const pdf = await c.tx((t) => certificatePdf(t, req.params.id));
      return reply
        .header('Content-Type', 'application/pdf')
        .header('Content-Disposition', 'attachment; filename="certificate-of-destruction.pdf"')
        .header('Cache-Control', 'private, no-store')
        .header('X-Content-Type-Options', 'nosniff')
        .send(pdf);
    },
  );
}
