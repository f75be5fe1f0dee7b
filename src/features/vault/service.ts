// Storing and reading the vault's files, inside the caller's transaction. A file is checked by
// content (file-check.ts) against the school's size limit, sealed with the school's data key and
// stored in the database; reading opens it again. Both are audited. Who may: whoever may read
// the concern the file belongs to (the concern policy decides, through readableConcernRow).
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { badRequest, DomainError, notFound } from '../../core/errors.ts';
import { loadSchoolSettings } from '../../core/settings.ts';
import type { Attachment } from '../../shared/schemas/concerns.ts';
import { readableConcernRow } from '../concerns/read.ts';
import { checkUpload } from './file-check.ts';

export async function storeAttachment(
  t: Tx,
  concernId: string,
  declaredName: string,
  bytes: Buffer,
): Promise<Attachment> {
  await readableConcernRow(t, concernId);
  const { maxUploadBytes } = await loadSchoolSettings(t.db, t.actor.schoolId);
  const check = await checkUpload(bytes, declaredName, maxUploadBytes);
  if (!check.ok) throw badRequest(check.reason, 'file_refused');
  const id = randomUUID();
  const sealer = await t.sealer();
  await t.q(
    `INSERT INTO attachments (id, school_id, concern_id, name, mime, ext, size_bytes,
       uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      id,
      t.actor.schoolId,
      concernId,
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
    [id, t.actor.schoolId, sealer.seal('attachment_blobs.content', id, bytes.toString('base64'))],
  );
  await t.audit({
    action: 'attachment.uploaded',
    targetType: 'attachment',
    targetId: id,
    details: { concern: concernId, mime: check.mime, bytes: bytes.byteLength },
  });
  return {
    id,
    name: check.safeName,
    mime: check.mime,
    sizeBytes: bytes.byteLength,
    uploadedAt: t.now.toISOString(),
  };
}

export async function readAttachment(
  t: Tx,
  id: string,
): Promise<{ name: string; mime: string; bytes: Buffer }> {
  const [a] = await t.q<{ concern_id: string; name: Buffer; mime: string; content: Buffer }>(
    `SELECT a.concern_id, a.name, a.mime, b.content FROM attachments a
     JOIN attachment_blobs b ON b.attachment_id = a.id WHERE a.id = $1`,
    [id],
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
    targetId: id,
    details: { concern: a.concern_id },
  });
  return {
    name: sealer.open('attachments.name', id, a.name),
    mime: a.mime,
    bytes: Buffer.from(sealer.open('attachment_blobs.content', id, a.content), 'base64'),
  };
}
