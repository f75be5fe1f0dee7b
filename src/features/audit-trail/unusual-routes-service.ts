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
import { rulesOf } from './unusual-access.ts';

const WHAT: Record<UnusualRule, (n: number) => string> = {
  pupils_per_hour: (n) => `opened ${n} pupils’ records in an hour`,
  pupils_per_day: (n) => `opened ${n} pupils’ records in a day`,
  out_of_hours: (n) => `opened records ${n} ${n === 1 ? 'time' : 'times'} outside school hours`,
  refusals: (n) => `was refused ${n} times in an hour`,
  exports: (n) => `exported or downloaded ${n} times in a day`,
  own_access: () => 'tried to change their own access',
};

export async function readUnusualAccess(t: Tx): Promise<UnusualAccess> {
  const [school] = await t.q<{ settings: unknown }>('SELECT settings FROM schools WHERE id = $1', [
    t.actor.schoolId,
  ]);
  const rows = await t.q<{
    id: string;
    rule: UnusualRule;
    member_id: string;
    member: string;
    observed: number;
    raised_at: Date;
  }>(
    `SELECT s.id, s.rule, s.member_id, u.name AS member, s.observed, s.raised_at
     FROM access_signals s JOIN users u ON u.school_id = s.school_id AND u.id = s.member_id
     ORDER BY s.raised_at DESC, s.id LIMIT 50`,
  );
  await t.audit({ action: 'audit.signals_viewed', details: { count: rows.length } });
  const signals: AccessSignal[] = rows.map((r) => ({
    id: r.id,
    rule: r.rule,
    what: WHAT[r.rule](r.observed),
    memberId: r.member_id,
    member: r.member,
    count: r.observed,
    raisedAt: new Date(r.raised_at).toISOString(),
  }));
  return { rules: rulesOf(school?.settings), signals };
}

export async function changeRules(t: Tx, next: UnusualAccessRules): Promise<void> {
  if (next.schoolHours && next.schoolHours.from === next.schoolHours.to)
    throw badRequest('School hours must start and end at different times.', 'bad_hours');
  const [school] = await t.q<{ settings: unknown }>(
    'SELECT settings FROM schools WHERE id = $1 FOR UPDATE',
    [t.actor.schoolId],
  );
  const before = rulesOf(school?.settings);
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
