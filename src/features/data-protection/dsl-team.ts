// Whether a member is in the DSL team (the DSL's or the deputies' default group, by key, as
// core/access/approvers.ts decides): they review a request from a restricted contact (issue 17).
import type { Queryable } from '../../platform/db/engine.ts';
import { DSL_TEAM_GROUP_KEYS } from '../../core/access/approvers.ts';

export async function isDslTeamMember(q: Queryable, userId: string): Promise<boolean> {
  const rows = await q.query(
    `SELECT 1 FROM staff_group_members m JOIN staff_groups g ON g.id = m.group_id
     JOIN users u ON u.id = m.user_id
     WHERE m.user_id = $1 AND g.key = ANY($2::text[]) AND u.disabled_at IS NULL LIMIT 1`,
    [userId, DSL_TEAM_GROUP_KEYS],
  );
  return rows.length > 0;
}
