// The administrator's "Export the school's data" (issue 15), a thin layer over app-export.ts:
// status, ask (answers the password and the download token once), the one download, and the
// school's confirmation that it opened the archive (the code inside, as `lantern school
// confirm-export` takes it). Every route: an administrator, stepped up (policy.ts).
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { ErrorBody, IdParams, responses } from '../../shared/schemas/common.ts';
import { FileBody } from '../../shared/schemas/vault.ts';
import {
  ConfirmBody,
  Confirmed,
  DownloadBody,
  ExportAsked,
  ExportStatus,
} from '../../shared/schemas/school-exit.ts';
import { requireSchoolExport } from './policy.ts';
import { exportStatus, requestAppExport, takeDownload, wakeExportRunner } from './app-export.ts';
import { confirmExport } from './delete.ts';

export function registerSchoolExitRoutes(app: App, services: Services): void {
  const tags = ['school-exit'];
  const base = '/api/admin/school-export';

  app.get(
    base,
    {
      schema: {
        tags,
        summary: "The school's latest export asked for in the app, and its confirmation",
        response: responses({ 200: ExportStatus }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireSchoolExport(c.actor);
      return c.tx(exportStatus);
    },
  );

  app.post(
    base,
    {
      schema: {
        tags,
        summary:
          "Prepare the school's export in the background (answers its password and download token, once)",
        response: responses({ 201: ExportAsked, 409: ErrorBody }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireSchoolExport(c.actor);
      const asked = await c.tx((t) => requestAppExport(services, t));
      wakeExportRunner();
      return reply.status(201).header('Cache-Control', 'no-store').send(asked);
    },
  );

  app.post(
    `${base}/:id/download`,
    {
      schema: {
        tags,
        summary: 'Download the export, once (the archive is then deleted from the server)',
        params: IdParams,
        body: DownloadBody,
        produces: ['application/x-7z-compressed'],
        response: responses({ 200: FileBody, 409: ErrorBody, 410: ErrorBody }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireSchoolExport(c.actor);
      const file = await c.tx((t) => takeDownload(services, t, req.params.id, req.body.token));
      // Refused (audited in the same transaction, which has committed): answered as an error.
      if ('refused' in file) throw file.refused;
      if ('gone' in file) {
        // Downloaded already, or expired: gone for good.
        return reply
          .status(410)
          .send({ error: { code: file.gone.code, message: file.gone.message } });
      }
      return reply
        .header('Content-Type', 'application/x-7z-compressed')
        .header('Content-Disposition', `attachment; filename="${file.name}"`)
        .header('Content-Length', String(file.bytes))
        .header('Cache-Control', 'private, no-store')
        .header('X-Content-Type-Options', 'nosniff')
        .send(file.stream as unknown as Uint8Array);
    },
  );

  app.post(
    `${base}/confirm`,
    {
      schema: {
        tags,
        summary: 'Confirm the school opened its export: the code is in README.txt inside it',
        body: ConfirmBody,
        response: responses({ 200: Confirmed, 400: ErrorBody, 409: ErrorBody }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireSchoolExport(c.actor);
      return confirmExport(
        services,
        c.actor.schoolId,
        req.body.code,
        `${c.actor.name} (an administrator, in the app)`,
      );
    },
  );
}
