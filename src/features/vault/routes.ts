// The document vault's routes. Uploads arrive as raw bytes (application/octet-stream, only on
// this route, never more than VAULT_HARD_LIMIT_BYTES) with the file name, percent-encoded, in the
// X-File-Name header: a name ("referral-to-CAMHS-Amy.pdf") is as sensitive as the file, so it
// never travels in the URL. The checks, sealing and audit are in service.ts. Downloads are
// always attachments with safeDownloadHeaders.
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { badRequest } from '../../core/errors.ts';
import { VAULT_HARD_LIMIT_BYTES } from '../../shared/limits.ts';
import { IdParams, responses } from '../../shared/schemas/common.ts';
import { Attachment } from '../../shared/schemas/concerns.ts';
import {
  FILE_NAME_HEADER,
  FILE_NAME_MAX,
  FileBody,
  UploadHeaders,
  UploadNoQuery,
} from '../../shared/schemas/vault.ts';
import { safeDownloadHeaders } from './file-check.ts';
import { readAttachment, storeAttachment } from './service.ts';

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
          summary:
            'Attach a file to a concern (raw bytes; the name percent-encoded in X-File-Name)',
          params: IdParams,
          headers: UploadHeaders,
          querystring: UploadNoQuery,
          response: responses({ 201: Attachment }),
        },
      },
      async (req, reply) => {
        const bytes = req.body;
        if (!Buffer.isBuffer(bytes)) throw badRequest('Send the file as application/octet-stream.');
        const name = decodeFileName(req.headers[FILE_NAME_HEADER]);
        const view = await ctx(req).tx((t) => storeAttachment(t, req.params.id, name, bytes));
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
        response: responses({ 200: FileBody }),
      },
    },
    async (req, reply) => {
      const file = await ctx(req).tx((t) => readAttachment(t, req.params.id));
      return reply.headers(safeDownloadHeaders(file.name, file.mime)).send(file.bytes);
    },
  );
}

/** The upload's name from its header: percent-encoded UTF-8, 1 to FILE_NAME_MAX characters. */
function decodeFileName(sent: string): string {
  let name: string;
  try {
    name = decodeURIComponent(sent);
  } catch {
    throw badRequest(
      'The file name in X-File-Name must be percent-encoded UTF-8 (as encodeURIComponent writes it).',
    );
  }
  if (name.trim() === '' || name.length > FILE_NAME_MAX) {
    throw badRequest(`The file name must be 1 to ${FILE_NAME_MAX} characters.`);
  }
  return name;
}
