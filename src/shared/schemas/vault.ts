// The document vault's schemas: an upload is raw bytes with its name in the query; a download is
// the file itself. The attachment as listed is Attachment (./concerns.ts).
import { Type, type Static } from 'typebox';

export const UploadQuery = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 255 }) },
  { additionalProperties: false },
);
export type UploadQuery = Static<typeof UploadQuery>;

/** A file sent as the whole response body (an attachment, a PDF export). */
export const FileBody = Type.Unsafe<Uint8Array>({ type: 'string', format: 'binary' });
