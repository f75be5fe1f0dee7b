// A reference pack (issue 19, KCSIE Part 4): what the case manager may say of allegations in a
// member's employment reference — their substantiated matters only. False, malicious,
// unsubstantiated and unfounded allegations, low-level concerns and open matters are never in it.
// Read through policy.ts's rule like every read (a case manager never makes a pack about themselves,
// nor sees a matter routed to another team: the pack says which teams' matters it covers), and
// audited with its count.
import type { Tx } from '../../core/context.ts';
import { notFound } from '../../core/errors.ts';
import type { ReferencePack, ReferencePackMembers } from '../../shared/schemas/staff-concerns.ts';
import { teamsOf, visibleMatterSql } from './policy.ts';

/**
 * The members a pack may be about: everyone but the reader (a pack about oneself is refused, and
 * would be falsely clean: matters naming the reader are never theirs to read), leavers included.
 */
export async function referencePackMembers(t: Tx): Promise<ReferencePackMembers> {
  const rows = await t.q<{ id: string; name: string; has_left: boolean }>(
    `SELECT id, name, disabled_at IS NOT NULL AS has_left FROM users WHERE id <> $1
     ORDER BY name, id`,
    [t.actor.userId],
  );
  await t.audit({ action: 'staff_concerns.staff_listed', details: { count: rows.length } });
  return { items: rows.map((r) => ({ id: r.id, name: r.name, left: Boolean(r.has_left) })) };
}

export async function referencePack(t: Tx, userId: string): Promise<ReferencePack> {
  // About oneself: 404, as every matter naming the reader answers in this area.
  if (userId === t.actor.userId) throw notFound('That member of staff');
  const [member] = await t.q<{ name: string }>(`SELECT name FROM users WHERE id = $1`, [userId]);
  if (!member) throw notFound('That member of staff');
  const teams = await teamsOf(t.db, t.actor.userId);
  const where = visibleMatterSql(t.actor, teams, 2);
  const rows = await t.q<{
    id: string;
    raised_at: Date;
    what_happened: Buffer;
    outcome_at: Date;
  }>(
    `SELECT s.id, s.raised_at, s.what_happened, s.outcome_at FROM staff_concerns s
     WHERE s.subject_user_id = $1 AND s.outcome = 'substantiated' AND ${where.sql}
     ORDER BY s.raised_at, s.id LIMIT 200`,
    [userId, ...where.params],
  );
  await t.audit({
    action: 'staff_concerns.reference_pack_made',
    targetType: 'user',
    targetId: userId,
    details: { count: rows.length },
  });
  const sealer = await t.sealer();
  return {
    subjectName: member.name,
    madeAt: t.now.toISOString(),
    covers: teams,
    items: rows.map((r) => ({
      id: r.id,
      raisedAt: r.raised_at.toISOString(),
      whatHappened: sealer.open('staff_concerns.what_happened', r.id, r.what_happened),
      outcomeAt: r.outcome_at.toISOString(),
    })),
  };
}
