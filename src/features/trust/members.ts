// Trust members are made by the operator (`lantern trust add-member`) and the demo, never through
// the web: a trust is above any school, so no school's administrator may make one. The password
// is hashed by identity's password-hash.ts; the member sets up their authenticator app at their
// first sign-in (required). Audited on the platform's chain.
import type { Services } from '../../platform/services.ts';
import { PLATFORM_SCHOOL_ID } from '../../platform/db/tenancy.ts';
import { unsafeAsOperator } from '../../core/context.ts';
import { TRUST_ROLES, type TrustRole } from '../../core/trust-context.ts';
import { hashPassword } from '../identity/password-hash.ts';

export const isTrustRole = (r: string): r is TrustRole =>
  (TRUST_ROLES as readonly string[]).includes(r);

export async function addTrustMember(
  services: Pick<Services, 'db' | 'clock'>,
  m: { trustId: string; email: string; name: string; role: TrustRole; password: string },
  operator = 'operator',
): Promise<string> {
  const hash = await hashPassword(m.password);
  return unsafeAsOperator(services, operator, async (t) => {
    const [trust] = await t.q('SELECT 1 FROM trusts WHERE id = $1', [m.trustId]);
    if (!trust) throw new Error(`There is no trust with the id ${m.trustId}.`);
    const [taken] = await t.q('SELECT 1 FROM trust_members WHERE lower(email) = lower($1)', [
      m.email,
    ]);
    if (taken) throw new Error(`A trust member with the email ${m.email} already exists.`);
    const [row] = await t.q<{ id: string }>(
      `INSERT INTO trust_members (trust_id, email, name, role, created_at)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [m.trustId, m.email.trim(), m.name, m.role, t.now],
    );
    await t.q(
      `INSERT INTO trust_member_credentials (member_id, trust_id, password_hash, password_changed_at)
       VALUES ($1, $2, $3, $4)`,
      [row!.id, m.trustId, hash, t.now],
    );
    await t.audit(PLATFORM_SCHOOL_ID, {
      action: 'trust.member_added',
      targetType: 'trust_member',
      targetId: row!.id,
      details: { role: m.role },
    });
    return row!.id;
  });
}

/**
 * Disables a trust member (they leave the trust, or their account is in doubt) or enables them
 * again. Disabling ends their open sessions at once (the session check also refuses a disabled
 * member on every request); the DSL teams' grants to them stay on record but read nothing while
 * they cannot sign in. Audited on the platform's chain.
 */
export async function setTrustMemberStatus(
  services: Pick<Services, 'db' | 'clock'>,
  m: { email: string; status: 'active' | 'disabled' },
  operator = 'operator',
): Promise<{ id: string; changed: boolean; sessionsEnded: number }> {
  return unsafeAsOperator(services, operator, async (t) => {
    const [member] = await t.q<{ id: string; status: string }>(
      'SELECT id, status FROM trust_members WHERE lower(email) = lower($1) FOR UPDATE',
      [m.email.trim()],
    );
    if (!member) throw new Error(`There is no trust member with the email ${m.email}.`);
    if (member.status === m.status) return { id: member.id, changed: false, sessionsEnded: 0 };
    await t.q('UPDATE trust_members SET status = $2 WHERE id = $1', [member.id, m.status]);
    let sessionsEnded = 0;
    if (m.status === 'disabled') {
      const ended = await t.q(
        `UPDATE trust_sessions SET ended_at = $2, end_reason = 'member_disabled'
         WHERE member_id = $1 AND ended_at IS NULL RETURNING id`,
        [member.id, t.now],
      );
      sessionsEnded = ended.length;
      await t.audit(PLATFORM_SCHOOL_ID, {
        action: 'trust.member_disabled',
        targetType: 'trust_member',
        targetId: member.id,
        details: { sessionsEnded },
      });
    } else {
      await t.audit(PLATFORM_SCHOOL_ID, {
        action: 'trust.member_enabled',
        targetType: 'trust_member',
        targetId: member.id,
      });
    }
    return { id: member.id, changed: true, sessionsEnded };
  });
}
