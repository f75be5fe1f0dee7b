// The document vault's schemas: an upload is raw bytes with its file name in the `X-File-Name`
// header (percent-encoded UTF-8, as encodeURIComponent writes it; never in the URL, which proxies
// and logs keep); a download is the file itself. The attachment as listed is Attachment
// (./concerns.ts).
import { Type, type Static } from 'typebox';

/** The longest file name, in characters once decoded. */
export const FILE_NAME_MAX = 255;

/** The header that carries an upload's file name. */
export const FILE_NAME_HEADER = 'x-file-name';

/** Percent-encoding writes each UTF-16 unit of a name as at most nine characters (%XX%XX%XX). */
export const UploadHeaders = Type.Object({
  [FILE_NAME_HEADER]: Type.String({ minLength: 1, maxLength: FILE_NAME_MAX * 9 }),
});
export type UploadHeaders = Static<typeof UploadHeaders>;

/** No query string: a file name put there by mistake is refused, not quietly logged. */
export const UploadNoQuery = Type.Object({}, { additionalProperties: false });

/** A file sent as the whole response body (an attachment, a PDF export). */
export const FileBody = Type.Unsafe<Uint8Array>({ type: 'string', format: 'binary' });
