// Groups (year, registration, teaching, other) and their memberships. A full snapshot decides
// every membership; a delta decides only those of the pupils and staff it mentions. Moving a
// pupil between registration groups changes their form, and so which teachers see them.
import { MisFormatError, type Group, type Snapshot } from '../snapshot.ts';
import { inSlices, recordHash, type SyncState } from './state.ts';
import { restoreArchived } from './restore.ts';

type GroupRow = { id: string; mis_id: string; mis_hash: string | null; archived_at: Date | null };

export async function syncGroups(s: SyncState, snap: Snapshot): Promise<void> {
  const existing = await s.q.query<GroupRow & { name: string; kind: string }>(
    'SELECT id, mis_id, name, kind, mis_hash, archived_at FROM mis_groups',
  );
  const byMis = new Map(existing.map((g) => [g.mis_id, g]));
  for (const g of existing) s.groupIds.set(g.mis_id, { id: g.id, name: g.name, kind: g.kind });
  const inserts: Record<string, unknown>[] = [];
  const updates: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  for (const g of snap.groups) {
    seen.add(g.misId);
    const hash = recordHash(g);
    const old = byMis.get(g.misId);
    const row = groupRow(g, hash);
    if (!old) {
      const id = crypto.randomUUID();
      inserts.push({ id, ...row });
      s.groupIds.set(g.misId, { id, name: g.name, kind: g.kind });
      s.groups.added += 1;
    } else if (old.mis_hash !== hash || old.archived_at) {
      updates.push({ id: old.id, ...row });
      s.groupIds.set(g.misId, { id: old.id, name: g.name, kind: g.kind });
      if (old.archived_at) s.groups.restored += 1;
      else s.groups.changed += 1;
    }
  }
  await inSlices(inserts, 1000, async (slice) => {
    await s.q.query(
      `INSERT INTO mis_groups (id, school_id, mis_id, name, kind, source_type, mis_hash)
       SELECT id, $2, mis_id, name, kind, source_type, mis_hash
       FROM json_populate_recordset(NULL::mis_groups, $1::json)`,
      [JSON.stringify(slice), s.schoolId],
    );
  });
  await inSlices(updates, 1000, async (slice) => {
    await s.q.query(
      `UPDATE mis_groups g SET name = n.name, kind = n.kind, source_type = n.source_type,
         mis_hash = n.mis_hash, archived_at = NULL
       FROM json_populate_recordset(NULL::mis_groups, $1::json) n WHERE g.id = n.id`,
      [JSON.stringify(slice)],
    );
  });
  await restoreArchived(s, snap, 'group', s.groups, seen);
  const gone =
    s.kind === 'full'
      ? existing.filter((g) => !seen.has(g.mis_id) && !g.archived_at).map((g) => g.id)
      : snap.deletions
          .filter((d) => d.entity === 'group')
          .map((d) => byMis.get(d.misId))
          .filter((g): g is GroupRow & { name: string; kind: string } => !!g && !g.archived_at)
          .map((g) => g.id);
  if (gone.length > 0) {
    await s.q.query('UPDATE mis_groups SET archived_at = $2 WHERE id = ANY($1::uuid[])', [
      gone,
      s.now,
    ]);
    await s.q.query('DELETE FROM mis_group_members WHERE group_id = ANY($1::uuid[])', [gone]);
    s.groups.archived += gone.length;
  }
}

function groupRow(g: Group, hash: string): Record<string, unknown> {
  return {
    mis_id: g.misId,
    name: g.name,
    kind: g.kind,
    source_type: g.sourceType,
    mis_hash: hash,
  };
}

/** Year group and form from the snapshot's memberships, by pupil MIS id. */
export function placements(
  s: SyncState,
  snap: Snapshot,
): Map<string, { year: string | null; form: string | null }> {
  const out = new Map<string, { year: string | null; form: string | null }>();
  for (const m of snap.memberships) {
    if (m.memberKind !== 'pupil') continue;
    const g = s.groupIds.get(m.groupMisId);
    if (!g) continue;
    const p = out.get(m.memberMisId) ?? { year: null, form: null };
    if (g.kind === 'year') p.year = g.name;
    if (g.kind === 'registration') p.form = g.name;
    out.set(m.memberMisId, p);
  }
  return out;
}

const GROUPS_FILE = { wonde: 'groups.json', xporter: 'Groups.json', csv: 'pupils.csv' } as const;

export function undefinedRef(snap: Snapshot, what: string, id: string, from: string): never {
  throw new MisFormatError(
    GROUPS_FILE[snap.format],
    { field: what },
    `${JSON.stringify(id.slice(0, 40))} (named by ${from.slice(0, 60)}) is not defined anywhere ` +
      'in the feed, nor held by Lantern from an earlier run',
  );
}

type MemberRow = { group_id: string; member_kind: string; member_id: string };

export async function syncMemberships(s: SyncState, snap: Snapshot): Promise<void> {
  const desired = new Map<string, MemberRow>();
  for (const m of snap.memberships) {
    const g = s.groupIds.get(m.groupMisId);
    const memberId =
      m.memberKind === 'pupil' ? s.pupilIds.get(m.memberMisId) : s.staffIds.get(m.memberMisId)?.id;
    // A row naming a group or member the feed never defines (and Lantern does not hold from an
    // earlier run) means a cut or mismatched export: refused, nothing applied (issue 13).
    if (!g) undefinedRef(snap, 'group', m.groupMisId, `${m.memberKind} ${m.memberMisId}`);
    if (!memberId) undefinedRef(snap, m.memberKind, m.memberMisId, `group ${m.groupMisId}`);
    s.touchedMembers.add(memberId);
    desired.set(`${g.id}|${m.memberKind}|${memberId}`, {
      group_id: g.id,
      member_kind: m.memberKind,
      member_id: memberId,
    });
  }
  const current = await s.q.query<MemberRow>(
    'SELECT group_id, member_kind, member_id FROM mis_group_members',
  );
  const have = new Set<string>();
  const removals: MemberRow[] = [];
  for (const r of current) {
    const key = `${r.group_id}|${r.member_kind}|${r.member_id}`;
    have.add(key);
    // A full run states every membership; a delta only those it sends, so in a delta a pair it
    // does not name stays (a deleted group or member goes with its own deletion).
    if (s.kind === 'full' && !desired.has(key)) removals.push(r);
  }
  const additions = [...desired].filter(([k]) => !have.has(k)).map(([, v]) => v);
  await inSlices(additions, 5000, async (slice) => {
    await s.q.query(
      `INSERT INTO mis_group_members (school_id, group_id, member_kind, member_id)
       SELECT $4, * FROM unnest($1::uuid[], $2::text[], $3::uuid[])`,
      [
        slice.map((r) => r.group_id),
        slice.map((r) => r.member_kind),
        slice.map((r) => r.member_id),
        s.schoolId,
      ],
    );
  });
  await inSlices(removals, 5000, async (slice) => {
    await s.q.query(
      `DELETE FROM mis_group_members m USING unnest($1::uuid[], $2::text[], $3::uuid[])
         AS r(group_id, member_kind, member_id)
       WHERE m.group_id = r.group_id AND m.member_kind = r.member_kind
         AND m.member_id = r.member_id`,
      [
        slice.map((r) => r.group_id),
        slice.map((r) => r.member_kind),
        slice.map((r) => r.member_id),
      ],
    );
  });
  s.memberships.added += additions.length;
  s.memberships.removed += removals.length;
}
