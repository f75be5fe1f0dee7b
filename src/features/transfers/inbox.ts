// The receiving school's side of a transfer on the same Lantern (issue 18): the DSL team's inbox,
// opening a file (audited, and the sender told it was viewed), accepting it with a receipt by
// name and role — only once it has been opened — or rejecting it with a reason; and the pupil's
// read-only "Previous school" section, holding each accepted file with its provenance, matched by
// UPN (now, or when the pupil arrives on roll).
import type { Tx } from '../../core/context.ts';
import { conflict, DomainError, notFound } from '../../core/errors.ts';
import type { Receipt, ReceivedFile, TransferIn } from '../../shared/schemas/transfers.ts';
import { inboxActions, type InboxState } from './policy.ts';
import type { TransferFile } from './file.ts';

type Row = {
  id: string;
  from_school_id: string | null;
  from_school_name: string;
  state: InboxState;
  received_at: Date;
  pupil_id: string | null;
  upn: string | null;
  file: Buffer;
  manifest_sha256: string;
  receipt: Buffer | null;
  accepted_at: Date | null;
};

const SELECT = `SELECT id, from_school_id, from_school_name, state, received_at, pupil_id, upn,
  file, manifest_sha256, receipt, accepted_at FROM transfer_inbox`;

/** The pupil on this school's roll with the file's UPN, if any. */
const MATCH = `(SELECT p.id FROM pupils p WHERE p.upn IS NOT NULL AND p.upn = i.upn
  ORDER BY p.archived_at NULLS FIRST LIMIT 1)`;

export async function listIn(t: Tx): Promise<TransferIn[]> {
  const rows = await t.q<Row & { matched: boolean }>(
    `SELECT i.id, i.from_school_name, i.state, i.received_at,
       (i.pupil_id IS NOT NULL OR EXISTS ${MATCH}) AS matched
     FROM transfer_inbox i ORDER BY i.received_at DESC, i.id LIMIT 200`,
  );
  return rows.map((r) => ({
    id: r.id,
    fromSchool: r.from_school_name,
    state: r.state,
    receivedAt: r.received_at.toISOString(),
    pupilMatched: r.matched,
    allowed: inboxActions(t.actor, r.state),
  }));
}

async function present(t: Tx, r: Row): Promise<ReceivedFile> {
  const sealer = await t.sealer();
  const file = sealer.openJson<TransferFile & { sentAt?: string }>(
    'transfer_inbox.file',
    r.id,
    r.file,
  );
  return {
    id: r.id,
    fromSchool: r.from_school_name,
    pupil: file.pupil,
    sentAt: r.received_at.toISOString(),
    items: file.items,
    withheld: file.withheld,
    manifest: file.manifest,
    manifestSha256: r.manifest_sha256,
    receipt: r.receipt ? sealer.openJson('transfer_inbox.receipt', r.id, r.receipt) : null,
    acceptedAt: r.accepted_at?.toISOString() ?? null,
  };
}

async function row(t: Tx, id: string): Promise<Row> {
  const [r] = await t.q<Row>(`${SELECT} WHERE id = $1 FOR UPDATE`, [id]);
  if (!r || r.state === 'revoked' || r.state === 'rejected') throw notFound('That file');
  return r;
}

/** Opens a received file (the first opening makes it `viewed`). Returns whether that was now. */
export async function openReceived(
  t: Tx,
  id: string,
): Promise<{ file: ReceivedFile; firstView: boolean; fromSchoolId: string | null }> {
  const r = await row(t, id);
  const firstView = r.state === 'sent';
  if (firstView)
    await t.q(`UPDATE transfer_inbox SET state = 'viewed', viewed_at = $2 WHERE id = $1`, [
      id,
      t.now,
    ]);
  await t.audit({
    action: 'transfer.file_opened',
    targetType: 'transfer_inbox',
    targetId: id,
    details: { fromSchool: r.from_school_id ?? 'deleted' },
  });
  return { file: await present(t, r), firstView, fromSchoolId: r.from_school_id };
}

/** The receipt: by name and role, only once the file has been opened; the pupil matched by UPN. */
export async function acceptReceived(
  t: Tx,
  id: string,
  receipt: Receipt,
): Promise<{ fromSchoolId: string | null; receipt: Receipt }> {
  const r = await row(t, id);
  if (r.state === 'sent')
    throw new DomainError(
      'invalid',
      'not_opened',
      'Open and read the file before confirming its receipt.',
    );
  if (r.state !== 'viewed') throw conflict('This file has already been accepted.');
  const clean = { name: receipt.name.trim(), role: receipt.role.trim() };
  if (clean.name === '' || clean.role === '')
    throw new DomainError('invalid', 'receipt', 'Give your name and your role to confirm receipt.');
  const sealer = await t.sealer();
  const [matched] = await t.q<{ id: string | null }>(
    `SELECT ${MATCH} AS id FROM transfer_inbox i WHERE i.id = $1`,
    [id],
  );
  await t.q(
    `UPDATE transfer_inbox SET state = 'accepted', accepted_at = $2, accepted_by = $3, receipt = $4,
       pupil_id = $5 WHERE id = $1`,
    [
      id,
      t.now,
      t.actor.userId,
      sealer.sealJson('transfer_inbox.receipt', id, clean),
      matched?.id ?? null,
    ],
  );
  await t.audit({
    action: 'transfer.receipt_given',
    targetType: 'transfer_inbox',
    targetId: id,
    details: { fromSchool: r.from_school_id ?? 'deleted', pupil: matched?.id ?? 'held' },
  });
  return { fromSchoolId: r.from_school_id, receipt: clean };
}

export async function rejectReceived(
  t: Tx,
  id: string,
  reason: string,
): Promise<{ fromSchoolId: string | null; reason: string }> {
  const r = await row(t, id);
  if (r.state === 'accepted') throw conflict('This file has already been accepted.');
  const clean = reason.trim();
  if (clean === '') throw new DomainError('invalid', 'reason', 'Say why the file is rejected.');
  const sealer = await t.sealer();
  // The file is not kept: a rejected file was not this school's to hold.
  await t.q(
    `UPDATE transfer_inbox SET state = 'rejected', rejected_reason = $2, file = $3 WHERE id = $1`,
    [
      id,
      sealer.seal('transfer_inbox.rejected_reason', id, clean),
      sealer.sealJson('transfer_inbox.file', id, { rejected: true }),
    ],
  );
  await t.audit({
    action: 'transfer.file_rejected',
    targetType: 'transfer_inbox',
    targetId: id,
    details: { fromSchool: r.from_school_id ?? 'deleted' },
  });
  return { fromSchoolId: r.from_school_id, reason: clean };
}

/** The pupil's "Previous school" section: accepted files, read-only, with their provenance. */
export async function previousSchool(t: Tx, pupilId: string): Promise<ReceivedFile[]> {
  const [pupil] = await t.q<{ upn: string | null }>('SELECT upn FROM pupils WHERE id = $1', [
    pupilId,
  ]);
  if (!pupil) throw notFound('That pupil');
  const rows = await t.q<Row>(
    `${SELECT} WHERE state = 'accepted' AND (pupil_id = $1 OR (pupil_id IS NULL AND upn = $2))
     ORDER BY accepted_at`,
    [pupilId, pupil.upn],
  );
  // A file held for a pupil who has now arrived is theirs from now on.
  await t.q(
    `UPDATE transfer_inbox SET pupil_id = $1 WHERE state = 'accepted' AND pupil_id IS NULL AND upn = $2`,
    [pupilId, pupil.upn],
  );
  await t.audit({
    action: 'transfer.previous_school_viewed',
    targetType: 'pupil',
    targetId: pupilId,
    details: { files: rows.map((r) => r.id) },
  });
  return Promise.all(rows.map((r) => present(t, r)));
}
