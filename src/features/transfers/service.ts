// The sending school's transfers (issue 18): the list with each one's state and statutory clock,
// one transfer with the whole file it would send, and the state changes (draft → sent; revoked
// before acceptance; "send again"), each audited. Sending to a school on this Lantern hands the
// file to unsafe-cross-school.ts after the sender's own transaction has committed; a delivery
// that fails marks a first send `failed` (audited); a failed "send again" keeps its state.
import { sendQueuedMailSoon } from '../alerts/email.ts';
import type { RequestContext, SchoolTx, Tx } from '../../core/context.ts';
import { conflict, DomainError, notFound } from '../../core/errors.ts';
import type { Services } from '../../platform/services.ts';
import type { TransferKeeps } from '../../shared/retention.ts';
import { dropSentCopies } from './keep.ts';
import { loadSchoolCalendar } from '../../core/calendar.ts';
import type {
  ClockRule,
  SendTransfer,
  TransferOut,
  TransferState,
} from '../../shared/schemas/transfers.ts';
import { transferClock } from './clock.ts';
import { englandToday } from './open.ts';
import { buildFile, fileItems, type TransferFile } from './file.ts';
import { transferActions } from './policy.ts';
import { checkRecipient, issueLink, lastLinkEmail, LinkRefused } from './link.ts';
import { draftBreach } from '../data-protection/signals.ts';
import {
  unsafeDeliverToSchool,
  unsafeReceiverDecision,
  unsafeReportToSender,
  unsafeRevokeAtReceiver,
} from './unsafe-cross-school.ts';

type Row = {
  id: string;
  pupil_id: string;
  pupil_name: string;
  trigger: string;
  leaving_on: string;
  destination_urn: number | null;
  destination_name: string | null;
  destination_domain: string | null;
  destination_website: string | null;
  destination_set_on: string | null;
  clock_rule: ClockRule;
  state: TransferState;
  sent_at: Date | null;
  receipt: Buffer | null;
  accepted_at: Date | null;
  rejected_reason: Buffer | null;
  closed_reason: Buffer | null;
  manifest_sha256: string | null;
  on_lantern: boolean;
  social_worker: boolean;
  kept: TransferKeeps | null;
  kept_until: string | null;
  kept_removed_at: Date | null;
  kept_review_due_on: string | null;
  link_id: string | null;
  link_email: Buffer | null;
  link_expires_at: Date | null;
  link_opened_at: Date | null;
  link_state: 'live' | 'revoked' | 'replaced' | 'accepted' | null;
};

const SELECT = `
  SELECT x.id, x.pupil_id, p.first_name || ' ' || p.last_name AS pupil_name, x.trigger,
    x.leaving_on::text AS leaving_on, x.destination_urn, e.name AS destination_name,
    dd.domain AS destination_domain, e.website_host AS destination_website,
    x.destination_set_on::text AS destination_set_on, x.clock_rule, x.state, x.sent_at,
    x.receipt, x.accepted_at, x.rejected_reason, x.closed_reason, x.manifest_sha256,
    x.kept, x.kept_until::text AS kept_until, x.kept_removed_at,
    x.kept_review_due_on::text AS kept_review_due_on,
    (x.destination_urn IS NOT NULL
      AND EXISTS (SELECT 1 FROM lantern_school_by_urn(x.destination_urn) s
                  WHERE s.id <> x.school_id)) AS on_lantern,
    -- A referral to children's social care stands for "the pupil has a social worker".
    EXISTS (SELECT 1 FROM referrals r JOIN referral_agencies a ON a.id = r.agency_id
            WHERE r.pupil_id = x.pupil_id AND a.key = 'social_care') AS social_worker,
    l.id AS link_id, l.email AS link_email, l.expires_at AS link_expires_at,
    l.opened_at AS link_opened_at, l.state AS link_state
  FROM transfers x JOIN pupils p ON p.id = x.pupil_id
  LEFT JOIN establishments e ON e.urn = x.destination_urn
  LEFT JOIN transfer_destination_domains dd
    ON dd.urn = x.destination_urn AND dd.school_id = x.school_id
  LEFT JOIN LATERAL (SELECT id, email, expires_at, opened_at, state FROM transfer_links k
                     WHERE k.transfer_id = x.id ORDER BY k.created_at DESC LIMIT 1) l ON true`;

/** States in which nothing more is owed: the clock is never overdue. */
const FINISHED = new Set<TransferState>(['accepted', 'rejected', 'revoked', 'closed']);

async function present(t: Tx, rows: Row[]): Promise<TransferOut[]> {
  if (rows.length === 0) return [];
  const cal = await loadSchoolCalendar(t.db, t.schoolId);
  const sealer = await t.sealer();
  const today = englandToday(t.now);
  return rows.map((r) => ({
    id: r.id,
    pupil: { id: r.pupil_id, name: r.pupil_name },
    trigger: r.trigger,
    leavingOn: r.leaving_on,
    destination:
      r.destination_urn === null
        ? null
        : {
            urn: r.destination_urn,
            name: r.destination_name ?? `URN ${r.destination_urn}`,
            onThisLantern: r.on_lantern,
            domain: r.destination_domain,
            website: r.destination_website,
          },
    state: r.state,
    clock: transferClock(
      {
        leavingOn: r.leaving_on,
        destinationSetOn: r.destination_set_on,
        rule: r.clock_rule,
        today,
        finished: FINISHED.has(r.state),
      },
      cal,
    ),
    sentAt: r.sent_at?.toISOString() ?? null,
    receipt: r.receipt ? sealer.openJson('transfers.receipt', r.id, r.receipt) : null,
    acceptedAt: r.accepted_at?.toISOString() ?? null,
    rejectedReason: r.rejected_reason
      ? sealer.open('transfers.rejected_reason', r.id, r.rejected_reason)
      : null,
    manifestSha256: r.manifest_sha256,
    kept: r.kept
      ? {
          mode: r.kept,
          until: r.kept_until,
          removedAt: r.kept_removed_at?.toISOString() ?? null,
          reviewDueOn: r.kept_review_due_on,
        }
      : null,
    link:
      r.link_id && r.link_email && r.link_expires_at && r.link_state
        ? {
            email: sealer.open('transfer_links.email', r.link_id, r.link_email),
            expiresAt: r.link_expires_at.toISOString(),
            openedAt: r.link_opened_at?.toISOString() ?? null,
            state: r.link_state,
          }
        : null,
    // An unknown destination: keep the file, and tell the local authority (and the social worker).
    closedReason: r.closed_reason
      ? sealer.open('transfers.closed_reason', r.id, r.closed_reason)
      : null,
    tasks: tasksFor(r),
    allowed: transferActions(t.actor, {
      state: r.state,
      hasDestination: r.destination_urn !== null,
      onThisLantern: r.on_lantern,
    }),
  }));
}

function tasksFor(r: Row): string[] {
  if (r.state !== 'draft') return [];
  if (r.destination_urn === null)
    return [
      'Tell the local authority that the destination is unknown (children missing education).',
      ...(r.social_worker ? ["Tell the pupil's social worker."] : []),
    ];
  if (!r.on_lantern)
    return [
      "The destination school does not use this Lantern: the file goes as a secure link to its DSL's email address, which must be at the school's domain.",
    ];
  return [];
}

export async function listOut(t: Tx): Promise<TransferOut[]> {
  const rows = await t.q<Row>(`${SELECT} ORDER BY x.created_at DESC, x.id LIMIT 200`);
  return present(t, rows);
}

export async function transferOut(t: Tx, id: string): Promise<TransferOut> {
  const [row] = await t.q<Row>(`${SELECT} WHERE x.id = $1`, [id]);
  if (!row) throw notFound('That transfer');
  return (await present(t, [row]))[0]!;
}

/** One transfer and the whole file it would send (audited: the file is a child's record). */
export async function previewTransfer(t: Tx, id: string) {
  const transfer = await transferOut(t, id);
  const items = await fileItems(t, transfer.pupil.id);
  await t.audit({
    action: 'transfer.file_previewed',
    targetType: 'transfer',
    targetId: id,
    details: { items: items.length },
  });
  return { transfer, items };
}

/** Where the file goes: a school on this Lantern, or a link emailed (queued in the same commit). */
type Sending = { receiverId: string | null; fromSchoolName: string; file: TransferFile };

async function prepare(
  t: Tx,
  services: Pick<Services, 'config' | 'log'>,
  id: string,
  body: SendTransfer,
  again: boolean,
): Promise<Sending> {
  const [row] = await t.q<{
    pupil_id: string;
    state: TransferState;
    destination_urn: number | null;
    receiver_school_id: string | null;
  }>(
    'SELECT pupil_id, state, destination_urn, receiver_school_id FROM transfers WHERE id = $1 FOR UPDATE',
    [id],
  );
  if (!row) throw notFound('That transfer');
  const expected = again ? ['sent', 'viewed'] : ['draft'];
  if (!expected.includes(row.state))
    throw conflict(
      again
        ? 'Only a file not yet accepted can be sent again.'
        : 'This file has already been sent.',
    );
  if (row.destination_urn === null)
    throw new DomainError(
      'invalid',
      'no_destination',
      'Set the destination school before sending the file.',
    );
  const [found] = await t.q<{ id: string }>('SELECT id FROM lantern_school_by_urn($1)', [
    row.destination_urn,
  ]);
  if (found?.id === t.schoolId)
    throw new DomainError('invalid', 'own_school', 'The destination is this school itself.');
  const [school] = await t.q<{ name: string }>('SELECT name FROM schools WHERE id = $1', [
    t.schoolId,
  ]);
  // A school on no Lantern: a link to its DSL's address (checked before anything changes).
  if (!found) {
    if (again && row.receiver_school_id !== null)
      throw conflict(
        'The destination school has left this Lantern; take the file back and send it again.',
      );
    const to = await checkRecipient(
      t,
      row.destination_urn,
      body.recipientEmail ?? (again ? await lastLinkEmail(t, id) : undefined),
    );
    const file = await buildFile(t, row.pupil_id, body.withhold);
    await markSent(t, id, file, null, again);
    await issueLink(t, services, {
      transferId: id,
      email: to.email,
      domain: to.domain,
      file,
      school: school!.name,
    });
    return { receiverId: null, fromSchoolName: school!.name, file };
  }
  const receiver = found;
  // The URN has moved to another school since the file was sent: never send it on to that one.
  if (again && row.receiver_school_id !== receiver.id)
    throw conflict(
      'The destination URN now belongs to a different school on this Lantern; take the file back and check the destination.',
    );
  const file = await buildFile(t, row.pupil_id, body.withhold);
  await markSent(t, id, file, receiver.id, again);
  return { receiverId: receiver.id, fromSchoolName: school!.name, file };
}

async function markSent(
  t: Tx,
  id: string,
  file: TransferFile,
  receiverId: string | null,
  again: boolean,
): Promise<void> {
  const sealer = await t.sealer();
  await t.q(
    `UPDATE transfers SET state = 'sent', sent_at = $2, sent_by = $3, manifest = $4, withheld = $5,
       manifest_sha256 = $6, receiver_school_id = $7, state_changed_at = $2, sent_file = $8
     WHERE id = $1`,
    [
      id,
      t.now,
      t.actor.userId,
      sealer.sealJson('transfers.manifest', id, file.manifest),
      sealer.sealJson('transfers.withheld', id, file.withheld),
      file.manifestSha256,
      receiverId,
      // Held until acceptance, then cut to what the school keeps (keep.ts).
      sealer.sealJson('transfers.sent_file', id, file),
    ],
  );
  await t.audit({
    action: again ? 'transfer.sent_again' : 'transfer.sent',
    targetType: 'transfer',
    targetId: id,
    details: {
      toSchool: receiverId ?? 'link',
      items: file.items.length,
      withheld: file.withheld.map((w) => w.itemId),
      sha256: file.manifestSha256,
    },
  });
}

/** Sends the whole file (less any item withheld with its reason), or sends it again. */
export async function sendTransfer(
  c: RequestContext,
  services: Services,
  id: string,
  body: SendTransfer,
  again = false,
): Promise<TransferOut> {
  let s: Sending;
  try {
    s = await c.tx((t) => prepare(t, services, id, body, again));
  } catch (err) {
    // A refused address changed nothing (the transaction rolled back): the attempt is audited.
    if (err instanceof LinkRefused)
      await c.tx((t) =>
        t.audit({
          action: 'transfer.link_refused',
          targetType: 'transfer',
          targetId: id,
          details: { reason: err.code, ...(err.domain && { domain: err.domain }) },
        }),
      );
    throw err;
  }
  if (s.receiverId === null) {
    sendQueuedMailSoon(services);
    return c.tx((t) => transferOut(t, id));
  }
  const receiverId = s.receiverId;
  try {
    await unsafeDeliverToSchool(services, receiverId, {
      transferId: id,
      fromSchoolId: c.actor.schoolId,
      fromSchoolName: s.fromSchoolName,
      file: s.file,
    });
    sendQueuedMailSoon(services);
  } catch (err) {
    if (err instanceof DomainError && err.code === 'already_decided') {
      // The receiver decided while our copy of its answer was lost or late: take its answer,
      // never "failed" (its accepted copy is live and must not be stranded).
      const decision = await unsafeReceiverDecision(services, receiverId, c.actor.schoolId, id);
      if (decision)
        await unsafeReportToSender(services, c.actor.schoolId, receiverId, id, decision);
      throw conflict(
        decision?.state === 'rejected'
          ? 'The receiving school has already rejected the file.'
          : 'The receiving school has already accepted the file.',
      );
    }
    // Sent again and not delivered: the receiver still holds the earlier copy, so the transfer
    // keeps its state. A first send that fails left nothing at the receiver: it is failed.
    if (!again)
      await c.tx(async (t) => {
        const marked = await t.q(
          `UPDATE transfers SET state = 'failed', state_changed_at = $2, sent_file = NULL
           WHERE id = $1 AND state IN ('sent', 'viewed') RETURNING id`,
          [id, t.now],
        );
        if (marked.length > 0)
          await t.audit({ action: 'transfer.failed', targetType: 'transfer', targetId: id });
      });
    if (err instanceof DomainError) throw err;
    throw new DomainError(
      'upstream_failed',
      'delivery_failed',
      again
        ? 'The file could not be sent again; the school still holds the copy sent before.'
        : 'The file could not be delivered; it is marked failed.',
    );
  }
  return c.tx((t) => transferOut(t, id));
}

/** The sender takes the file back before the receiver accepts it. */
export async function revokeTransfer(
  c: RequestContext,
  services: Services,
  id: string,
): Promise<TransferOut> {
  const receiver = await c.tx(async (t) => {
    const [row] = await t.q<{ receiver_school_id: string | null }>(
      `UPDATE transfers SET state = 'revoked', state_changed_at = $2
       WHERE id = $1 AND state IN ('sent', 'viewed') RETURNING receiver_school_id`,
      [id, t.now],
    );
    if (!row) {
      await transferOut(t, id);
      throw conflict('Only a file not yet accepted can be revoked.');
    }
    // A link stops working at once (its view key with it).
    await t.q(
      `UPDATE transfer_links SET state = 'revoked', view_hash = NULL, code_hash = NULL
       WHERE transfer_id = $1 AND state = 'live'`,
      [id],
    );
    await dropSentCopies(t, id);
    await t.audit({ action: 'transfer.revoked', targetType: 'transfer', targetId: id });
    // It may have gone to the wrong school: the breach register's holders are asked to decide.
    await draftBreach(t, 'transfer_revoked', id);
    return row.receiver_school_id;
  });
  if (receiver) await unsafeRevokeAtReceiver(services, receiver, id);
  return c.tx((t) => transferOut(t, id));
}

/** A draft (or a failed transfer) closed by the DSL team, with its reason: no longer chased. */
export async function closeTransfer(t: Tx, id: string, reason: string): Promise<TransferOut> {
  const clean = reason.trim();
  if (clean === '') throw new DomainError('invalid', 'reason', 'Say why the transfer is closed.');
  const [row] = await t.q<{ state: TransferState }>(
    'SELECT state FROM transfers WHERE id = $1 FOR UPDATE',
    [id],
  );
  if (!row) throw notFound('That transfer');
  if (row.state !== 'draft' && row.state !== 'failed')
    throw conflict('Only a file not yet sent, or one that failed, can be closed.');
  const sealer = await t.sealer();
  await t.q(
    `UPDATE transfers SET state = 'closed', state_changed_at = $2, closed_reason = $3 WHERE id = $1`,
    [id, t.now, sealer.seal('transfers.closed_reason', id, clean)],
  );
  await dropSentCopies(t, id);
  await t.audit({
    action: 'transfer.closed',
    targetType: 'transfer',
    targetId: id,
    details: { from: row.state },
  });
  return transferOut(t, id);
}

export async function setClockRule(t: SchoolTx, rule: ClockRule): Promise<void> {
  await t.q(
    `INSERT INTO transfer_settings (school_id, clock_rule) VALUES ($1, $2)
     ON CONFLICT (school_id) DO UPDATE SET clock_rule = EXCLUDED.clock_rule`,
    [t.schoolId, rule],
  );
  // Transfers whose clock has not started use the new rule; those running keep theirs.
  await t.q(
    `UPDATE transfers SET clock_rule = $1 WHERE state = 'draft' AND destination_urn IS NULL`,
    [rule],
  );
  await t.audit({ action: 'transfer.clock_rule_set', details: { rule } });
}
