// Wonde's `deletions` rows with `restored_at` for contacts, staff and groups, as for pupils: in a
// delta, an archived record the feed says came back is un-archived (once: the next run finds it
// live and changes nothing). A record the same delta also sends is restored by its upsert; this
// covers the restoration that comes alone. Its links and memberships were removed when it was
// archived and come back as the feed next states them. A member of staff restored here has their
// MIS record back; a Lantern account disabled when they left stays disabled until an
// administrator enables it (who may sign in is the school's decision, not the feed's).
import type { DeletionEntity, Snapshot } from '../snapshot.ts';
import type { EntityCounts, SyncState } from './state.ts';

const TABLES = {
  contact: { table: 'contacts', column: 'archived_at', touch: ', updated_at = $2' },
  staff: { table: 'mis_staff', column: 'left_at', touch: ', updated_at = $2' },
  // mis_groups keeps no updated_at.
  group: { table: 'mis_groups', column: 'archived_at', touch: '' },
} as const satisfies Partial<
  Record<DeletionEntity, { table: string; column: string; touch: string }>
>;

export async function restoreArchived(
  s: SyncState,
  snap: Snapshot,
  entity: keyof typeof TABLES,
  counts: EntityCounts,
  sent: Set<string>,
): Promise<void> {
  if (s.kind === 'full') return;
  const deleted = new Set(snap.deletions.filter((d) => d.entity === entity).map((d) => d.misId));
  const ids = [
    ...new Set(
      snap.restorations
        .filter((r) => r.entity === entity && !sent.has(r.misId) && !deleted.has(r.misId))
        .map((r) => r.misId),
    ),
  ];
  if (ids.length === 0) return;
  const { table, column, touch } = TABLES[entity];
  const back = await s.q.query<{ id: string }>(
    `UPDATE ${table} SET ${column} = NULL${touch}
     WHERE mis_id = ANY($1::text[]) AND ${column} IS NOT NULL RETURNING id`,
    touch === '' ? [ids] : [ids, s.now],
  );
  counts.restored += back.length;
}
