// Pupil-level access by grant (issue 20). A school's DSL team grants a named member of its own
// trust time-limited access (at most TRUST_GRANT_MAX_DAYS, a stated reason required) to one
// pupil's record or to the school's records; revocable at once. Every grant, revocation and every
// read under a grant is audited in the school's own chain (the trust member as the actor for the
// reads). The reads themselves go through core/trust-context.ts `granted`, whose tenant only a
// live grant can set; the pupil limit of a pupil grant is the grant row's own pupil, checked here.
// To change safely: keep the checks (reason, length, the member's trust) before any write, and
// every refusal a clear message with nothing written.
import type { Tx } from '../../core/context.ts';
import { RefusedUnderGrant, type GrantedTx, type TrustTx } from '../../core/trust-context.ts';
import { badRequest, DomainError, forbidden, notFound } from '../../core/errors.ts';
import { HIDDEN_PUPIL } from '../concerns/policy.ts';
import { isDslTeamMember } from '../data-protection/dsl-team.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import {
  TRUST_GRANT_MAX_DAYS,
  type GrantPupils,
  type HeldGrant,
  type NewTrustGrant,
  type SchoolGrant,
  type SchoolGrants,
} from '../../shared/schemas/trust.ts';

const REASON = 'trust_grants.reason' as const;
type State = 'active' | 'expired' | 'revoked';
const stateOf = (revokedAt: Date | null, expiresAt: Date, now: Date): State =>
  revokedAt ? 'revoked' : expiresAt <= now ? 'expired' : 'active';

/**
 * Only the DSL team grants and revokes (and reads the list of grants): those who manage cases,
 * elevated (a second factor asked for otherwise), and in the DSL's or the deputies' group.
 */
export async function requireGrantor(t: Tx): Promise<void> {
  requireAbility(t.actor, 'case.manage');
  if (!(await isDslTeamMember(t.db, t.actor.userId))) {
    throw forbidden('Only the DSL team can give the trust access to records.');
  }
}

type GrantRow = {
  id: string;
  member: string;
  scope: 'pupil' | 'school';
  pupil: string | null;
  reason_sealed: Buffer;
  granted_by: string;
  granted_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
};

export async function listSchoolGrants(t: Tx): Promise<SchoolGrants> {
  await requireGrantor(t);
  const [trust] = await t.q<{ name: string }>(
    'SELECT tr.name FROM trusts tr JOIN schools s ON s.trust_id = tr.id WHERE s.id = $1',
    [t.schoolId],
  );
  const members = await t.q<{ id: string; name: string; role: SchoolGrants['members'][0]['role'] }>(
    `SELECT m.id, m.name, m.role FROM trust_members m
     WHERE m.status = 'active' ORDER BY m.name, m.id`,
  );
  const rows = await t.q<GrantRow>(
    `SELECT g.id, m.name AS member, g.scope,
            CASE WHEN p.id IS NULL THEN NULL
                 ELSE coalesce(p.preferred_name, p.first_name) || ' ' || p.last_name END AS pupil,
            g.reason_sealed, u.name AS granted_by, g.granted_at, g.expires_at, g.revoked_at
     FROM trust_grants g JOIN trust_members m ON m.id = g.member_id
     JOIN users u ON u.id = g.granted_by
     LEFT JOIN pupils p ON p.id = g.pupil_id
     ORDER BY g.granted_at DESC, g.id LIMIT 200`,
  );
  const sealer = await t.sealer();
  await t.audit({ action: 'trust.grants_listed', details: { grants: rows.length } });
  return {
    trust: trust?.name ?? null,
    members,
    maxDays: TRUST_GRANT_MAX_DAYS,
    items: rows.map((r): SchoolGrant => {
      const state = stateOf(r.revoked_at, r.expires_at, t.now);
      return {
        id: r.id,
        member: r.member,
        scope: r.scope,
        pupil: r.pupil,
        reason: sealer.open(REASON, r.id, Buffer.from(r.reason_sealed)),
        grantedBy: r.granted_by,
        grantedAt: r.granted_at.toISOString(),
        expiresAt: r.expires_at.toISOString(),
        state,
        allowed: { revoke: state === 'active' },
      };
    }),
  };
}

/** A new grant: refused, with nothing written, without a reason, beyond the maximum, or to a
 * member of another trust. */
export async function makeGrant(t: Tx, input: NewTrustGrant): Promise<{ id: string }> {
  await requireGrantor(t);
  const reason = input.reason.trim();
  if (reason.length === 0) {
    throw badRequest('Give the reason the trust needs this access.', 'reason_required');
  }
  if (input.days > TRUST_GRANT_MAX_DAYS) {
    throw badRequest(
      `Access can be given for at most ${TRUST_GRANT_MAX_DAYS} days. Choose a shorter time.`,
      'too_long',
    );
  }
  if (input.scope === 'pupil' && !input.pupilId) {
    throw badRequest('Choose the pupil whose record the trust may read.', 'pupil_required');
  }
  const [member] = await t.q<{ id: string; trust_id: string }>(
    `SELECT m.id, m.trust_id FROM trust_members m JOIN schools s ON s.trust_id = m.trust_id
     WHERE m.id = $1 AND s.id = $2 AND m.status = 'active'`,
    [input.memberId, t.schoolId],
  );
  if (!member) {
    throw new DomainError(
      'not_found',
      'not_in_trust',
      'That person is not a member of your school’s trust.',
    );
  }
  const pupilId = input.scope === 'pupil' ? input.pupilId! : null;
  if (pupilId) {
    const [p] = await t.q('SELECT 1 FROM pupils WHERE id = $1', [pupilId]);
    if (!p) throw notFound('That pupil');
  }
  const [{ id } = { id: '' }] = await t.q<{ id: string }>('SELECT gen_random_uuid()::text AS id');
  const sealed = (await t.sealer()).seal(REASON, id, reason);
  const expires = new Date(t.now.getTime() + input.days * 86_400_000);
  await t.q(
    `INSERT INTO trust_grants (id, school_id, trust_id, member_id, scope, pupil_id, reason_sealed,
       granted_by, granted_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      id,
      t.schoolId,
      member.trust_id,
      member.id,
      input.scope,
      pupilId,
      sealed,
      t.actor.userId,
      t.now,
      expires,
    ],
  );
  await t.audit({
    action: 'trust.grant_made',
    targetType: pupilId ? 'pupil' : 'trust_grant',
    targetId: pupilId ?? id,
    details: { grant: id, member: member.id, scope: input.scope, days: input.days },
  });
  return { id };
}

export async function revokeGrant(t: Tx, grantId: string): Promise<void> {
  await requireGrantor(t);
  const rows = await t.q<{ pupil_id: string | null }>(
    `UPDATE trust_grants SET revoked_at = $2, revoked_by = $3
     WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2 RETURNING pupil_id`,
    [grantId, t.now, t.actor.userId],
  );
  if (rows.length === 0) {
    const [exists] = await t.q('SELECT 1 FROM trust_grants WHERE id = $1', [grantId]);
    if (!exists) throw notFound('That grant');
    throw new DomainError('conflict', 'conflict', 'That access has already ended.');
  }
  const pupilId = rows[0]!.pupil_id;
  await t.audit({
    action: 'trust.grant_revoked',
    targetType: pupilId ? 'pupil' : 'trust_grant',
    targetId: pupilId ?? grantId,
    details: { grant: grantId },
  });
}

// ——— The trust's side ———

/** The grants this member holds (row-level security shows only their own). */
export async function heldGrants(t: TrustTx): Promise<HeldGrant[]> {
  const rows = await t.q<{
    id: string;
    school: string;
    scope: 'pupil' | 'school';
    pupil_id: string | null;
    granted_at: Date;
    expires_at: Date;
    revoked_at: Date | null;
  }>(
    `SELECT g.id, s.name AS school, g.scope, g.pupil_id, g.granted_at, g.expires_at, g.revoked_at
     FROM trust_grants g JOIN schools s ON s.id = g.school_id
     WHERE g.member_id = $1 ORDER BY g.granted_at DESC, g.id LIMIT 200`,
    [t.member.memberId],
  );
  return rows.map((r) => ({
    id: r.id,
    school: r.school,
    scope: r.scope,
    pupilId: r.pupil_id,
    grantedAt: r.granted_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
    state: stateOf(r.revoked_at, r.expires_at, t.now),
  }));
}

type LiveGrant = {
  scope: 'pupil' | 'school';
  pupil_id: string | null;
  reason_sealed: Buffer;
  expires_at: Date;
};

/** Inside a granted school: the grant itself (visible there by the school's own policy). */
export async function liveGrant(t: GrantedTx): Promise<LiveGrant> {
  const [g] = await t.q<LiveGrant>(
    `SELECT scope, pupil_id, reason_sealed, expires_at FROM trust_grants
     WHERE id = $1 AND member_id = $2 AND revoked_at IS NULL AND expires_at > $3`,
    [t.grantId, t.member.memberId, t.now],
  );
  if (!g) throw new DomainError('not_found', 'grant_ended', 'This access has ended.');
  return g;
}

/** The pupil a grant lets this member read: the grant's own pupil, or any under a school grant. */
export async function pupilUnderGrant(t: GrantedTx, pupilId: string): Promise<LiveGrant> {
  const g = await liveGrant(t);
  if (g.scope === 'pupil' && g.pupil_id !== pupilId) {
    // Audited by `granted` in a transaction of its own (this one rolls back).
    throw new RefusedUnderGrant('This access does not cover that pupil.', [
      {
        action: 'trust.grant_refused',
        targetType: 'pupil',
        targetId: pupilId,
        details: { reason: 'other_pupil' },
      },
    ]);
  }
  return g;
}

/**
 * Under a one-pupil grant, every other pupil linked to an entry (a concern about two pupils) is
 * shown as the hidden-pupil placeholder, no id, no name: the grant covers its pupil, not theirs.
 */
export function asGrantSees<
  E extends { pupils: { id: string | null; name: string; role: string }[] },
>(g: Pick<LiveGrant, 'scope' | 'pupil_id'>, entries: readonly E[]): E[] {
  if (g.scope === 'school') return [...entries];
  return entries.map((e) => ({
    ...e,
    pupils: e.pupils.map((p) =>
      p.id !== null && p.id === g.pupil_id ? p : { id: null, name: HIDDEN_PUPIL, role: p.role },
    ),
  }));
}

/** Under a grant: the pupils it reaches (its one pupil, or those on a record in the school). */
export async function grantPupils(t: GrantedTx): Promise<GrantPupils> {
  const g = await liveGrant(t);
  const pupils = await t.q<{ id: string; name: string; year_group: string | null }>(
    `SELECT p.id, coalesce(p.preferred_name, p.first_name) || ' ' || p.last_name AS name,
            p.year_group
     FROM pupils p
     WHERE ${g.scope === 'pupil' ? 'p.id = $1' : 'EXISTS (SELECT 1 FROM concern_pupils cp WHERE cp.pupil_id = p.id)'}
     ORDER BY p.last_name, p.first_name LIMIT 500`,
    g.scope === 'pupil' ? [g.pupil_id] : [],
  );
  const [school] = await t.q<{ name: string }>('SELECT name FROM schools WHERE id = $1', [
    t.schoolId,
  ]);
  await t.audit({
    action: 'trust.grant_pupils_listed',
    targetType: 'trust_grant',
    targetId: t.grantId,
    details: { pupils: pupils.length },
  });
  return {
    school: school?.name ?? '',
    reason: (await t.sealer()).open(REASON, t.grantId, Buffer.from(g.reason_sealed)),
    expiresAt: g.expires_at.toISOString(),
    pupils: pupils.map((p) => ({ id: p.id, name: p.name, yearGroup: p.year_group })),
  };
}
