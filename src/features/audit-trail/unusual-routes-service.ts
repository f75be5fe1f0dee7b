// Reading and tuning the unusual-access rules, and listing the signals they raised (issue 20).
// The rules live in the school's settings under `unusualAccess` (read with defaults filled in by
// rulesOf); a change is audited with before and after.
import type { Tx } from '../../core/context.ts';
import { badRequest } from '../../core/errors.ts';
import type {
  AccessSignal,
  UnusualAccess,
  UnusualAccessRules,
  UnusualRule,
} from '../../shared/schemas/audit-trail.ts';
import { can } from '../../core/access/actor.ts';
import { rulesOf } from './unusual-access.ts';
import { TRUST_ROLE_NAMES, type TrustRole } from '../../core/trust-context.ts';

export const WHAT: Record<UnusualRule, (n: number) => string> = {
  pupils_per_hour: (n) => `opened ${n} pupils’ records in an hour`,
  pupils_per_day: (n) => `opened ${n} pupils’ records in a day`,
  out_of_hours: (n) => `opened records ${n} ${n === 1 ? 'time' : 'times'} outside school hours`,
  refusals: (n) => `was refused ${n} times in an hour`,
  exports: (n) => `exported or downloaded ${n} times in a day`,
  own_access: () => 'tried to change their own access',
  wide_grant: (n) =>
    `opened ${n} pupils’ records outside their own classes, through a wide grant, in a day`,
};

/** A signal and whom it names: a member of staff, or a trust member with their role and trust. */
export type SignalRow = {
  id: string;
  rule: UnusualRule;
  member_id: string | null;
  trust_member_id: string | null;
  member: string;
  observed: number;
  raised_at: Date;
  breach_id: string | null;
};

/** A row of SELECT_SIGNAL as read: whom it names is put into words by `signalRow`. */
export type RawSignalRow = Omit<SignalRow, 'member'> & {
  staff_name: string | null;
  trust_member_name: string | null;
  trust_member_role: TrustRole | null;
  trust_name: string | null;
};

/**
 * The signals with whom each names. A trust member is named with their role and trust ("Jo Lead,
 * trust safeguarding lead, Oak Trust", the role's words from TRUST_ROLE_NAMES, never spelled in
 * SQL): the school sees its own trust's members (0065). Should the school have left that trust
 * since, they are "A member of a trust". Read rows through `signalRow`.
 */
export const SELECT_SIGNAL = `SELECT s.id, s.rule, s.member_id, s.trust_member_id,
     u.name AS staff_name, tm.name AS trust_member_name, tm.role AS trust_member_role,
     tr.name AS trust_name, s.observed, s.raised_at, s.breach_id
   FROM access_signals s
   LEFT JOIN users u ON u.school_id = s.school_id AND u.id = s.member_id
   LEFT JOIN trust_members tm ON tm.id = s.trust_member_id
   LEFT JOIN trusts tr ON tr.id = tm.trust_id`;

export function signalRow(r: RawSignalRow): SignalRow {
  const { staff_name, trust_member_name, trust_member_role, trust_name, ...rest } = r;
  const member =
    staff_name ??
    (trust_member_name !== null && trust_member_role !== null && trust_name !== null
      ? `${trust_member_name}, ${TRUST_ROLE_NAMES[trust_member_role]}, ${trust_name}`
      : 'A member of a trust');
  return { ...rest, member };
}

export async function readUnusualAccess(t: Tx): Promise<UnusualAccess> {
  const [school] = await t.q<{ settings: unknown }>('SELECT settings FROM schools WHERE id = $1', [
    t.actor.schoolId,
  ]);
  const rows = (
    await t.q<RawSignalRow>(`${SELECT_SIGNAL} ORDER BY s.raised_at DESC, s.id LIMIT 50`)
  ).map(signalRow);
  await t.audit({ action: 'audit.signals_viewed', details: { count: rows.length } });
  const signals: AccessSignal[] = rows.map((r) => ({
    id: r.id,
    rule: r.rule,
    what: WHAT[r.rule](r.observed),
    actor: r.trust_member_id === null ? 'staff' : 'trust',
    memberId: r.member_id ?? r.trust_member_id!,
    member: r.member,
    count: r.observed,
    raisedAt: new Date(r.raised_at).toISOString(),
    breachId: r.breach_id,
    // Never offered to the member the signal is about (signal-breach.ts refuses it too).
    allowed:
      r.breach_id === null && can(t.actor, 'data_protection') && r.member_id !== t.actor.userId
        ? ['draft_breach']
        : [],
  }));
  return { rules: rulesOf(school?.settings), signals };
}

export async function changeRules(t: Tx, asked: UnusualAccessRules): Promise<void> {
  if (asked.schoolHours && asked.schoolHours.from === asked.schoolHours.to)
    throw badRequest('School hours must start and end at different times.', 'bad_hours');
  const [school] = await t.q<{ settings: unknown }>(
    'SELECT settings FROM schools WHERE id = $1 FOR UPDATE',
    [t.actor.schoolId],
  );
  const before = rulesOf(school?.settings);
  // A rule the caller left out (one added since their page was written) keeps its value.
  const next = { ...before, ...asked };
  const changed = (Object.keys(next) as (keyof UnusualAccessRules)[]).filter(
    (k) => JSON.stringify(next[k]) !== JSON.stringify(before[k]),
  );
  if (changed.length === 0) return;
  await t.q(
    `UPDATE schools SET settings = jsonb_set(coalesce(settings, '{}'::jsonb), '{unusualAccess}', $2::jsonb)
     WHERE id = $1`,
    [t.actor.schoolId, JSON.stringify(next)],
  );
  await t.audit({
    action: 'audit.rules_changed',
    targetType: 'school',
    targetId: t.actor.schoolId,
    details: { changed, before: JSON.stringify(before), after: JSON.stringify(next) },
  });
}

/**
 * Alerts about a signal (a trust member's: kind unusual_access_trust) with whom the signal names
 * and what they did, so the alert itself says "Jo Lead, trust safeguarding lead, Oak Trust opened
 * 31 pupils' records in an hour". Only the alert's own recipients (the DSL team, the head, the
 * breach register's holders) read their alerts; the read is audited as a read of the signals.
 */
export async function withSignalsNamed<A extends { targetType: string; targetId: string }>(
  t: Tx,
  alerts: A[],
): Promise<(A & { signal?: { member: string; what: string } | null })[]> {
  const ids = [
    ...new Set(alerts.filter((a) => a.targetType === 'access_signal').map((a) => a.targetId)),
  ];
  if (ids.length === 0) return alerts;
  const rows = (
    await t.q<RawSignalRow>(`${SELECT_SIGNAL} WHERE s.id = ANY($1::uuid[])`, [ids])
  ).map(signalRow);
  if (rows.length > 0)
    await t.audit({ action: 'audit.signals_viewed', details: { count: rows.length } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return alerts.map((a) => {
    if (a.targetType !== 'access_signal') return a;
    const r = byId.get(a.targetId);
    return {
      ...a,
      signal: r ? { member: r.member, what: WHAT[r.rule](Number(r.observed)) } : null,
    };
  });
}
