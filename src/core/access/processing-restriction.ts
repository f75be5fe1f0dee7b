// Restriction of processing (UK GDPR Article 18; issue 17). Protects a record the school has
// restricted at the data subject's request: while a restriction is in force (dp_restrictions,
// lifted_at null) the record is seen only by the DSL team — not its author, not a member whose
// grants would otherwise show it — and it is left out of reports and transfer files whoever asks.
// The rule is asked by the same policy functions as every other record rule: canRead
// (features/concerns/policy.ts) for one record, recordVisibleSql (record-filter.ts) for every
// list, and the reports' and transfers' selections through restrictedRecordSql.
// To change safely: keep the pure rule and the SQL here together, and keep
// src/features/data-protection/rights/restriction.test.ts passing (a non-DSL member who could see
// the record gets 404, reports and transfer files leave it out, and lifting restores it).
import { DSL_TEAM_GROUP_KEYS } from './approvers.ts';
import type { Permissions } from './permissions.ts';

/** Whether the member's groups include the DSL's or a deputy's default group (by fixed key). */
export function inDslTeam(perms: Permissions): boolean {
  return perms.grants.some(
    (g) => g.groupKey !== undefined && DSL_TEAM_GROUP_KEYS.includes(g.groupKey),
  );
}

/** May this member see a record under a restriction at all? The DSL team, with a second factor. */
export function seesRestrictedProcessing(actor: {
  elevated: boolean;
  permissions: Permissions;
}): boolean {
  return actor.elevated && inDslTeam(actor.permissions);
}

/** SQL true when the concern aliased `rec` is under a restriction in force. */
export function restrictedRecordSql(rec: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(rec)) throw new Error(`restrictedRecordSql: bad alias ${rec}`);
  return `EXISTS (SELECT 1 FROM dp_restrictions prx WHERE prx.concern_id = ${rec}.id
    AND prx.lifted_at IS NULL)`;
}

const COLUMN = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;

/** SQL true when work (an action, referral, conversation or case event) is about a record under a
 * restriction in force: its own concern, or a case holding or naming one. For selections that
 * leave such work out whoever asks (transfer files, reports): its text describes the record. */
export function restrictedWorkSql(refs: { concern?: string; case?: string }): string {
  const cols = [refs.concern, refs.case].filter((c): c is string => c !== undefined);
  if (cols.length === 0 || cols.some((c) => !COLUMN.test(c)))
    throw new Error('restrictedWorkSql: bad columns');
  const held = 'SELECT pwx.concern_id FROM dp_restrictions pwx WHERE pwx.lifted_at IS NULL';
  const heldCases = `SELECT pwc.case_id FROM concerns pwc
      WHERE pwc.case_id IS NOT NULL AND pwc.id IN (${held})
    UNION SELECT pwe.case_id FROM case_events pwe WHERE pwe.concern_id IN (${held})`;
  const parts = [
    // Null-safe, so `NOT restrictedWorkSql(...)` keeps work with no concern or no case.
    ...(refs.concern ? [`(${refs.concern} IS NOT NULL AND ${refs.concern} IN (${held}))`] : []),
    ...(refs.case ? [`(${refs.case} IS NOT NULL AND ${refs.case} IN (${heldCases}))`] : []),
  ];
  return `(${parts.join(' OR ')})`;
}
