// Referrals to outside agencies, on the clock: each copies its agency's expected response time
// when made, and referralStatus() (rules.ts) decides, at the moment of reading,
// whether it is awaiting, overdue, responded or closed — so `overdue` is the same everywhere a
// referral appears. The periodic job alerts the DSL team once when one goes overdue. A referral on
// a restricted matter the member is not granted (referralTouchesGranted, policy.ts) is read,
// listed and changed by no query here, and its sealed contact, reference and details are never
// opened for them: to them it is "not found", like an unknown id.
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { badRequest, conflict, notFound } from '../../core/errors.ts';
import { CLOCK_SKEW_MS } from '../../shared/limits.ts';
import type {
  NewFollowup,
  NewReferral,
  ReferralAction,
  ReferralDetail,
  ReferralView,
} from '../../shared/schemas/referrals.ts';
import { caseAllowed } from '../cases/policy.ts';
import { requireLinkableConcern, shareLinkableCase } from '../cases/service.ts';
import { referralAllowed, referralTouchesGranted } from './policy.ts';
import { referralDueAt, referralStatus } from './rules.ts';

/** The referral's sealed columns (src/platform/crypto/sealed-columns.ts). */
type SealedReferralField = 'contact' | 'reference' | 'details';

export async function listAgencies(t: Tx) {
  const rows = await t.q<{ id: string; name: string; expected_response_hours: number | null }>(
    `SELECT id, name, expected_response_hours FROM referral_agencies
     WHERE archived_at IS NULL ORDER BY name`,
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    expectedResponseHours: r.expected_response_hours,
  }));
}

export async function createReferral(t: Tx, r: NewReferral): Promise<string> {
  const referredAt = new Date(r.referredAt);
  if (referredAt.getTime() > t.now.getTime() + CLOCK_SKEW_MS)
    throw badRequest('The referral date cannot be in the future.', 'referred_in_future');
  const [pupil] = await t.q('SELECT id FROM pupils WHERE id = $1', [r.pupilId]);
  if (!pupil) throw badRequest('That pupil was not found.', 'unknown_pupil');
  const [agency] = await t.q<{ expected_response_hours: number | null }>(
    'SELECT expected_response_hours FROM referral_agencies WHERE id = $1 AND archived_at IS NULL',
    [r.agencyId],
  );
  if (!agency) throw badRequest('That agency was not found.', 'unknown_agency');
  // A concern or case on a restricted matter the member is not granted reads as unknown.
  if (r.concernId) await requireLinkableConcern(t, r.concernId);
  if (r.caseId) {
    const c = await shareLinkableCase(t, r.caseId);
    if (!caseAllowed(t.actor, c).includes('add_referral'))
      throw conflict('That case is closed: reopen it before adding a referral to it.');
  }
  const id = randomUUID();
  const sealer = await t.sealer();
  const seal = (field: SealedReferralField, v: string | undefined) =>
    v?.trim() ? sealer.seal(`referrals.${field}`, id, v.trim()) : null;
  const hours = agency.expected_response_hours;
  await t.q(
    `INSERT INTO referrals (id, school_id, pupil_id, concern_id, case_id, agency_id, referred_at,
       expected_response_hours, due_at, contact, reference, details, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [
      id,
      t.actor.schoolId,
      r.pupilId,
      r.concernId ?? null,
      r.caseId ?? null,
      r.agencyId,
      referredAt,
      hours,
      referralDueAt({ referredAt, respondedAt: null, closedAt: null }, hours),
      seal('contact', r.contact),
      seal('reference', r.reference),
      seal('details', r.details),
      t.actor.userId,
      t.now,
    ],
  );
  await t.audit({
    action: 'referral.created',
    targetType: 'referral',
    targetId: id,
    details: { pupil: r.pupilId },
  });
  return id;
}

type ReferralRow = {
  id: string;
  pupil_id: string;
  pupil_name: string;
  agency_name: string;
  concern_id: string | null;
  case_id: string | null;
  referred_at: Date;
  expected_response_hours: number | null;
  due_at: Date | null;
  contact: Buffer | null;
  reference: Buffer | null;
  details: Buffer | null;
  responded_at: Date | null;
  closed_at: Date | null;
  /** Who recorded the referral. */
  referred_by: string;
};

/** A referral as presentReferrals reads it; add the WHERE (the chronology reuses it too). */
export const SELECT_REFERRALS = `
  SELECT r.id, r.pupil_id, coalesce(p.preferred_name, p.first_name) || ' ' || p.last_name AS pupil_name,
         g.name AS agency_name, r.concern_id, r.case_id, r.referred_at, r.expected_response_hours,
         r.due_at, r.contact, r.reference, r.details, r.responded_at, r.closed_at,
         cu.name AS referred_by
  FROM referrals r JOIN pupils p ON p.id = r.pupil_id JOIN referral_agencies g ON g.id = r.agency_id
  JOIN users cu ON cu.id = r.created_by`;

export async function presentReferrals(t: Tx, rows: ReferralRow[]): Promise<ReferralView[]> {
  const sealer = await t.sealer();
  const open = (f: SealedReferralField, id: string, v: Buffer | null) =>
    v ? sealer.open(`referrals.${f}`, id, v) : null;
  return rows.map((r) => {
    const status = referralStatus(
      { referredAt: r.referred_at, respondedAt: r.responded_at, closedAt: r.closed_at },
      t.now,
      r.expected_response_hours,
    );
    return {
      id: r.id,
      pupil: { id: r.pupil_id, name: r.pupil_name },
      agency: r.agency_name,
      concernId: r.concern_id,
      caseId: r.case_id,
      referredAt: r.referred_at.toISOString(),
      dueAt: r.due_at?.toISOString() ?? null,
      contact: open('contact', r.id, r.contact),
      reference: open('reference', r.id, r.reference),
      details: open('details', r.id, r.details),
      respondedAt: r.responded_at?.toISOString() ?? null,
      closedAt: r.closed_at?.toISOString() ?? null,
      status,
      overdue: status === 'overdue',
      allowed: referralAllowed(t.actor, { respondedAt: r.responded_at, closedAt: r.closed_at }),
    };
  });
}

export async function listReferrals(
  t: Tx,
  opts: { pupilId?: string; overdueOnly?: boolean; limit: number },
): Promise<ReferralView[]> {
  const params: unknown[] = [];
  const touch = referralTouchesGranted(t.actor, 1);
  params.push(...touch.params);
  const where = [touch.sql];
  if (opts.pupilId) {
    params.push(opts.pupilId);
    where.push(`r.pupil_id = $${params.length}`);
  }
  if (opts.overdueOnly) {
    params.push(t.now);
    where.push(`r.responded_at IS NULL AND r.closed_at IS NULL AND r.due_at <= $${params.length}`);
  }
  params.push(opts.limit);
  const rows = await t.q<ReferralRow>(
    `${SELECT_REFERRALS} WHERE ${where.join(' AND ')} ORDER BY r.referred_at DESC LIMIT $${params.length}`,
    params,
  );
  return presentReferrals(t, rows);
}

/**
 * One audit entry for a list of referrals shown (sealed contact, reference and details, and a
 * pupil's name each): the ids shown, in the list's transaction. Nothing shown, nothing recorded.
 */
export async function auditReferralsShown(
  t: Tx,
  shown: readonly { id: string }[],
  pupilId?: string,
): Promise<void> {
  if (shown.length === 0) return;
  await t.audit({
    action: 'referral.listed',
    targetType: pupilId ? 'pupil' : 'referral',
    ...(pupilId ? { targetId: pupilId } : {}),
    details: { referrals: shown.map((r) => r.id) },
  });
}

export async function getReferral(t: Tx, id: string): Promise<ReferralDetail> {
  const touch = referralTouchesGranted(t.actor, 2);
  const [row] = await t.q<ReferralRow>(`${SELECT_REFERRALS} WHERE r.id = $1 AND ${touch.sql}`, [
    id,
    ...touch.params,
  ]);
  if (!row) throw notFound('That referral');
  await t.audit({ action: 'referral.viewed', targetType: 'referral', targetId: id });
  const [view] = await presentReferrals(t, [row]);
  const sealer = await t.sealer();
  const followups = await t.q<{
    id: string;
    kind: string;
    at: Date;
    by_name: string;
    note: Buffer;
  }>(
    `SELECT f.id, f.kind, f.at, u.name AS by_name, f.note FROM referral_followups f
     JOIN users u ON u.id = f.by_id WHERE f.referral_id = $1 ORDER BY f.at, f.id`,
    [id],
  );
  return {
    ...view!,
    followups: followups.map((f) => ({
      id: f.id,
      kind: f.kind,
      at: f.at.toISOString(),
      by: f.by_name,
      note: sealer.open('referral_followups.note', f.id, f.note),
    })),
  };
}

export async function addFollowup(t: Tx, referralId: string, f: NewFollowup): Promise<void> {
  await lockFor(t, referralId, 'add_followup', 'That referral is closed.');
  const note = f.note.trim();
  if (!note) throw badRequest('Write what was said or sent.', 'empty_note');
  const at = f.at ? new Date(f.at) : t.now;
  if (at.getTime() > t.now.getTime() + CLOCK_SKEW_MS)
    throw badRequest('A follow-up cannot be dated in the future.', 'in_future');
  const id = randomUUID();
  const sealer = await t.sealer();
  await t.q(
    `INSERT INTO referral_followups (id, school_id, referral_id, kind, at, by_id, note)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      id,
      t.actor.schoolId,
      referralId,
      f.kind,
      at,
      t.actor.userId,
      sealer.seal('referral_followups.note', id, note),
    ],
  );
  await t.audit({
    action: 'referral.followup_added',
    targetType: 'referral',
    targetId: referralId,
  });
}

/** The referral, locked, when the policy allows `action` on it now; 404 or 409 otherwise. */
async function lockFor(t: Tx, id: string, action: ReferralAction, refusal: string) {
  const touch = referralTouchesGranted(t.actor, 2);
  const [row] = await t.q<{ referred_at: Date; responded_at: Date | null; closed_at: Date | null }>(
    `SELECT r.referred_at, r.responded_at, r.closed_at FROM referrals r
     WHERE r.id = $1 AND ${touch.sql} FOR UPDATE OF r`,
    [id, ...touch.params],
  );
  if (!row) throw notFound('That referral');
  const allowed = referralAllowed(t.actor, {
    respondedAt: row.responded_at,
    closedAt: row.closed_at,
  });
  if (!allowed.includes(action)) throw conflict(refusal);
  return row;
}

export async function setReferralStatus(
  t: Tx,
  id: string,
  status: 'responded' | 'closed',
  at?: string,
) {
  const row = await lockFor(
    t,
    id,
    status === 'responded' ? 'record_response' : 'close',
    status === 'responded'
      ? 'The response to that referral is already recorded, or the referral is closed.'
      : 'That referral is closed.',
  );
  const when = at ? new Date(at) : t.now;
  if (when.getTime() > t.now.getTime() + CLOCK_SKEW_MS)
    throw badRequest('That date cannot be in the future.', 'in_future');
  if (when < row.referred_at)
    throw badRequest('That date cannot be before the referral was made.', 'before_referral');
  if (status === 'responded') {
    await t.q('UPDATE referrals SET responded_at = $2 WHERE id = $1', [id, when]);
  } else {
    await t.q('UPDATE referrals SET closed_at = $2 WHERE id = $1', [id, when]);
  }
  await t.audit({
    action: 'referral.updated',
    targetType: 'referral',
    targetId: id,
    details: { status },
  });
}
