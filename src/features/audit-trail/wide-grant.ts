// The unusual-access rule "reading a pupil one does not teach through a wide grant" (issue 20).
//
// Who it watches: a member who teaches classes (has teaching or registration groups of their own),
// who does not manage cases (the DSL team and the headteacher read any pupil by their role, and
// are the ones told), and one of whose groups grants view of records over a wide scope — the whole
// school or a year group. What counts: a distinct pupil whose record they opened (the same opening
// events as the other rules) who is in none of their own groups, on a record none of whose pupils
// is in their own groups (a group incident naming one of their class was theirs to read), so that
// only the wide grant let them in. A concern they logged themselves, and its attachments, count for nothing: an author
// sees their own records whatever the grants. The same scope rules as every access decision
// (permissions.ts: scopeIncludes, grantsAnything) decide both halves.
import type { Queryable } from '../../platform/db/engine.ts';
import { loadPermissions } from '../../core/access/load.ts';
import {
  grantsAnything,
  scopeIncludes,
  type Permissions,
  type ScopedPupil,
} from '../../core/access/permissions.ts';

/** Whether a member is one this rule watches (see the note above). */
export function watchedForWideGrant(perms: Permissions): boolean {
  return (
    perms.ownGroupIds.size > 0 &&
    !perms.capabilities.has('manage_cases') &&
    perms.grants.some((g) => g.scope.kind !== 'own_groups' && grantsAnything(g, 'view'))
  );
}

/** Whether the member reached this pupil only through a wide grant: not one they teach. */
export function onlyThroughWideGrant(perms: Permissions, pupil: ScopedPupil): boolean {
  if (scopeIncludes({ kind: 'own_groups' }, pupil, perms.ownGroupIds)) return false;
  return perms.grants.some(
    (g) =>
      g.scope.kind !== 'own_groups' &&
      grantsAnything(g, 'view') &&
      scopeIncludes(g.scope, pupil, perms.ownGroupIds),
  );
}

/**
 * For each watched member among `members`, how many distinct pupils they opened in the entries
 * after `fromSeq` up to `headSeq` only through a wide grant. Members with none are left out.
 */
export async function wideGrantCounts(
  q: Queryable,
  schoolId: string,
  members: readonly string[],
  fromSeq: number,
  headSeq: number,
  opens: readonly string[],
): Promise<Map<string, number>> {
  const perms = new Map<string, Permissions>();
  for (const m of members) {
    const p = await loadPermissions(q, m);
    if (watchedForWideGrant(p)) perms.set(m, p);
  }
  const out = new Map<string, number>();
  if (perms.size === 0) return out;
  const rows = await q.query<{
    actor_id: string;
    rec: string;
    pupil_id: string;
    year_group: string | null;
    refs: string[] | null;
  }>(
    `WITH ev AS (
       SELECT e.actor_id, e.target_type, e.target_id FROM audit_events e
       WHERE e.school_id = $1 AND e.actor_id = ANY($2::uuid[]) AND e.seq > $3 AND e.seq <= $4
         AND e.action = ANY($5::text[])),
     -- Each kind of target joined to its own table as a set, its key cast to a uuid only once
     -- its kind is known (a fenced sub-select): a look-up per entry was planned as a scan of the
     -- school's links per entry, quadratic in a busy day (unusual-access.ts does the same).
     of_kind AS MATERIALIZED (
       SELECT ev.actor_id, ev.target_type, ev.target_id, ev.target_id::uuid AS id FROM ev
       WHERE ev.target_type IN ('pupil', 'concern', 'case', 'referral', 'attachment') OFFSET 0),
     opened AS (
       SELECT DISTINCT k.actor_id, k.target_type || ':' || k.target_id AS rec, p.pupil_id
       FROM of_kind k JOIN (
         SELECT k2.id AS key, 'pupil' AS kind, k2.id AS pupil_id, NULL::uuid AS author_id
           FROM (SELECT DISTINCT id FROM of_kind WHERE target_type = 'pupil') k2
         UNION ALL SELECT cp.concern_id, 'concern', cp.pupil_id, c.author_id
           FROM concern_pupils cp JOIN concerns c ON c.id = cp.concern_id
           WHERE cp.school_id = $1
             AND cp.concern_id IN (SELECT id FROM of_kind WHERE target_type = 'concern')
         UNION ALL SELECT c.id, 'case', c.pupil_id, NULL
           FROM cases c WHERE c.id IN (SELECT id FROM of_kind WHERE target_type = 'case')
         UNION ALL SELECT r.id, 'referral', r.pupil_id, NULL
           FROM referrals r WHERE r.id IN (SELECT id FROM of_kind WHERE target_type = 'referral')
         UNION ALL SELECT a.id, 'attachment', cp.pupil_id, c.author_id FROM attachments a
           JOIN concern_pupils cp ON cp.school_id = a.school_id AND cp.concern_id = a.concern_id
           JOIN concerns c ON c.id = a.concern_id
           WHERE a.id IN (SELECT id FROM of_kind WHERE target_type = 'attachment')) p
         ON p.key = k.id AND p.kind = k.target_type
       -- A concern they logged themselves, and its attachments, count for nothing.
       WHERE p.author_id IS NULL OR p.author_id <> k.actor_id)
     SELECT o.actor_id, o.rec, o.pupil_id, pu.year_group,
       lantern_pupil_group_refs(pu.id, pu.form) AS refs
     FROM opened o JOIN pupils pu ON pu.id = o.pupil_id`,
    [schoolId, [...perms.keys()], fromSeq, headSeq, opens],
  );
  // Judged per opened record: a record with any pupil the member teaches (a group incident that
  // names one of their class) was theirs to read, and none of its pupils count.
  const records = new Map<string, typeof rows>();
  for (const r of rows) {
    const key = `${r.actor_id} ${r.rec}`;
    records.set(key, [...(records.get(key) ?? []), r]);
  }
  const counted = new Map<string, Set<string>>();
  for (const on of records.values()) {
    const p = perms.get(on[0]!.actor_id);
    if (!p) continue;
    const scoped = on.map((r) => ({
      r,
      pupil: { yearGroup: r.year_group, groupIds: r.refs ?? [] },
    }));
    if (scoped.some(({ pupil }) => scopeIncludes({ kind: 'own_groups' }, pupil, p.ownGroupIds)))
      continue;
    for (const { r, pupil } of scoped)
      if (onlyThroughWideGrant(p, pupil)) {
        const set = counted.get(r.actor_id) ?? new Set<string>();
        counted.set(r.actor_id, set.add(r.pupil_id));
      }
  }
  for (const [member, set] of counted) out.set(member, set.size);
  return out;
}
