// The receipt certificate (issue 18): the sending school's proof that the child-protection file
// reached the next school and was signed for — who received it (name and role, as they gave them),
// when it was sent and accepted, and the manifest's SHA-256 with its item count, so the file as
// sent can be matched to the certificate years later. Printed by the sending DSL team only once
// the receiver has confirmed receipt (409 before), audited. It names the pupil (it goes on the
// sending school's own file, as the transfer page does) but carries no record text.
import type { Tx } from '../../core/context.ts';
import { DomainError } from '../../core/errors.ts';
import type { ManifestEntry } from '../../shared/schemas/transfers.ts';
import { renderChronologyPdf, type ChronologyPdfEntry } from '../chronology/pdf.ts';
import { englandToday } from './open.ts';
import { transferOut } from './service.ts';

const ENGLAND = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
});
const when = (iso: string | null) => (iso ? ENGLAND.format(new Date(iso)) : 'not recorded');

export async function receiptCertificate(t: Tx, id: string): Promise<Buffer> {
  const transfer = await transferOut(t, id);
  if (transfer.state !== 'accepted' || !transfer.receipt || !transfer.acceptedAt) {
    throw new DomainError(
      'conflict',
      'no_receipt',
      'There is no receipt to print yet: the receiving school has not confirmed receipt of this file.',
    );
  }
  const [row] = await t.q<{
    school: string;
    manifest: Buffer | null;
    withheld: Buffer | null;
    sent_by: string | null;
  }>(
    `SELECT s.name AS school, x.manifest, x.withheld, u.name AS sent_by
     FROM transfers x JOIN schools s ON s.id = x.school_id
     LEFT JOIN users u ON u.id = x.sent_by WHERE x.id = $1`,
    [id],
  );
  const sealer = await t.sealer();
  const manifest = row?.manifest
    ? sealer.openJson<ManifestEntry[]>('transfers.manifest', id, row.manifest)
    : [];
  const withheld = row?.withheld
    ? sealer.openJson<{ itemId: string }[]>('transfers.withheld', id, row.withheld)
    : [];
  await t.audit({
    action: 'transfer.receipt_printed',
    targetType: 'transfer',
    targetId: id,
    details: { sha256: transfer.manifestSha256 ?? '' },
  });
  const acceptedAt = new Date(transfer.acceptedAt);
  const destination = transfer.destination
    ? `${transfer.destination.name} (URN ${transfer.destination.urn})`
    : 'unknown';
  const receipt: ChronologyPdfEntry = {
    happenedAt: acceptedAt,
    kind: 'Receipt',
    title: `Received by ${transfer.receipt.name}, ${transfer.receipt.role}`,
    categories: [],
    author: destination,
    text: [
      `Pupil: ${transfer.pupil.name}`,
      `From: ${row?.school ?? ''}`,
      `To: ${destination}`,
      `Sent: ${when(transfer.sentAt)}${row?.sent_by ? ` by ${row.sent_by}` : ''}`,
      `Receipt confirmed: ${when(transfer.acceptedAt)} by ${transfer.receipt.name} (${transfer.receipt.role})`,
      `Items sent: ${manifest.length}; items withheld with a reason: ${withheld.length}`,
      `SHA-256 of the manifest as sent: ${transfer.manifestSha256 ?? 'not recorded'}`,
      `Statutory clock: ${transfer.clock.explanation}`,
      transfer.clock.dueOn === null
        ? 'No due date was set.'
        : englandToday(acceptedAt) <= transfer.clock.dueOn
          ? `Received on or before the due date (${transfer.clock.dueOn}).`
          : `Received after the due date (${transfer.clock.dueOn}).`,
    ].join('\n'),
  };
  return renderChronologyPdf({
    schoolName: row?.school ?? '',
    pupilName: transfer.pupil.name,
    title: 'Receipt for a child-protection file',
    unit: { one: 'receipt', many: 'receipts' },
    exportedBy: t.actor.name,
    exportedAt: t.now,
    total: 1,
    entries: [receipt],
  });
}
