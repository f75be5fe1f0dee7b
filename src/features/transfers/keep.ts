// What the sending school keeps of a child-protection file once the next school has confirmed
// receipt (issue 18), by the retention schedule's "transferred_file" rule (issue 15,
// retention/schedule-service.ts): nothing; a sealed read-only copy, kept to the pupil's date of
// birth + the rule's years and opened only with a stated reason; or the chronology only (each
// item's date, kind, title and categories, no text). What it protects: the file as sent stays
// with the sender no longer, and no wider, than the school chose; every opening says why, sealed,
// and is audited. The file as sent (transfers.sent_file) is held from sending to acceptance, when
// keepAfterAcceptance cuts it down in the accepting transaction; a link's own copy of the file
// (transfer_links.file) is emptied then too. To change safely: call keepAfterAcceptance wherever
// a transfer becomes accepted, in the same transaction. When a kept copy's date has passed
// (expireKeptCopies, run once every 24 hours by src/jobs/transfer-kept-expiry.ts) it goes if the school's
// transferred_file rule says destroy, and is marked due for review (kept, shown on the transfer
// page) if it says review; neither while a live legal hold covers the pupil or any of their
// records (retention/holds.ts): no disposal passes a hold.
import { randomUUID } from 'node:crypto';
import type { SchoolTx, Tx } from '../../core/context.ts';
import { badRequest, conflict, notFound } from '../../core/errors.ts';
import { englandDay } from '../../shared/calendar.ts';
import type { TransferKeeps } from '../../shared/retention.ts';
import type { KeptCopy } from '../../shared/schemas/transfers.ts';
import { schoolSchedule } from '../retention/schedule-service.ts';
import { addYears, dueDate } from '../retention/rules.ts';
import { ensureStandingHolds, heldRecords } from '../retention/holds.ts';
import type { TransferFile } from './file.ts';

/** The file cut to its chronology: when, what kind, the title and categories; no text, no names. */
function chronologyOnly(file: TransferFile): TransferFile {
  return {
    ...file,
    // An allow-list, never a spread: whatever an item gains later (a body map with its marks'
    // descriptions, attachments) stays out of the chronology unless named here.
    items: file.items.map(({ id, kind, happenedAt, title, categories }) => ({
      id,
      kind,
      happenedAt,
      title,
      categories,
      text: null,
      author: null,
      pupils: [],
      status: null,
    })),
    withheld: file.withheld.map((w) => ({ itemId: w.itemId, reason: '' })),
  };
}

/**
 * Empties the links' own copies of the file (each replaced by a sealed { cleared: true } marker):
 * every link of the transfer, or only those named.
 */
export async function clearLinkCopies(
  t: Pick<SchoolTx, 'q' | 'sealer'>,
  transferId: string,
  only?: readonly string[],
): Promise<void> {
  const sealer = await t.sealer();
  const links = await t.q<{ id: string }>(
    'SELECT id FROM transfer_links WHERE transfer_id = $1 AND ($2::uuid[] IS NULL OR id = ANY($2))',
    [transferId, only ?? null],
  );
  for (const l of links)
    await t.q('UPDATE transfer_links SET file = $2 WHERE id = $1', [
      l.id,
      sealer.sealJson('transfer_links.file', l.id, { cleared: true }),
    ]);
}

/**
 * A transfer that ends without acceptance (revoked, rejected, closed) keeps no copy of the file as
 * sent: neither the transfer's sealed copy nor any link's. The school's own records stay.
 */
export async function dropSentCopies(
  t: Pick<SchoolTx, 'q' | 'sealer'>,
  transferId: string,
): Promise<void> {
  await t.q('UPDATE transfers SET sent_file = NULL WHERE id = $1', [transferId]);
  await clearLinkCopies(t, transferId);
}

/** Applies the school's setting to a transfer just accepted (in the accepting transaction). */
export async function keepAfterAcceptance(t: SchoolTx, transferId: string): Promise<void> {
  const [row] = await t.q<{ sent_file: Buffer | null; dob: string | null }>(
    `SELECT x.sent_file, p.date_of_birth::text AS dob
     FROM transfers x JOIN pupils p ON p.id = x.pupil_id WHERE x.id = $1`,
    [transferId],
  );
  if (!row) return;
  const rule = (await schoolSchedule(t.db)).transferred_file;
  const kept: TransferKeeps = rule.transferKeeps ?? 'sealed_copy';
  const until = row.dob ? addYears(row.dob, rule.years) : null;
  const sealer = await t.sealer();
  const file = row.sent_file
    ? sealer.openJson<TransferFile>('transfers.sent_file', transferId, row.sent_file)
    : null;
  const keptFile =
    kept === 'nothing' || !file ? null : kept === 'chronology_only' ? chronologyOnly(file) : file;
  await t.q(`UPDATE transfers SET kept = $2, kept_until = $3, sent_file = $4 WHERE id = $1`, [
    transferId,
    kept,
    kept === 'nothing' ? null : until,
    keptFile ? sealer.sealJson('transfers.sent_file', transferId, keptFile) : null,
  ]);
  // A link's page no longer serves the file once receipted: its copy goes.
  await clearLinkCopies(t, transferId);
  await t.audit({
    action: 'transfer.kept',
    targetType: 'transfer',
    targetId: transferId,
    details: { kept, until: kept === 'nothing' ? 'none' : (until ?? 'unknown') },
  });
}

/**
 * The kept copies whose date has come, under the school's transferred_file rule, each in the
 * school's transaction. The date is the later of kept_until (set at acceptance) and the date the
 * rule gives now from the pupil's current date of birth (as the retention sweep computes it), so a
 * corrected birth date or a longer period keeps a copy longer, never shorter; a copy kept "until" a
 * date is kept through that day in England. A copy whose pupil has no date of birth has no date,
 * and stays. A copy a live legal hold covers (a hold on the pupil, or on any record about them,
 * standing holds included: heldRecords) stays, whatever the rule, and is looked at again on the next daily run.
 * Then, by the rule's action:
 * - `destroy`: the copy is emptied (kept_removed_at), audited transfer.kept_copy_expired.
 * - `review` (the default), or `anonymise` (a file as sent cannot be anonymised): the copy is kept
 *   and marked due for review (kept_review_due_on), shown on the transfer page and audited
 *   transfer.kept_copy_review_due, once. It is NOT put in the retention review queue: that queue
 *   (retention_reviews, its two-approver destruction and certificate in destroy.ts and migration
 *   0030) is built on concerns (a review names a concern, lists its pupils and categories, and
 *   destroys it through the concerns' own SQL function); taking a transfer's kept copy would be a
 *   large change of its own. Until then the copy stays until the school changes the rule to
 *   `destroy` (the next night's run then removes it) — see docs/RETENTION.md.
 * Idempotent: a removed copy has no file, a marked one is not marked again. Answers how many copies
 * were removed or marked.
 */
export async function expireKeptCopies(t: SchoolTx): Promise<number> {
  // Before anything decides a disposal, as the sweep and destruction do: a school whose standing
  // holds were never placed (the sweep not yet run) must not lose a sexual-abuse record's copy.
  await ensureStandingHolds(t);
  const rule = (await schoolSchedule(t.db)).transferred_file;
  const today = englandDay(t.now);
  const destroy = rule.action === 'destroy';
  // A coarse bound in SQL (kept_until passed, or never known); the exact date is the rule's.
  const candidates = await t.q<{
    id: string;
    pupil_id: string;
    kept: string;
    kept_until: string | null;
    dob: string | null;
  }>(
    `SELECT x.id, x.pupil_id, x.kept, x.kept_until::text AS kept_until,
       p.date_of_birth::text AS dob
     FROM transfers x JOIN pupils p ON p.id = x.pupil_id
     WHERE x.sent_file IS NOT NULL AND x.state = 'accepted'
       AND (x.kept_until IS NULL OR x.kept_until < $1::date)
       AND ($2 OR x.kept_review_due_on IS NULL)
     ORDER BY x.kept_until, x.id`,
    [today, destroy],
  );
  let done = 0;
  for (const copy of candidates) {
    const ruled = dueDate(rule, { dateOfBirth: copy.dob });
    if (!ruled.known) continue;
    const on = copy.kept_until && copy.kept_until > ruled.date ? copy.kept_until : ruled.date;
    if (on >= today) continue;
    const records = await t.q<{ concern_id: string }>(
      'SELECT concern_id FROM concern_pupils WHERE pupil_id = $1',
      [copy.pupil_id],
    );
    const onPupil = await t.q(
      `SELECT 1 FROM retention_holds WHERE lifted_at IS NULL AND pupil_id = $1 LIMIT 1`,
      [copy.pupil_id],
    );
    const held = await heldRecords(
      t.db,
      records.map((r) => r.concern_id),
    );
    if (onPupil.length > 0 || held.size > 0) continue;
    if (destroy) {
      const gone = await t.q(
        `UPDATE transfers SET sent_file = NULL, kept_removed_at = $2
         WHERE id = $1 AND sent_file IS NOT NULL RETURNING id`,
        [copy.id, t.now],
      );
      if (gone.length === 0) continue;
      await t.audit({
        action: 'transfer.kept_copy_expired',
        targetType: 'transfer',
        targetId: copy.id,
        details: { kept: copy.kept, until: on },
      });
    } else {
      const marked = await t.q(
        `UPDATE transfers SET kept_review_due_on = $2
         WHERE id = $1 AND sent_file IS NOT NULL AND kept_review_due_on IS NULL RETURNING id`,
        [copy.id, on],
      );
      if (marked.length === 0) continue;
      await t.audit({
        action: 'transfer.kept_copy_review_due',
        targetType: 'transfer',
        targetId: copy.id,
        details: { kept: copy.kept, until: on },
      });
    }
    done++;
  }
  return done;
}

/** Opens the kept copy with a stated reason (recorded sealed, audited). */
export async function openKeptCopy(t: Tx, transferId: string, reason: string): Promise<KeptCopy> {
  const clean = reason.trim();
  if (clean === '')
    throw badRequest('Say why you are opening the kept copy: the reason is recorded.', 'reason');
  const [row] = await t.q<{
    state: string;
    kept: TransferKeeps | null;
    kept_until: string | null;
    sent_file: Buffer | null;
    kept_removed_at: Date | null;
  }>(
    `SELECT state, kept, kept_until::text, sent_file, kept_removed_at FROM transfers
     WHERE id = $1 FOR UPDATE`,
    [transferId],
  );
  if (!row) throw notFound('That transfer');
  if (row.state !== 'accepted' || row.kept === null)
    throw conflict('A kept copy exists only once the receiving school has confirmed receipt.');
  if (row.kept_removed_at)
    throw conflict(
      `The kept copy was removed on ${englandDay(row.kept_removed_at)}, when the date it was kept to (${row.kept_until ?? 'unknown'}) had passed.`,
    );
  if (row.kept === 'nothing' || !row.sent_file)
    throw conflict(
      "This school keeps nothing of a file once it is transferred (the retention schedule's setting).",
    );
  const sealer = await t.sealer();
  const id = randomUUID();
  await t.q(
    `INSERT INTO transfer_copy_openings (id, school_id, transfer_id, reason, opened_by, opened_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      id,
      t.schoolId,
      transferId,
      sealer.seal('transfer_copy_openings.reason', id, clean),
      t.actor.userId,
      t.now,
    ],
  );
  await t.audit({
    action: 'transfer.kept_copy_opened',
    targetType: 'transfer',
    targetId: transferId,
    details: { opening: id, kept: row.kept },
  });
  const file = sealer.openJson<TransferFile>('transfers.sent_file', transferId, row.sent_file);
  const openings = await t.q<{ id: string; reason: Buffer; name: string; opened_at: Date }>(
    `SELECT o.id, o.reason, coalesce(u.name, 'a former member') AS name, o.opened_at
     FROM transfer_copy_openings o LEFT JOIN users u ON u.id = o.opened_by
     WHERE o.transfer_id = $1 ORDER BY o.opened_at, o.id`,
    [transferId],
  );
  return {
    kept: row.kept,
    keptUntil: row.kept_until,
    items: file.items,
    withheld: file.withheld,
    manifestSha256: file.manifestSha256,
    openings: openings.map((o) => ({
      by: o.name,
      at: o.opened_at.toISOString(),
      reason: sealer.open('transfer_copy_openings.reason', o.id, o.reason),
    })),
  };
}
