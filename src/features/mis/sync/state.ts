// What one sync run carries between its steps: the open transaction and its audit, the id maps
// it builds (MIS id → Lantern id, roster-sized, never mark-sized), the counts and the conflicts it
// reports.
import { createHash } from 'node:crypto';
import type { Queryable } from '../../../platform/db/engine.ts';
import type { SchoolTx } from '../../../core/context.ts';
import { canonicalJson } from '../../../platform/audit/chain.ts';
import type { Sealer } from '../../../platform/crypto/school-keys.ts';
import {
  SEALED_COLUMNS,
  type SealedColumn,
  type SealedJsonColumn,
} from '../../../platform/crypto/sealed-columns.ts';
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
  /** Seals the special-category fields before they reach SQL. */
  sealer: Sealer;
  /**
   * The fingerprint stored as mis_hash: a keyed digest of the clear record, so the same record
   * twice changes nothing, yet a dump's hash cannot confirm a guess at the sealed fields.
   */
  hash(value: unknown): string;
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

/** The keyed record hash (migration 0011 re-keyed every stored recordHash the same way). */
export function keyedRecordHash(sealer: Sealer, value: unknown): string {
  return sealer.digest('mis-record', recordHash(value));
}

const isJsonColumn = (c: SealedColumn): c is SealedJsonColumn => SEALED_COLUMNS[c] === 'json';

/**
 * A value sealed for its column and row, as bytea text ("\\x" and hex) for
 * json_populate_recordset; null stays null.
 */
export function sealedHex(
  sealer: Sealer,
  column: SealedColumn,
  rowId: string,
  value: unknown,
): string | null {
  if (value === null || value === undefined) return null;
  let sealed: Buffer;
  if (isJsonColumn(column)) sealed = sealer.sealJson(column, rowId, value);
  else if (typeof value === 'string') sealed = sealer.seal(column, rowId, value);
  else throw new Error(`${column} holds text, not ${typeof value}`);
  return `\\x${sealed.toString('hex')}`;
}

/** Runs fn over items in slices, so one statement never carries an unbounded payload. */
export async function inSlices<T>(
  items: readonly T[],
  size: number,
  fn: (slice: T[]) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) await fn(items.slice(i, i + size));
}
