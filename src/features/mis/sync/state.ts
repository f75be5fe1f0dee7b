// What one sync run carries between its steps: the open transaction and its audit, the id maps
// it builds (MIS id → Lantern id, roster-sized, never mark-sized), the counts and the conflicts it
// reports.
import { createHash } from 'node:crypto';
import type { Queryable } from '../../../platform/db/engine.ts';
import type { SchoolTx } from '../../../core/context.ts';
import { canonicalJson } from '../../../platform/audit/chain.ts';
import type { SnapshotKind } from '../snapshot.ts';

export type EntityCounts = { added: number; changed: number; archived: number; restored: number };

export type Conflict = {
  kind: 'locally_corrected' | 'contact_restricted';
  pupilId: string;
  field: string;
  contactId?: string;
};

export type SyncState = {
  q: Queryable;
  schoolId: string;
  runId: string;
  kind: SnapshotKind;
  now: Date;
  /** Appends to the school's audit chain in the run's transaction, as the run's actor. */
  audit: SchoolTx['audit'];
  pupils: EntityCounts;
  contacts: EntityCounts;
  staff: EntityCounts;
  groups: EntityCounts;
  memberships: { added: number; removed: number; skipped: number };
  marks: { written: number; skipped: number };
  conflicts: Conflict[];
  /** Every pupil of the school by MIS id (archived ones too, so marks and returners resolve). */
  pupilIds: Map<string, string>;
  staffIds: Map<string, { id: string; userId: string | null }>;
  groupIds: Map<string, { id: string; name: string; kind: string }>;
  /** Pupils and staff whose memberships this run decides (all of them in a full snapshot). */
  touchedMembers: Set<string>;
};

export function emptyCounts(): EntityCounts {
  return { added: 0, changed: 0, archived: 0, restored: 0 };
}

export function recordHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url');
}

/** Runs fn over items in slices, so one statement never carries an unbounded payload. */
export async function inSlices<T>(
  items: readonly T[],
  size: number,
  fn: (slice: T[]) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) await fn(items.slice(i, i + size));
}
