// The subject-access workbench over HTTP (issue 17): every route asks the `data_protection`
// ability first (policy.ts); changes and downloads are audited with the work, refusals on their
// own (../refusals.ts). Nothing sensitive is in a URL: ids and the file's format only.
import { Type } from 'typebox';
import type { App } from '../../../core/feature.ts';
import { ctx } from '../../../core/context.ts';
import { DomainError } from '../../../core/errors.ts';
import { IdParams, responses } from '../../../shared/schemas/common.ts';
import { Created } from '../../../shared/schemas/administration.ts';
import { FileBody } from '../../../shared/schemas/vault.ts';
import {
  Approval,
  Gathered,
  ItemDecision,
  ItemParams,
  NewDisclosure,
  NewRedaction,
  PackMade,
  PackParams,
  RedactionParams,
  RedactionsMade,
  Workbench,
} from '../../../shared/schemas/subject-access.ts';
import { requireDataProtection } from '../policy.ts';
import { auditingRefusals } from '../refusals.ts';
import { approve, decideItem, gather, markReady, redact, removeRedaction } from './service.ts';
import { readWorkbench } from './workbench.ts';
import { downloadPack, makePack, recordDisclosure } from './pack.ts';

const tags = ['data-protection'];
const Done = Type.Object({ done: Type.Literal(true) });
const base = '/api/data-protection/requests/:id';

export function registerSarRoutes(app: App): void {
  app.post(
    `${base}/gather`,
    {
      schema: {
        tags,
        summary:
          'Gather every record in which the subject appears (new items only; decisions kept)',
        params: IdParams,
        response: responses({ 200: Gathered }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      return auditingRefusals(c, 'request_gather', req.params.id, () =>
        c.tx((t) => gather(t, req.params.id)),
      );
    },
  );

  app.get(
    `${base}/workbench`,
    {
      schema: {
        tags,
        summary:
          'The gathered items with their text, redactions and suggestions; review, packs, disclosures',
        params: IdParams,
        response: responses({ 200: Workbench }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      return c.tx((t) => readWorkbench(t, req.params.id));
    },
  );

  app.patch(
    `${base}/items/:itemId`,
    {
      schema: {
        tags,
        summary: 'Include or exclude an item, with its reason',
        params: ItemParams,
        body: ItemDecision,
        response: responses({ 200: Done }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      await auditingRefusals(c, 'request_item', req.params.id, () =>
        c.tx((t) => decideItem(t, req.params.id, req.params.itemId, req.body)),
      );
      return { done: true as const };
    },
  );

  app.post(
    `${base}/items/:itemId/redactions`,
    {
      schema: {
        tags,
        summary: 'Redact a span of an item’s text, with its reason (and the ICO’s three questions)',
        params: ItemParams,
        body: NewRedaction,
        response: responses({ 201: RedactionsMade }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      const ids = await auditingRefusals(c, 'request_redact', req.params.id, () =>
        c.tx((t) => redact(t, req.params.id, req.params.itemId, req.body)),
      );
      return reply.status(201).send({ ids });
    },
  );

  app.post(
    `${base}/redactions/:redactionId/remove`,
    {
      schema: {
        tags,
        summary: 'Remove a redaction',
        params: RedactionParams,
        response: responses({ 200: Done }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      await auditingRefusals(c, 'request_unredact', req.params.id, () =>
        c.tx((t) => removeRedaction(t, req.params.id, req.params.redactionId)),
      );
      return { done: true as const };
    },
  );

  app.post(
    `${base}/ready`,
    {
      schema: {
        tags,
        summary: 'Mark the response ready for a second person’s review',
        params: IdParams,
        response: responses({ 200: Done }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      await auditingRefusals(c, 'request_ready', req.params.id, () =>
        c.tx((t) => markReady(t, req.params.id)),
      );
      return { done: true as const };
    },
  );

  app.post(
    `${base}/approve`,
    {
      schema: {
        tags,
        summary: 'Approve the response (a second person: not the one who marked it ready)',
        params: IdParams,
        body: Approval,
        response: responses({ 200: Done }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      await auditingRefusals(c, 'request_approve', req.params.id, () =>
        c.tx((t) => approve(t, req.params.id, req.body.digest)),
      );
      return { done: true as const };
    },
  );

  app.post(
    `${base}/packs`,
    {
      schema: {
        tags,
        summary: 'Make the response pack from the approved response (its SHA-256s are kept)',
        params: IdParams,
        response: responses({ 201: PackMade }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      const out = await auditingRefusals(c, 'request_pack', req.params.id, async () => {
        // The withdrawal of a stale approval commits; the refusal is then said.
        const made = await c.tx((t) => makePack(t, req.params.id));
        if ('withdrawn' in made)
          throw new DomainError(
            'conflict',
            'records_changed',
            'The records changed after the response was approved, so the approval was withdrawn: review the response and have it approved again.',
          );
        return made.made;
      });
      return reply.status(201).send(out);
    },
  );

  app.get(
    `${base}/packs/:packId/:format`,
    {
      schema: {
        tags,
        summary: 'Download a pack’s PDF, JSON copy or CSV index (made again and checked; audited)',
        params: PackParams,
        produces: ['application/pdf', 'application/json', 'text/csv'],
        response: responses({ 200: FileBody }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      const file = await auditingRefusals(c, 'request_download', req.params.id, () =>
        c.tx((t) => downloadPack(t, req.params.id, req.params.packId, req.params.format)),
      );
      return reply
        .header('Content-Type', file.type)
        .header('Content-Disposition', `attachment; filename="${file.name}"`)
        .header('Cache-Control', 'private, no-store')
        .header('X-Content-Type-Options', 'nosniff')
        .send(file.body);
    },
  );

  app.post(
    `${base}/disclosures`,
    {
      schema: {
        tags,
        summary: 'Record the disclosure: what went to whom, how, when (with the pack’s SHA-256)',
        params: IdParams,
        body: NewDisclosure,
        response: responses({ 201: Created }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      const made = await auditingRefusals(c, 'request_disclose', req.params.id, () =>
        c.tx((t) => recordDisclosure(t, req.params.id, req.body)),
      );
      return reply.status(201).send(made);
    },
  );
}
