// The one path by which a child-protection file crosses from one school to another on the same
// Lantern (issue 18). What it protects: each school's rows stay behind their own row-level
// security and their own key. Nothing here relaxes either: the sending school's transaction
// reads the file (as its DSL), the application holds it in memory, and a transaction opened in
// the receiving school (asSystem, so under that school's tenancy) seals it again under the
// receiving school's key into its own transfer_inbox; state changes flow back the same way, into
// the sender's own transfers row. Nothing else in Lantern opens another school's transaction from
// a request. To change safely: keep every cross-school write in this file, send the receiver
// nothing but the file the sender's DSL chose to send, and report back to the sender only the
// state, the receipt (name and role) and a rejection's reason.
import type { Services } from '../../platform/services.ts';
import { asSystem } from '../../core/context.ts';
import { DomainError } from '../../core/errors.ts';
import { fileIsWhole, type TransferFile } from './file.ts';
import { dropSentCopies, keepAfterAcceptance } from './keep.ts';
import { raiseAlerts } from '../alerts/service.ts';
import { queueAlertEmails } from '../alerts/email.ts';

type Door = Pick<Services, 'db' | 'keys' | 'clock'>;

export type Delivery = {
  transferId: string;
  fromSchoolId: string;
  fromSchoolName: string;
  file: TransferFile;
};

/** Lands the file in the receiving school's inbox (again, for "send again", unless accepted). */
export async function unsafeDeliverToSchool(
  services: Door & Pick<Services, 'config' | 'log' | 'mailer'>,
  receiverSchoolId: string,
  d: Delivery,
): Promise<void> {
  if (!fileIsWhole(d.file))
    throw new DomainError('invalid', 'tampered', 'The file does not match its manifest.');
  await asSystem(services, receiverSchoolId, 'scheduled', 'file transfer').tx(async (t) => {
    const sealer = await t.sealer();
    const done = await t.q(
      `INSERT INTO transfer_inbox (id, school_id, from_school_id, from_school_name, upn, file,
         manifest_sha256, state, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'sent', $8)
       ON CONFLICT (school_id, id) DO UPDATE SET file = EXCLUDED.file,
         manifest_sha256 = EXCLUDED.manifest_sha256, state = 'sent',
         received_at = EXCLUDED.received_at, viewed_at = NULL
       WHERE transfer_inbox.state IN ('sent', 'viewed')
         AND transfer_inbox.from_school_id = EXCLUDED.from_school_id
       RETURNING id`,
      [
        d.transferId,
        receiverSchoolId,
        d.fromSchoolId,
        d.fromSchoolName,
        d.file.pupil.upn,
        sealer.sealJson('transfer_inbox.file', d.transferId, d.file),
        d.file.manifestSha256,
        t.now,
      ],
    );
    if (done.length === 0)
      throw new DomainError(
        'conflict',
        'already_decided',
        'The receiving school has already decided.',
      );
    // The receiving DSL team is alerted on their dashboards, and emailed that there is
    // something to look at (nothing of the file).
    const alerted = await raiseAlerts(t.db, t.schoolId, t.now, {
      kind: 'transfer_received',
      targetType: 'transfer_inbox',
      targetId: d.transferId,
      userIds: [],
      groups: ['dsl_team'],
    });
    if (alerted.length > 0) {
      await queueAlertEmails(t, services, alerted);
      await t.audit({
        action: 'alert.raised',
        targetType: 'transfer_inbox',
        targetId: d.transferId,
        details: { recipients: alerted },
      });
    }
    await t.audit({
      action: 'transfer.received',
      targetType: 'transfer_inbox',
      targetId: d.transferId,
      details: {
        fromSchool: d.fromSchoolId,
        items: d.file.items.length,
        withheld: d.file.withheld.length,
        sha256: d.file.manifestSha256,
      },
    });
  });
}

/** The sender revoked before acceptance: the receiver's copy is emptied and marked revoked. */
export async function unsafeRevokeAtReceiver(
  services: Door,
  receiverSchoolId: string,
  transferId: string,
): Promise<void> {
  await asSystem(services, receiverSchoolId, 'scheduled', 'file transfer').tx(async (t) => {
    const sealer = await t.sealer();
    const done = await t.q(
      `UPDATE transfer_inbox SET state = 'revoked', file = $2
       WHERE id = $1 AND state IN ('sent', 'viewed') RETURNING id`,
      [transferId, sealer.sealJson('transfer_inbox.file', transferId, { revoked: true })],
    );
    if (done.length > 0)
      await t.audit({
        action: 'transfer.revoked_by_sender',
        targetType: 'transfer_inbox',
        targetId: transferId,
      });
  });
}

export type Report =
  | { state: 'viewed' }
  | { state: 'accepted'; receipt: { name: string; role: string } }
  | { state: 'rejected'; reason: string };

/** Tells the sending school what the receiver did, into the sender's own transfers row. */
export async function unsafeReportToSender(
  services: Door,
  senderSchoolId: string,
  reportingSchoolId: string,
  transferId: string,
  report: Report,
): Promise<void> {
  await asSystem(services, senderSchoolId, 'scheduled', 'file transfer').tx(async (t) => {
    const sealer = await t.sealer();
    const from = report.state === 'viewed' ? ['sent'] : ['sent', 'viewed'];
    const done = await t.q(
      `UPDATE transfers SET state = $2, state_changed_at = $3,
         accepted_at = CASE WHEN $2 = 'accepted' THEN $3::timestamptz ELSE accepted_at END,
         receipt = COALESCE($4, receipt), rejected_reason = COALESCE($5, rejected_reason)
       WHERE id = $1 AND state = ANY($6::text[]) AND receiver_school_id = $7 RETURNING id`,
      [
        transferId,
        report.state,
        t.now,
        report.state === 'accepted'
          ? sealer.sealJson('transfers.receipt', transferId, report.receipt)
          : null,
        report.state === 'rejected'
          ? sealer.seal('transfers.rejected_reason', transferId, report.reason)
          : null,
        from,
        reportingSchoolId,
      ],
    );
    // Only the school the file was sent to may change its state (checked by its id).
    if (done.length === 0) return;
    const action = {
      viewed: 'transfer.viewed',
      accepted: 'transfer.accepted',
      rejected: 'transfer.rejected',
    } as const;
    await t.audit({ action: action[report.state], targetType: 'transfer', targetId: transferId });
    // What the sender keeps now follows its retention setting (keep.ts), in this transaction.
    if (report.state === 'accepted') await keepAfterAcceptance(t, transferId);
    // Rejected: the sender keeps no copy of the file as sent.
    if (report.state === 'rejected') await dropSentCopies(t, transferId);
  });
}

/**
 * What the receiving school decided about its copy, for "send again" answered "already decided":
 * only the state, the receipt (name and role) or the rejection's reason, nothing of its records.
 */
export async function unsafeReceiverDecision(
  services: Door,
  receiverSchoolId: string,
  senderSchoolId: string,
  transferId: string,
): Promise<Report | null> {
  return asSystem(services, receiverSchoolId, 'scheduled', 'file transfer').tx(async (t) => {
    const [row] = await t.q<{
      state: string;
      receipt: Buffer | null;
      rejected_reason: Buffer | null;
    }>(
      `SELECT state, receipt, rejected_reason FROM transfer_inbox
       WHERE id = $1 AND from_school_id = $2`,
      [transferId, senderSchoolId],
    );
    if (!row) return null;
    const sealer = await t.sealer();
    if (row.state === 'accepted' && row.receipt)
      return {
        state: 'accepted',
        receipt: sealer.openJson<{ name: string; role: string }>(
          'transfer_inbox.receipt',
          transferId,
          row.receipt,
        ),
      };
    if (row.state === 'rejected' && row.rejected_reason)
      return {
        state: 'rejected',
        reason: sealer.open('transfer_inbox.rejected_reason', transferId, row.rejected_reason),
      };
    return null;
  });
}
