// The document vault. Uploads arrive as raw bytes (application/octet-stream, only on this route),
// are checked by content (file-check.ts) against the school's size limit, sealed with the school's
// data key and stored in the database. Downloads are always attachments with safeDownloadHeaders,
// and every upload and download is audited. Who may upload or download: whoever may read the
// concern the file belongs to (the concern policy decides).
import { randomUUID } from 'node:crypto';
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { IdParams, responses } from '../../shared/schemas/common.ts';
import { badRequest, DomainError, notFound } from '../../core/errors.ts';
import { readableConcernRow } from '../concerns/read.ts';
import { Attachment } from '../../shared/schemas/concerns.ts';
import { recordSettings, VAULT_HARD_LIMIT_BYTES } from '../../core/record-settings.ts';
import { checkUpload, safeDownloadHeaders } from './file-check.ts';

export async function registerVaultRoutes(app: App, _services: Services): Promise<void> {
  await app.register(async (scope) => {
    const vault = scope as unknown as App;
    vault.addContentTypeParser(
      'application/octet-stream',
      { parseAs: 'buffer', bodyLimit: VAULT_HARD_LIMIT_BYTES },
      (_req, body, done) => done(null, body),
    );
    vault.post(
      '/api/concerns/:id/attachments',
      {
        bodyLimit: VAULT_HARD_LIMIT_BYTES,
        schema: {
          tags: ['vault'],
          summary: 'Attach a file to a concern (raw bytes; the name in ?name=)',
          params: IdParams,
          querystring: Type.Object(
            { name: Type.String({ minLength: 1, maxLength: 255 }) },
            { additionalProperties: false },
          ),
          response: responses({ 201: Attachment }),
        },
      },
      async (req, reply) => {
        const bytes = req.body;
        if (!Buffer.isBuffer(bytes)) throw badRequest('Send the file as application/octet-stream.');
        const view = await ctx(req).tx(async (t) => {
          await readableConcernRow(t, req.params.id);
          const { maxUploadBytes } = await recordSettings(t.db, t.actor.schoolId);
          const check = await checkUpload(bytes, req.query.name, maxUploadBytes);
          if (!check.ok) throw badRequest(check.reason, 'file_refused');
          const id = randomUUID();
          const sealer = await t.sealer();
          await t.q(
            `INSERT INTO attachments (id, school_id, concern_id, name, mime, ext, size_bytes,
               uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
            [
              id,
              t.actor.schoolId,
              req.params.id,
              sealer.seal('attachments.name', id, check.safeName),
              check.mime,
              check.ext,
              bytes.byteLength,
              t.actor.userId,
              t.now,
            ],
          );
          await t.q(
            'INSERT INTO attachment_blobs (attachment_id, school_id, content) VALUES ($1, $2, $3)',
            [
              id,
              t.actor.schoolId,
              sealer.seal('attachment_blobs.content', id, bytes.toString('base64')),
            ],
          );
          await t.audit({
            action: 'attachment.uploaded',
            targetType: 'attachment',
            targetId: id,
            details: { concern: req.params.id, mime: check.mime, bytes: bytes.byteLength },
          });
          return {
            id,
            name: check.safeName,
            mime: check.mime,
            sizeBytes: bytes.byteLength,
            uploadedAt: t.now.toISOString(),
          };
        });
        return reply.status(201).send(view);
      },
    );
  });

  app.get(
    '/api/attachments/:id',
    {
      schema: {
        tags: ['vault'],
        summary: 'Download an attachment (always as a file, never shown inline)',
        params: IdParams,
        produces: ['application/octet-stream'],
        response: responses({ 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) }),
      },
    },
    async (req, reply) => {
      const file = await ctx(req).tx(async (t) => {
        const [a] = await t.q<{ concern_id: string; name: Buffer; mime: string; content: Buffer }>(
          `SELECT a.concern_id, a.name, a.mime, b.content FROM attachments a
           JOIN attachment_blobs b ON b.attachment_id = a.id WHERE a.id = $1`,
          [req.params.id],
        );
        if (!a) throw notFound('That file');
        await readableConcernRow(t, a.concern_id).catch((err: unknown) => {
          // Whoever could read the record after a second factor is asked for one.
          if (err instanceof DomainError && err.code === 'step_up_required') throw err;
          throw notFound('That file');
        });
        const sealer = await t.sealer();
        await t.audit({
          action: 'attachment.downloaded',
          targetType: 'attachment',
          targetId: req.params.id,
          details: { concern: a.concern_id },
        });
        return {
          name: sealer.open('attachments.name', req.params.id, a.name),
          mime: a.mime,
          bytes: Buffer.from(
            sealer.open('attachment_blobs.content', req.params.id, a.content),
            'base64',
          ),
        };
      });
      return reply.headers(safeDownloadHeaders(file.name, file.mime)).send(file.bytes);
    },
  );
}
