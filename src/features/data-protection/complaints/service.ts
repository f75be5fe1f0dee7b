// Complaints (issue 17): received through the public form (a visitor's transaction in the school:
// no account, audited as anonymous), kept sealed, acknowledged within 30 days and answered with a
// dated response by the register's holders, every view audited.
import { randomUUID } from 'node:crypto';
import type { Tx, VisitorTx } from '../../../core/context.ts';
import { conflict, DomainError, notFound } from '../../../core/errors.ts';
import { addDays } from '../../../shared/calendar.ts';
import { can } from '../../../core/access/actor.ts';
import type { Complaint, NewComplaint } from '../../../shared/schemas/data-protection.ts';
import { todayInEngland } from '../requests/load.ts';
import {
  addressDigest,
  checkChallenge,
  COMPLAINTS_PER_HOUR,
  SCHOOL_COMPLAINTS_PER_HOUR,
} from './challenge.ts';

/**
 * Audits a refused public complaint at most once per sender per hour (the first refusal in the
 * hour; dp_complaint_refusals remembers it), so forged forms cannot grow the audit chain.
 */
export async function auditComplaintRefusal(
  t: VisitorTx,
  ip: string | null,
  reason: string,
): Promise<void> {
  const digest = addressDigest((await t.sealer()).searchKey, ip);
  const hour = new Date(Math.floor(t.now.getTime() / 3_600_000) * 3_600_000);
  const first = await t.q(
    `INSERT INTO dp_complaint_refusals (school_id, address_digest, window_start)
     VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1`,
    [t.schoolId, digest, hour],
  );
  if (first.length > 0) await t.audit({ action: 'dp.complaint_refused', details: { reason } });
}

const ACKNOWLEDGE_DAYS = 30;

export const tooMany = () =>
  new DomainError(
    'too_many_attempts',
    'too_many_complaints',
    'Several complaints have been sent from here in the last hour. Please try again later.',
    { retryAfterSeconds: 3600 },
  );

export const schoolBusy = () =>
  new DomainError(
    'too_many_attempts',
    'school_complaints_busy',
    'This school has received many complaints in the last hour. Please try again later.',
    { retryAfterSeconds: 3600 },
  );

/**
 * Serialises the count-then-insert for one school: without it, concurrent requests would all
 * read the same count and all pass. A transaction-scoped lock, so it is released on commit or
 * rollback (PGlite has it too). School-wide rather than per sender so the school's ceiling holds.
 */
const lockSchoolComplaints = (t: VisitorTx) =>
  t.q("SELECT pg_advisory_xact_lock(hashtext('dp_complaints:' || $1::text))", [t.schoolId]);

export async function receiveComplaint(
  t: VisitorTx,
  ip: string | null,
  body: NewComplaint,
): Promise<string> {
  const sealer = await t.sealer();
  const nonce = checkChallenge(sealer.searchKey, t.schoolId, t.now, body.challenge, body.counter);
  const digest = addressDigest(sealer.searchKey, ip);
  await lockSchoolComplaints(t);
  const [recent] = await t.q<{ sender: number; school: number }>(
    `SELECT count(*) FILTER (WHERE address_digest = $1)::int AS sender, count(*)::int AS school
     FROM dp_complaints WHERE received_at > $2`,
    [digest, new Date(t.now.getTime() - 3_600_000)],
  );
  if ((recent?.sender ?? 0) >= COMPLAINTS_PER_HOUR) throw tooMany();
  if ((recent?.school ?? 0) >= SCHOOL_COMPLAINTS_PER_HOUR) throw schoolBusy();
  const id = randomUUID();
  const acknowledgeBy = addDays(todayInEngland(t.now), ACKNOWLEDGE_DAYS);
  // ON CONFLICT: a spent challenge is a 409 even when two copies race past any earlier check.
  const inserted = await t.q(
    `INSERT INTO dp_complaints (id, school_id, received_at, complainant, contact, details,
       acknowledge_by, address_digest, challenge_nonce)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (school_id, challenge_nonce) DO NOTHING RETURNING id`,
    [
      id,
      t.schoolId,
      t.now,
      sealer.seal('dp_complaints.complainant', id, body.complainant),
      sealer.seal('dp_complaints.contact', id, body.contact),
      sealer.seal('dp_complaints.details', id, body.details),
      acknowledgeBy,
      digest,
      nonce,
    ],
  );
  if (inserted.length === 0)
    throw conflict('This form has already been sent. Reload the page to send another.');
  await t.audit({
    action: 'dp.complaint_received',
    targetType: 'dp_complaint',
    targetId: id,
    details: { dueOn: acknowledgeBy },
  });
  return acknowledgeBy;
}

type Row = {
  id: string;
  received_at: Date;
  complainant: Buffer;
  contact: Buffer;
  details: Buffer;
  acknowledge_by: string;
  acknowledged_on: string | null;
  response: Buffer | null;
  responded_on: string | null;
};

export async function listComplaints(t: Tx): Promise<Complaint[]> {
  const rows = await t.q<Row>(
    `SELECT id, received_at, complainant, contact, details, acknowledge_by::text AS acknowledge_by,
       acknowledged_on::text AS acknowledged_on, response, responded_on::text AS responded_on
     FROM dp_complaints ORDER BY (responded_on IS NOT NULL), received_at DESC, id`,
  );
  const sealer = await t.sealer();
  const today = todayInEngland(t.now);
  await t.audit({ action: 'dp.complaints_viewed', details: { count: rows.length } });
  const may = can(t.actor, 'data_protection');
  return rows.map((r) => ({
    id: r.id,
    receivedAt: r.received_at.toISOString(),
    complainant: sealer.open('dp_complaints.complainant', r.id, r.complainant),
    contact: sealer.open('dp_complaints.contact', r.id, r.contact),
    details: sealer.open('dp_complaints.details', r.id, r.details),
    acknowledgeBy: r.acknowledge_by,
    acknowledgedOn: r.acknowledged_on,
    response: r.response === null ? null : sealer.open('dp_complaints.response', r.id, r.response),
    respondedOn: r.responded_on,
    overdue: r.acknowledged_on === null && r.acknowledge_by < today,
    allowed: !may
      ? []
      : [
          ...(r.acknowledged_on === null ? (['acknowledge'] as const) : []),
          ...(r.responded_on === null ? (['respond'] as const) : []),
        ],
  }));
}

async function lockComplaint(t: Tx, id: string) {
  const [r] = await t.q<{ acknowledged: boolean; responded: boolean }>(
    `SELECT acknowledged_on IS NOT NULL AS acknowledged, responded_on IS NOT NULL AS responded
     FROM dp_complaints WHERE id = $1 FOR UPDATE`,
    [id],
  );
  if (!r) throw notFound('That complaint');
  return r;
}

export async function acknowledgeComplaint(t: Tx, id: string): Promise<void> {
  if ((await lockComplaint(t, id)).acknowledged)
    throw conflict('That complaint has already been acknowledged.');
  await t.q('UPDATE dp_complaints SET acknowledged_on = $2, handled_by = $3 WHERE id = $1', [
    id,
    todayInEngland(t.now),
    t.actor.userId,
  ]);
  await t.audit({ action: 'dp.complaint_acknowledged', targetType: 'dp_complaint', targetId: id });
}

export async function respondToComplaint(t: Tx, id: string, response: string): Promise<void> {
  const r = await lockComplaint(t, id);
  if (r.responded) throw conflict('That complaint has already been answered.');
  const today = todayInEngland(t.now);
  await t.q(
    `UPDATE dp_complaints SET response = $2, responded_on = $3, handled_by = $4,
       acknowledged_on = coalesce(acknowledged_on, $3) WHERE id = $1`,
    [id, (await t.sealer()).seal('dp_complaints.response', id, response), today, t.actor.userId],
  );
  await t.audit({ action: 'dp.complaint_answered', targetType: 'dp_complaint', targetId: id });
}
