// Child-protection file transfers (issue 18). Thin: requireTransfers (the DSL team, elevated)
// first, then the service. Sending and the receiver's decisions cross to the other school only
// through unsafe-cross-school.ts, after this school's own transaction has committed.
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { ErrorBody, IdParams, responses } from '../../shared/schemas/common.ts';
import { Created } from '../../shared/schemas/administration.ts';
import {
  ClockRuleBody,
  CloseTransfer,
  ConfirmDomain,
  DirectoryResults,
  DirectorySearch,
  Establishment,
  KeptCopy,
  KeptCopyRequest,
  LinkSettingsBody,
  NewTransfer,
  PreviousSchool,
  Receipt,
  ReceivedFile,
  Rejection,
  SendTransfer,
  SetDestination,
  TransferFilePreview,
  TransferOut,
  TransfersView,
  UrnParams,
} from '../../shared/schemas/transfers.ts';
import { requireTransfers } from './policy.ts';
import { confirmDomain, searchDirectory } from './directory.ts';
import { clockRuleOf, openTransfer, setDestination } from './open.ts';
import {
  closeTransfer,
  listOut,
  previewTransfer,
  revokeTransfer,
  sendTransfer,
  setClockRule,
  transferOut,
} from './service.ts';
import { acceptReceived, listIn, openReceived, previousSchool, rejectReceived } from './inbox.ts';
import { unsafeReportToSender } from './unsafe-cross-school.ts';
import { receiptCertificate } from './receipt-pdf.ts';
import { FileBody } from '../../shared/schemas/vault.ts';
import { linkDaysOf, setLinkDays } from './link.ts';
import { openKeptCopy } from './keep.ts';
import { registerLinkRoutes } from './link-routes.ts';

const tags = ['transfers'];

export function registerTransferRoutes(app: App, services: Services): void {
  registerLinkRoutes(app, services);
  app.post(
    '/api/transfers/directory/search',
    {
      schema: {
        tags,
        summary: 'Find a destination school by name or URN',
        body: DirectorySearch,
        response: responses({ 200: DirectoryResults }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTransfers(c.actor);
      return { items: await c.tx((t) => searchDirectory(t, req.body.query)) };
    },
  );

  app.post(
    '/api/transfers/directory/:urn/domain',
    {
      schema: {
        tags,
        summary: "Confirm the domain of a destination school's DSL addresses",
        params: UrnParams,
        body: ConfirmDomain,
        response: responses({ 200: Establishment }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTransfers(c.actor);
      return c.tx((t) => confirmDomain(t, req.params.urn, req.body.domain));
    },
  );

  app.get(
    '/api/transfers',
    {
      schema: {
        tags,
        summary: 'Transfers out and in, with their state and clock',
        response: responses({ 200: TransfersView }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTransfers(c.actor);
      return c.tx(async (t) => ({
        out: await listOut(t),
        in: await listIn(t),
        clockRule: await clockRuleOf(t),
        linkDays: await linkDaysOf(t),
      }));
    },
  );

  app.put(
    '/api/transfers/settings',
    {
      schema: {
        tags,
        summary: 'Count the transfer clock in school days (the default) or calendar days',
        body: ClockRuleBody,
        response: responses({ 200: ClockRuleBody }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTransfers(c.actor);
      await c.tx((t) => setClockRule(t, req.body.clockRule));
      return { clockRule: req.body.clockRule };
    },
  );

  app.put(
    '/api/transfers/link-settings',
    {
      schema: {
        tags,
        summary: 'How many days a link to a school on no Lantern works (14 by default)',
        body: LinkSettingsBody,
        response: responses({ 200: LinkSettingsBody }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTransfers(c.actor);
      await c.tx((t) => setLinkDays(t, req.body.linkDays));
      return { linkDays: req.body.linkDays };
    },
  );

  app.post(
    '/api/transfers',
    {
      schema: {
        tags,
        summary:
          'Mark a pupil leaving (with a date and destination, or unknown): opens the transfer',
        body: NewTransfer,
        response: responses({ 201: Created, 409: ErrorBody }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireTransfers(c.actor);
      const created = await c.tx((t) => openTransfer(t, { ...req.body, trigger: 'by_hand' }));
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/api/transfers/:id',
    {
      schema: {
        tags,
        summary: 'One transfer, with the whole file it sends',
        params: IdParams,
        response: responses({ 200: TransferFilePreview }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTransfers(c.actor);
      return c.tx((t) => previewTransfer(t, req.params.id));
    },
  );

  app.post(
    '/api/transfers/:id/destination',
    {
      schema: {
        tags,
        summary: 'Set the destination school (the clock restarts from today)',
        params: IdParams,
        body: SetDestination,
        response: responses({ 200: TransferOut, 409: ErrorBody }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTransfers(c.actor);
      return c.tx(async (t) => {
        await setDestination(t, req.params.id, req.body.destinationUrn);
        return transferOut(t, req.params.id);
      });
    },
  );

  for (const again of [false, true]) {
    app.post(
      `/api/transfers/:id/${again ? 'send-again' : 'send'}`,
      {
        schema: {
          tags,
          summary: again
            ? 'Send the file again (not yet accepted)'
            : 'Send the whole file (any item withheld only with its reason)',
          params: IdParams,
          body: SendTransfer,
          response: responses({ 200: TransferOut, 409: ErrorBody, 502: ErrorBody }),
        },
      },
      async (req) => {
        const c = ctx(req);
        requireTransfers(c.actor);
        return sendTransfer(c, services, req.params.id, req.body, again);
      },
    );
  }

  app.post(
    '/api/transfers/:id/revoke',
    {
      schema: {
        tags,
        summary: 'Take the file back before the receiving school accepts it',
        params: IdParams,
        response: responses({ 200: TransferOut, 409: ErrorBody }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTransfers(c.actor);
      return revokeTransfer(c, services, req.params.id);
    },
  );

  app.post(
    '/api/transfers/:id/close',
    {
      schema: {
        tags,
        summary:
          'Close a transfer Lantern will not send (sent by other secure means, opened in error)',
        params: IdParams,
        body: CloseTransfer,
        response: responses({ 200: TransferOut, 409: ErrorBody }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTransfers(c.actor);
      return c.tx((t) => closeTransfer(t, req.params.id, req.body.reason));
    },
  );

  app.post(
    '/api/transfers/:id/kept-copy',
    {
      schema: {
        tags,
        summary: 'Open the copy this school kept of an accepted file, with a reason (audited)',
        params: IdParams,
        body: KeptCopyRequest,
        response: responses({ 200: KeptCopy, 409: ErrorBody }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTransfers(c.actor);
      return c.tx((t) => openKeptCopy(t, req.params.id, req.body.reason));
    },
  );

  app.get(
    '/api/transfers/inbox/:id',
    {
      schema: {
        tags,
        summary: 'Open a file another school sent (the sender is told it was viewed)',
        params: IdParams,
        response: responses({ 200: ReceivedFile }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTransfers(c.actor);
      const opened = await c.tx((t) => openReceived(t, req.params.id));
      if (opened.firstView)
        if (opened.fromSchoolId)
          await unsafeReportToSender(
            services,
            opened.fromSchoolId,
            c.actor.schoolId,
            req.params.id,
            {
              state: 'viewed',
            },
          );
      return opened.file;
    },
  );

  app.post(
    '/api/transfers/inbox/:id/accept',
    {
      schema: {
        tags,
        summary: 'Confirm receipt of an opened file, by name and role',
        params: IdParams,
        body: Receipt,
        response: responses({ 200: Type.Object({ accepted: Type.Literal(true) }), 409: ErrorBody }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTransfers(c.actor);
      const done = await c.tx((t) => acceptReceived(t, req.params.id, req.body));
      // A sender that has left Lantern (issue 15) has no one to tell.
      if (done.fromSchoolId)
        await unsafeReportToSender(services, done.fromSchoolId, c.actor.schoolId, req.params.id, {
          state: 'accepted',
          receipt: done.receipt,
        });
      return { accepted: true as const };
    },
  );

  app.post(
    '/api/transfers/inbox/:id/reject',
    {
      schema: {
        tags,
        summary: 'Reject a file sent in error, with a reason',
        params: IdParams,
        body: Rejection,
        response: responses({ 200: Type.Object({ rejected: Type.Literal(true) }), 409: ErrorBody }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTransfers(c.actor);
      const done = await c.tx((t) => rejectReceived(t, req.params.id, req.body.reason));
      // A sender that has left Lantern (issue 15) has no one to tell.
      if (done.fromSchoolId)
        await unsafeReportToSender(services, done.fromSchoolId, c.actor.schoolId, req.params.id, {
          state: 'rejected',
          reason: done.reason,
        });
      return { rejected: true as const };
    },
  );

  app.get(
    '/api/pupils/:id/previous-school',
    {
      schema: {
        tags,
        summary: 'The pupil\'s "Previous school" section: files accepted from earlier schools',
        params: IdParams,
        response: responses({ 200: PreviousSchool }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTransfers(c.actor);
      return { files: await c.tx((t) => previousSchool(t, req.params.id)) };
    },
  );

  app.get(
    '/api/transfers/:id/receipt.pdf',
    {
      schema: {
        tags,
        summary: 'The receipt certificate of a file the next school has signed for (audited)',
        params: IdParams,
        produces: ['application/pdf'],
        response: responses({ 200: FileBody, 409: ErrorBody }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireTransfers(c.actor);
      const pdf = await c.tx((t) => receiptCertificate(t, req.params.id));
      return reply
        .header('Content-Type', 'application/pdf')
        .header('Content-Disposition', 'attachment; filename="transfer-receipt.pdf"')
        .header('Cache-Control', 'private, no-store')
        .header('X-Content-Type-Options', 'nosniff')
        .send(pdf);
    },
  );
}
