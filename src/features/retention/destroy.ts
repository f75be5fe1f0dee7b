// Destroying an approved batch of records (issue 15), all or none, in one transaction, with its
// certificate of destruction. What this protects: nothing is destroyed unless its review is
// approved (a DSL-team approval and a headteacher-or-DPO approval, two people) and no legal hold
// covers it at the moment of destruction — a hold committed a moment earlier wins. So the work
// first takes the school's audit head (which every change of the school, placing a hold included,
// holds from its audit append to its commit), then locks the reviews, then asks the holds afresh.
// Each refusal names what is wrong, changes nothing, and is audited by the route (refusals.ts).
// The deleting itself is one database function (migration 0030) that checks the same again and
// is the only way lantern_app can delete a record. To change safely: keep the checks here and in
// the function in step, and destroy.test.ts passing on both engines.
import { createHash, randomUUID } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { canonicalJson } from '../../platform/audit/chain.ts';
import type { RetentionKind } from '../../shared/retention.ts';
import type { DestroyBatch, Destroyed } from '../../shared/schemas/retention.ts';
import { ensureStandingHolds, heldRecords } from './holds.ts';
import { mayDestroy, notADestroyer, retentionDecidersOf, type ApprovalCapacity } from './policy.ts';
import { schoolSchedule } from './schedule-service.ts';
import { foldRollup, lockFold } from '../reports/rollup.ts';

/** How records are destroyed, as each certificate states it. */
export const DESTRUCTION_METHOD =
  'deleted rows, attachments and search tokens; backups keep sealed copies until they expire — ' +
  'see docs/RETENTION.md';

/** What a certificate certifies: ids, kinds, pseudonymous subjects, rule, approvers, dates. */
export type CertificateBody = {
  version: 1;
  certificate: string;
  school: string;
  destroyedAt: string;
  destroyedBy: string;
  method: string;
  records: {
    record: string;
    review: string;
    kind: RetentionKind;
    rule: { kind: RetentionKind; trigger: string; years: number; action: string };
    dueOn: string;
    /** HMAC of each pupil's id under a key derived from the school's search key. */
    subjects: string[];
    approvals: { approver: string; capacity: ApprovalCapacity; at: string }[];
  }[];
};

type ReviewRow = {
  id: string;
  concern_id: string;
  kind: RetentionKind;
  status: 'pending' | 'approved' | 'kept' | 'held' | 'destroyed';
  due_on: string;
  pupils: string[] | null;
  approvals: { approver: string; capacity: ApprovalCapacity; at: string }[] | null;
};

const refusal = (kind: 'conflict' | 'not_found', code: string, message: string) =>
  new DomainError(kind, code, message);

const some = (n: number, one: string, many: string) => (n === 1 ? one : many.replace('#', `${n}`));

/** Destroys the batch's records and writes its certificate; answers the certificate. */
export async function destroyBatch(t: Tx, body: DestroyBatch): Promise<Destroyed> {
  const ids = [...new Set(body.reviews)];
  if (!mayDestroy(await retentionDecidersOf(t.db, t.actor.userId))) throw notADestroyer();
  // The reviews first, then the school's audit head — the order a review's keep, hold or approval
  // takes them in (its row, then the head at its audit), so the two never deadlock. A hold being
  // placed now either committed before the head is taken (and is seen below) or waits for this.
  const rows = await t.q<ReviewRow>(
    `SELECT r.id, r.concern_id, r.kind, r.status, r.due_on::text AS due_on,
       (SELECT array_agg(cp.pupil_id::text ORDER BY cp.pupil_id) FROM concern_pupils cp
         WHERE cp.concern_id = r.concern_id) AS pupils,
       (SELECT json_agg(json_build_object('approver', a.approver_id, 'capacity', a.capacity,
          'at', a.approved_at) ORDER BY a.approved_at, a.approver_id)
          FROM retention_approvals a WHERE a.review_id = r.id) AS approvals
     FROM retention_reviews r WHERE r.id = ANY($1::uuid[])
     ORDER BY r.concern_id FOR UPDATE OF r`,
    [ids],
  );
  // The reports fold's lock before the audit head: the fold below would otherwise wait for a
  // running fold (the job) while holding the school's audit head, stalling every audited write.
  await lockFold(t);
  await t.q('SELECT 1 FROM audit_heads WHERE school_id = $1 FOR UPDATE', [t.schoolId]);
  await ensureStandingHolds(t);
  const missing = ids.length - rows.length;
  if (missing > 0)
    throw refusal(
      'not_found',
      'not_in_queue',
      `${some(missing, 'One record', '# records')} of this batch ${some(missing, 'is', 'are')} not in this school’s review queue. Nothing was destroyed.`,
    );
  const gone = rows.filter((r) => r.status === 'destroyed').length;
  if (gone > 0)
    throw refusal(
      'conflict',
      'already_destroyed',
      `${some(gone, 'One record', '# records')} of this batch ${some(gone, 'has', 'have')} already been destroyed. Nothing was destroyed.`,
    );
  const decided = rows.filter((r) => r.status === 'kept' || r.status === 'held').length;
  if (decided > 0)
    throw refusal(
      'conflict',
      'not_in_queue',
      `${some(decided, 'One record', '# records')} of this batch ${some(decided, 'was', 'were')} kept or held, and ${some(decided, 'is', 'are')} no longer waiting for destruction. Nothing was destroyed.`,
    );
  const unapproved = rows.filter(
    (r) =>
      r.status !== 'approved' ||
      !(r.approvals ?? []).some((a) => a.capacity === 'dsl_team') ||
      !(r.approvals ?? []).some((a) => a.capacity !== 'dsl_team'),
  ).length;
  if (unapproved > 0)
    throw refusal(
      'conflict',
      'not_approved',
      `${some(unapproved, 'One record', '# records')} of this batch ${some(unapproved, 'does', 'do')} not have both approvals yet: destroying needs the DSL team’s and the headteacher’s or the data-protection officer’s, from two different people. Nothing was destroyed.`,
    );
  const holds = await heldRecords(
    t.db,
    rows.map((r) => r.concern_id),
  );
  const [firstHeld] = holds.values();
  if (firstHeld?.[0]) {
    const h = firstHeld[0];
    throw refusal(
      'conflict',
      'held',
      `${some(holds.size, 'One record', '# records')} of this batch ${some(holds.size, 'is', 'are')} under a legal hold (${h.matter.replace('_', ' ')}, placed by ${h.placedBy ?? 'Lantern as a standing hold'}): ${some(holds.size, 'it', 'they')} cannot be destroyed while the hold lasts. Nothing was destroyed.`,
    );
  }

  const certificate = await certify(t, rows);
  await t.q(
    `INSERT INTO retention_certificates (id, school_id, destroyed_at, destroyed_by, records, body,
       sha256) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      certificate.id,
      t.schoolId,
      t.now,
      t.actor.userId,
      rows.length,
      certificate.json,
      certificate.sha256,
    ],
  );
  await t.q('SELECT lantern_destroy_records($1::uuid[], $2, $3, $4)', [
    rows.map((r) => r.id),
    certificate.id,
    t.actor.userId,
    t.now,
  ]);
  // The reports' rollup took each record's count away as it went; folding now, in this
  // transaction, leaves nothing of them there (their days, pupils and categories) for a later fold.
  await foldRollup(t);
  await t.audit({
    action: 'retention.destroyed',
    targetType: 'retention_certificate',
    targetId: certificate.id,
    details: {
      certificate: certificate.id,
      sha256: certificate.sha256,
      reviews: rows.map((r) => r.id),
      records: rows.map((r) => r.concern_id),
    },
  });
  return { certificateId: certificate.id, sha256: certificate.sha256, records: rows.length };
}

/** The batch's certificate: its canonical JSON and that JSON's SHA-256. No record content. */
async function certify(t: Tx, rows: readonly ReviewRow[]) {
  const id = randomUUID();
  const schedule = await schoolSchedule(t.db);
  const sealer = await t.sealer();
  const body: CertificateBody = {
    version: 1,
    certificate: id,
    school: t.schoolId,
    destroyedAt: t.now.toISOString(),
    destroyedBy: t.actor.userId,
    method: DESTRUCTION_METHOD,
    records: rows.map((r) => {
      const rule = schedule[r.kind];
      return {
        record: r.concern_id,
        review: r.id,
        kind: r.kind,
        rule: { kind: rule.kind, trigger: rule.trigger, years: rule.years, action: rule.action },
        dueOn: r.due_on,
        subjects: (r.pupils ?? []).map((p) => sealer.digest('destruction-subject', p)).sort(),
        approvals: (r.approvals ?? []).map((a) => ({
          approver: a.approver,
          capacity: a.capacity,
          at: new Date(a.at).toISOString(),
        })),
      };
    }),
  };
  const json = canonicalJson(body);
  const sha256 = createHash('sha256').update(json, 'utf8').digest('hex');
  return { id, json, sha256 };
}

/** A certificate's stored body, checked against its digest (a mismatch is a fault, never shown). */
export function readCertificate(row: { body: string; sha256: string }): CertificateBody {
  const digest = createHash('sha256').update(row.body, 'utf8').digest('hex');
  if (digest !== row.sha256)
    throw new Error('A certificate of destruction does not match its digest');
  return JSON.parse(row.body) as CertificateBody;
}

export const noCertificate = () => notFound('That certificate of destruction');
