// Deleting a school that has left (issue 15): confirmed first, then scheduled within 30 days, then
// carried out — every row of the school in every table, its keys (data and search: without them
// any copy of its sealed rows, in a backup too, is unreadable), its search tokens, its files (kept
// sealed in the database: attachment blobs, plan documents, subject-access packs) and its audit
// chain — leaving a certificate in school_deletions, which has no school_id and outlives it.
// What this protects: nothing is deleted until the school has typed back the code found only
// inside its export (or an operator gives a reason and confirms an override), and other schools
// are untouched: only rows whose school_id is this school's are deleted; another school's link to
// it (a transfer it received from it) loses only that link. Every refusal is audited in the
// school's chain. To change safely: keep the walk generic (tables.ts) and school-exit.test.ts's
// every-uuid-column check passing on both engines.
import { createHash, randomUUID } from 'node:crypto';
import { verify as argon2Verify } from '@node-rs/argon2';
import type { Services } from '../../platform/services.ts';
import type { Queryable } from '../../platform/db/engine.ts';
import { canonicalJson } from '../../platform/audit/chain.ts';
import type { AuditEvent } from '../../platform/audit/catalogue.ts';
import { asSystem, unsafeAsOperator } from '../../core/context.ts';
import { DomainError } from '../../core/errors.ts';
import { deletionOrder, ident, schoolReferences, tenantTables } from './tables.ts';
import { canonicalCode } from './archive.ts';
import { requireSchoolId, schoolNamed } from './export.ts';
import { archiveOf, expireAppExports } from './app-export.ts';
import { rm } from 'node:fs/promises';

/** The seeds' promise: deleted within 30 days of the school asking. */
export const DELETION_WITHIN_DAYS = 30;
const DAY_MS = 86_400_000;

export type DeletionCertificate = {
  version: 1;
  deletion: string;
  school: string;
  schoolName: string;
  requestedAt: string;
  requestedBy: string;
  basis: 'confirmed_export' | 'override';
  export: string | null;
  deletedAt: string;
  deletedBy: string;
  /** Rows deleted, per table (tables with none left out). */
  rows: Record<string, number>;
  /** Files held sealed in the database, deleted with their rows. */
  files: { attachments: number; medicalPlans: number; subjectAccessPacks: number };
  keysDestroyed: { purpose: string; version: number }[];
  searchTokens: number;
  auditEntries: number;
  /** Other schools' rows whose link to this school was cleared: table.column → count. */
  linksCleared: Record<string, number>;
  /** Files other schools had sent it and it never accepted, closed in their senders' trails. */
  transfersClosed?: number;
};

/** The reason a sender's DSL reads on a file the leaving school never accepted. */
export function closedBecauseLeft(schoolName: string, at: Date): string {
  return (
    `Marked failed by Lantern on ${at.toISOString().slice(0, 10)}: the receiving school, ${schoolName}, ` +
    'left Lantern and its data was deleted before it accepted this file, so the file did not ' +
    "reach it. Send the file to the pupil's new school by another secure means, then close this " +
    'transfer saying how it was sent.'
  );
}

export type ScheduledDeletion = {
  id: string;
  school: string;
  schoolName: string;
  requestedAt: Date;
  requestedBy: string;
  dueBy: Date;
  basis: 'confirmed_export' | 'override';
  deletedAt: Date | null;
  certificateSha256: string | null;
};

const refuse = (code: string, message: string) => new DomainError('conflict', code, message);

/** The exit's own events: written by the exit itself, so they never count as the school's use. */
const EXIT_EVENTS = [
  'school.exported',
  'school.export_confirmed',
  'school.export_confirm_refused',
  'school.delete_refused',
  'school.deletion_scheduled',
  'school.export_requested',
  'school.export_ready',
  'school.export_downloaded',
  'school.export_download_refused',
  'school.export_expired',
  // Lantern's own upkeep, which changes nothing the school wrote: the search index rebuilt after
  // an upgrade (issue 14) would otherwise stop every pending deletion at its first run.
  'search.reindexed',
  // Another school's leaving marking a file this one sent it, never accepted, as failed.
  'transfer.failed',
];

/**
 * Entries in the school's audit trail since the export was taken, other than the exit's own: any
 * sign-in, read or record after it means the archive the school confirmed may not hold everything,
 * so a deletion on that export's strength would lose what was written since.
 */
async function usedSinceExport(q: Queryable, schoolId: string, exportId: string): Promise<number> {
  const [r] = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM audit_events
      WHERE school_id = $1 AND action <> ALL($3::text[])
        AND at > (SELECT exported_at FROM school_exports WHERE id = $2)`,
    [schoolId, exportId, EXIT_EVENTS],
  );
  return r?.n ?? 0;
}

const USED_SINCE_EXPORT =
  'The school has used Lantern since the export it confirmed, so that archive may not hold ' +
  'everything: export the school again (`lantern school export`), have the school confirm the new ' +
  'archive, and ask for the deletion again once the school has stopped using Lantern.';

/** Audits a refusal in the school's own chain (its own transaction: nothing else changes). */
async function auditRefusal(
  services: Services,
  schoolId: string,
  operator: string,
  event: AuditEvent,
): Promise<void> {
  await asSystem(services, schoolId, 'operator', operator).tx((t) => t.audit(event));
}

/** `lantern school confirm-export`: the code typed back marks the school's latest export opened. */
export async function confirmExport(
  services: Services,
  schoolIdGiven: string,
  typed: string,
  operator: string,
): Promise<{ exportId: string }> {
  const schoolId = requireSchoolId(schoolIdGiven);
  await schoolNamed(services, schoolId);
  const code = canonicalCode(typed);
  if (!code) {
    await auditRefusal(services, schoolId, operator, {
      action: 'school.export_confirm_refused',
      details: { reason: 'malformed_code' },
    });
    throw new DomainError(
      'invalid',
      'malformed_code',
      'That is not a confirmation code: it is 16 letters and digits in four groups (XXXX-XXXX-XXXX-XXXX), found in README.txt inside the export.',
    );
  }
  const exports = await unsafeAsOperator(services, operator, (t) =>
    t.q<{ id: string; code_hash: string }>(
      'SELECT id, code_hash FROM school_exports WHERE school_id = $1 ORDER BY exported_at DESC',
      [schoolId],
    ),
  );
  if (exports.length === 0) {
    await auditRefusal(services, schoolId, operator, {
      action: 'school.export_confirm_refused',
      details: { reason: 'no_export' },
    });
    throw refuse(
      'no_export',
      'This school has not been exported: run `lantern school export --school ID --out FILE` first.',
    );
  }
  for (const e of exports) {
    if (!(await argon2Verify(e.code_hash, code))) continue;
    await unsafeAsOperator(services, operator, async (t) => {
      await t.q(
        'UPDATE school_exports SET confirmed_at = coalesce(confirmed_at, $2) WHERE id = $1',
        [e.id, t.now],
      );
      await t.audit(schoolId, {
        action: 'school.export_confirmed',
        targetType: 'school',
        targetId: schoolId,
        details: { export: e.id },
      });
    });
    return { exportId: e.id };
  }
  await auditRefusal(services, schoolId, operator, {
    action: 'school.export_confirm_refused',
    details: { reason: 'wrong_code' },
  });
  // A mistyped code is bad input (400), as a malformed one is.
  throw new DomainError(
    'invalid',
    'wrong_code',
    "That code does not match any export of this school. Check it against README.txt inside the school's archive.",
  );
}

export type DeleteRequest = {
  /** Carry it out at once rather than by the nightly job. */
  now?: boolean;
  /** Delete without a confirmed export: the reason, and the explicit confirmation. */
  override?: { reason: string; confirmed: boolean };
  /** Days from now to carry it out (default and at most DELETION_WITHIN_DAYS). */
  inDays?: number;
};

/**
 * `lantern school delete`: refuses (audited) without a confirmed export or a confirmed override;
 * otherwise schedules the deletion (due within 30 days), or carries it out at once with `now`.
 */
export async function requestDeletion(
  services: Services,
  schoolIdGiven: string,
  req: DeleteRequest,
  operator: string,
): Promise<{ scheduled: ScheduledDeletion; certificate: DeletionCertificate | null }> {
  const schoolId = requireSchoolId(schoolIdGiven);
  const schoolName = await schoolNamed(services, schoolId);
  const inDays = req.inDays ?? DELETION_WITHIN_DAYS;
  if (!Number.isInteger(inDays) || inDays < 0 || inDays > DELETION_WITHIN_DAYS) {
    throw new DomainError(
      'invalid',
      'bad_days',
      `--in-days must be a whole number from 0 to ${DELETION_WITHIN_DAYS}.`,
    );
  }
  if (req.override) {
    const reason = req.override.reason.trim();
    if (reason.length < 10 || reason.length > 1000) {
      throw new DomainError(
        'invalid',
        'override_reason',
        'Give the reason for deleting without a confirmed export in 10 to 1000 characters.',
      );
    }
    if (!req.override.confirmed) {
      await auditRefusal(services, schoolId, operator, {
        action: 'school.delete_refused',
        details: { reason: 'override_unconfirmed' },
      });
      throw refuse(
        'override_unconfirmed',
        'Deleting without a confirmed export also needs --yes-delete-without-confirmed-export: the school may lose its data for good.',
      );
    }
  }
  const [confirmed] = await unsafeAsOperator(services, operator, (t) =>
    t.q<{ id: string }>(
      `SELECT id FROM school_exports WHERE school_id = $1 AND confirmed_at IS NOT NULL
       ORDER BY confirmed_at DESC LIMIT 1`,
      [schoolId],
    ),
  );
  if (!confirmed && !req.override) {
    await auditRefusal(services, schoolId, operator, {
      action: 'school.delete_refused',
      details: { reason: 'no_confirmed_export' },
    });
    throw refuse(
      'no_confirmed_export',
      'The school has not confirmed it opened its export. Export it (`lantern school export`), ' +
        'have the school read the confirmation code in README.txt inside the archive, and enter ' +
        'it with `lantern school confirm-export --school ID --code CODE`; or give --override ' +
        '"reason" with --yes-delete-without-confirmed-export.',
    );
  }
  if (confirmed && !req.override) {
    const used = await unsafeAsOperator(services, operator, (t) =>
      usedSinceExport(t.db, schoolId, confirmed.id),
    );
    if (used > 0) {
      await auditRefusal(services, schoolId, operator, {
        action: 'school.delete_refused',
        details: { reason: 'used_since_export' },
      });
      throw refuse('used_since_export', USED_SINCE_EXPORT);
    }
  }
  const basis = confirmed ? 'confirmed_export' : 'override';
  const scheduled = await unsafeAsOperator(services, operator, async (t) => {
    const dueBy = new Date(t.now.getTime() + (req.now ? 0 : inDays) * DAY_MS);
    const [row] = await t.q<{ id: string }>(
      `INSERT INTO school_deletions (id, school, school_name, requested_at, requested_by, due_by,
         basis, export_id, override_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (school) DO UPDATE SET due_by = least(school_deletions.due_by, EXCLUDED.due_by)
       WHERE school_deletions.deleted_at IS NULL
       RETURNING id`,
      [
        randomUUID(),
        schoolId,
        schoolName,
        t.now,
        operator,
        dueBy,
        basis,
        confirmed?.id ?? null,
        basis === 'override' ? req.override!.reason.trim() : null,
      ],
    );
    if (!row) throw refuse('already_deleted', 'This school has already been deleted.');
    await t.audit(schoolId, {
      action: 'school.deletion_scheduled',
      targetType: 'school',
      targetId: schoolId,
      details: { dueBy: dueBy.toISOString(), basis, now: req.now === true },
    });
    return row.id;
  });
  const certificate = req.now ? await carryOutDeletion(services, schoolId, operator) : null;
  const [view] = (await listDeletions(services)).filter((d) => d.id === scheduled);
  return { scheduled: view!, certificate };
}

/** Every deletion, scheduled or done, newest first: what the operator can see is coming. */
export async function listDeletions(services: Services): Promise<ScheduledDeletion[]> {
  const rows = await unsafeAsOperator(services, 'operator', (t) =>
    t.q<{
      id: string;
      school: string;
      school_name: string;
      requested_at: Date;
      requested_by: string;
      due_by: Date;
      basis: 'confirmed_export' | 'override';
      deleted_at: Date | null;
      certificate_sha256: string | null;
    }>(
      `SELECT id, school, school_name, requested_at, requested_by, due_by, basis, deleted_at,
         certificate_sha256 FROM school_deletions ORDER BY requested_at DESC`,
    ),
  );
  return rows.map((r) => ({
    id: r.id,
    school: r.school,
    schoolName: r.school_name,
    requestedAt: r.requested_at,
    requestedBy: r.requested_by,
    dueBy: r.due_by,
    basis: r.basis,
    deletedAt: r.deleted_at,
    certificateSha256: r.certificate_sha256,
  }));
}

/** The certificate of a deletion done (for `lantern school deletions --certificate`). */
export async function deletionCertificate(
  services: Services,
  schoolId: string,
): Promise<{ certificate: DeletionCertificate; sha256: string } | null> {
  const [row] = await unsafeAsOperator(services, 'operator', (t) =>
    t.q<{ certificate: DeletionCertificate; certificate_sha256: string }>(
      'SELECT certificate, certificate_sha256 FROM school_deletions WHERE school = $1 AND deleted_at IS NOT NULL',
      [requireSchoolId(schoolId)],
    ),
  );
  return row ? { certificate: row.certificate, sha256: row.certificate_sha256 } : null;
}

async function count(q: Queryable, table: string, schoolId: string): Promise<number> {
  const [r] = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${ident(table)} WHERE school_id = $1`,
    [schoolId],
  );
  return r?.n ?? 0;
}

/**
 * Deletes the school in one transaction (all or nothing) and writes its certificate. Only for a
 * school with a scheduled deletion (requestDeletion made it after the checks).
 */
export async function carryOutDeletion(
  services: Services,
  schoolId: string,
  operator: string,
): Promise<DeletionCertificate> {
  let appArchives: string[] = [];
  const certificate = await unsafeAsOperator(services, operator, async (t) => {
    const [due] = await t.q<{
      id: string;
      school_name: string;
      requested_at: Date;
      requested_by: string;
      basis: 'confirmed_export' | 'override';
      export_id: string | null;
    }>(
      `SELECT id, school_name, requested_at, requested_by, basis, export_id FROM school_deletions
       WHERE school = $1 AND deleted_at IS NULL FOR UPDATE`,
      [schoolId],
    );
    if (!due) throw refuse('not_scheduled', 'No deletion of this school is scheduled.');
    // Scheduled on a confirmed export: the school must not have used Lantern since (the wait can
    // be 30 days); if it has, nothing is deleted and the operator is told why.
    if (due.basis === 'confirmed_export' && due.export_id) {
      if ((await usedSinceExport(t.db, schoolId, due.export_id)) > 0)
        throw refuse('used_since_export', USED_SINCE_EXPORT);
    }
    const tables = (await tenantTables(t.db)).map((x) => x.name);
    // Archives asked for in the app that still lie in the data folder: deleted once this commits.
    appArchives = (
      await t.q<{ id: string }>('SELECT id FROM school_export_jobs WHERE school_id = $1', [
        schoolId,
      ])
    ).map((j) => j.id);
    const rows: Record<string, number> = {};
    for (const name of tables) {
      const n = await count(t.db, name, schoolId);
      if (n > 0) rows[name] = n;
    }
    const keys = await t.q<{ purpose: string; version: number }>(
      'SELECT purpose, version FROM school_keys WHERE school_id = $1 ORDER BY purpose, version',
      [schoolId],
    );
    // Files other schools sent to this one that it never accepted (sent, or seen only): their
    // senders' DSLs would otherwise see them waiting for ever on a receiver that no longer
    // exists. Each is marked FAILED (not closed: the duty to send the file is still open, and a
    // failed transfer offers the sender's DSL "close" once it was sent by other means), with a
    // reason saying so, sealed under the sender's key in closed_reason (shown on the transfer;
    // the DSL's own reason replaces it when they close it), and audited in the sender's own
    // trail (transfer.failed, reason receiver_left), in this transaction.
    const unreceived = await t.q<{ school_id: string; id: string; state: 'sent' | 'viewed' }>(
      `SELECT school_id, id, state FROM transfers
        WHERE receiver_school_id = $1 AND school_id <> $1 AND state IN ('sent', 'viewed')
        ORDER BY school_id, id FOR UPDATE`,
      [schoolId],
    );
    for (const x of unreceived) {
      const sealer = await services.keys.forSchool(t.db, x.school_id);
      const reason = closedBecauseLeft(due.school_name, t.now);
      await t.q(
        `UPDATE transfers SET state = 'failed', state_changed_at = $3, closed_reason = $4,
           sent_file = NULL
          WHERE school_id = $1 AND id = $2`,
        [x.school_id, x.id, t.now, sealer.seal('transfers.closed_reason', x.id, reason)],
      );
      await t.audit(x.school_id, {
        action: 'transfer.failed',
        targetType: 'transfer',
        targetId: x.id,
        details: { from: x.state, reason: 'receiver_left' },
      });
    }
    // Other schools' links to this one: cleared (the receiving school keeps its file).
    const linksCleared: Record<string, number> = {};
    for (const ref of await schoolReferences(t.db)) {
      const changed = await t.q<{ one: number }>(
        `UPDATE ${ident(ref.table)} SET ${ident(ref.column)} = NULL
         WHERE ${ident(ref.column)} = $1 AND school_id <> $1 RETURNING 1 AS one`,
        [schoolId],
      );
      if (changed.length > 0) linksCleared[`${ref.table}.${ref.column}`] = changed.length;
    }
    // A table before the tables it references; what a cycle leaves is taken on the next pass.
    let left = await deletionOrder(t.db, tables);
    for (let pass = 0; left.length > 0; pass++) {
      if (pass > 5) throw new Error(`could not delete the school's rows from ${left.join(', ')}`);
      const stuck: string[] = [];
      for (const name of left) {
        await t.q(`SAVEPOINT exit_delete`);
        try {
          await t.q(`DELETE FROM ${ident(name)} WHERE school_id = $1`, [schoolId]);
          await t.q(`RELEASE SAVEPOINT exit_delete`);
        } catch {
          await t.q(`ROLLBACK TO SAVEPOINT exit_delete`);
          stuck.push(name);
        }
      }
      left = stuck;
    }
    // Rows put back by a trigger while others went (a report roll-up) go in a last sweep.
    for (const name of tables) {
      if ((await count(t.db, name, schoolId)) > 0) {
        await t.q(`DELETE FROM ${ident(name)} WHERE school_id = $1`, [schoolId]);
      }
    }
    await t.q('DELETE FROM schools WHERE id = $1', [schoolId]);
    const body: DeletionCertificate = {
      version: 1,
      deletion: due.id,
      school: schoolId,
      schoolName: due.school_name,
      requestedAt: new Date(due.requested_at).toISOString(),
      requestedBy: due.requested_by,
      basis: due.basis,
      export: due.export_id,
      deletedAt: t.now.toISOString(),
      deletedBy: operator,
      rows,
      files: {
        attachments: rows.attachment_blobs ?? 0,
        medicalPlans: rows.medical_plans ?? 0,
        subjectAccessPacks: rows.dp_request_packs ?? 0,
      },
      keysDestroyed: keys.map((k) => ({ purpose: k.purpose, version: Number(k.version) })),
      searchTokens: rows.search_tokens ?? 0,
      auditEntries: rows.audit_events ?? 0,
      linksCleared,
      transfersClosed: unreceived.length,
    };
    const sha256 = createHash('sha256').update(canonicalJson(body)).digest('hex');
    await t.q(
      `UPDATE school_deletions SET deleted_at = $2, certificate = $3, certificate_sha256 = $4
       WHERE id = $1`,
      [due.id, t.now, JSON.stringify(body), sha256],
    );
    return body;
  });
  // The unwrapped keys this process held go too, and any archive left in the data folder.
  services.keys.forget(schoolId);
  for (const id of appArchives) await rm(archiveOf(services.config, id), { force: true });
  return certificate;
}

/**
 * The scheduled job's part (jobs/due-work.ts): every scheduled deletion whose day has come, each
 * in its own transaction; one that fails is logged by school id alone and tried on the next run.
 * `only` limits it to some schools (tests sharing a database).
 */
export async function runDueDeletions(
  services: Services,
  now: Date,
  only?: readonly string[],
): Promise<string[]> {
  // Archives asked for in the app and not downloaded within their 24 hours go first.
  await expireAppExports(services, now, only).catch((err: unknown) => {
    services.log.error(
      `school export expiry failed (${err instanceof Error ? err.name : 'error'}); will retry`,
    );
  });
  const due = await unsafeAsOperator(services, 'Lantern (scheduled)', (t) =>
    t.q<{ school: string }>(
      `SELECT school FROM school_deletions WHERE deleted_at IS NULL AND due_by <= $1
       ${only ? 'AND school = ANY($2::uuid[])' : ''} ORDER BY due_by`,
      only ? [now, [...only]] : [now],
    ),
  );
  const done: string[] = [];
  for (const d of due) {
    try {
      await carryOutDeletion(services, d.school, 'Lantern (scheduled)');
      done.push(d.school);
    } catch (err) {
      // The code only: a message could carry row data.
      const code =
        err instanceof DomainError ? err.code : err instanceof Error ? err.name : 'unknown';
      services.log.error(
        `school deletion not carried out for school ${d.school} (${code}); will retry on the next run`,
      );
    }
  }
  return done;
}
