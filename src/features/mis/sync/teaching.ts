// A member of staff's own registration and teaching groups, as the own_groups permission scope
// reads them (staff_teaching_groups: 'form:<name>' or the MIS group id). Only rows the MIS
// wrote (source 'mis') are replaced; groups a school added in Lantern stay.
import type { SyncState } from './state.ts';

export async function syncTeachingRefs(s: SyncState): Promise<void> {
  const linked = [...s.staffIds.values()].filter(
    (m) => m.userId && (s.kind === 'full' || s.touchedMembers.has(m.id)),
  );
  if (linked.length === 0) return;
  const userIds = linked.map((m) => m.userId ?? '');
  const rows = await s.q.query<{ user_id: string; ref: string }>(
    `SELECT DISTINCT st.user_id,
       CASE g.kind WHEN 'registration' THEN 'form:' || g.name ELSE g.mis_id END AS ref
     FROM mis_staff st JOIN mis_group_members m ON m.member_kind = 'staff' AND m.member_id = st.id
     JOIN mis_groups g ON g.id = m.group_id
     WHERE st.user_id = ANY($1::uuid[]) AND g.kind IN ('registration', 'teaching')`,
    [userIds],
  );
  const current = await s.q.query<{ user_id: string; ref: string }>(
    `SELECT user_id, group_ref AS ref FROM staff_teaching_groups
     WHERE source = 'mis' AND user_id = ANY($1::uuid[])`,
    [userIds],
  );
  const want = new Set(rows.map((r) => `${r.user_id}|${r.ref}`));
  const have = new Set(current.map((r) => `${r.user_id}|${r.ref}`));
  for (const r of current) {
    if (!want.has(`${r.user_id}|${r.ref}`)) {
      await s.q.query(
        `DELETE FROM staff_teaching_groups WHERE user_id = $1 AND group_ref = $2 AND source = 'mis'`,
        [r.user_id, r.ref],
      );
    }
  }
  for (const r of rows) {
    if (have.has(`${r.user_id}|${r.ref}`)) continue;
    await s.q.query(
      `INSERT INTO staff_teaching_groups (school_id, user_id, group_ref, source)
       VALUES ($1, $2, $3, 'mis') ON CONFLICT (user_id, group_ref) DO NOTHING`,
      [s.schoolId, r.user_id, r.ref.slice(0, 200)],
    );
  }
}
