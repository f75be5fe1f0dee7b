// Opening a sealed value found by the catalogue walk (the export, issue 15). A sealed value is
// bound to its column and a row id (Sealer: school:column:row); most columns use the row's `id`,
// a few another column (a blob its attachment's id, a TOTP secret its user's) or two joined by
// ':' (a breach update: breach and phase). Rather than a list kept by hand that a new table would
// miss, the candidates are tried in a fixed order and the rule that opened a column is remembered
// for the rest of its rows. A value none opens is counted and exported still sealed, never
// dropped. AES-GCM refuses a wrong row id, so a wrong candidate can never open a value wrongly.
import type { Sealer } from '../../platform/crypto/school-keys.ts';
import {
  SEALED_COLUMNS,
  type SealedColumn,
  type SealedJsonColumn,
  type SealedTextColumn,
} from '../../platform/crypto/sealed-columns.ts';

/** Which row values make the row id: one column, or two joined by ':'. */
export type RowIdRule = readonly string[];

function candidates(row: Record<string, unknown>): RowIdRule[] {
  const cols = Object.keys(row).filter((c) => !c.startsWith('__'));
  const ids = cols.filter((c) => c === 'id' || c.endsWith('_id'));
  const scalar = cols.filter((c) => ['string', 'number'].includes(typeof row[c]));
  const out: RowIdRule[] = ids.map((c) => [c]);
  for (const a of ids) for (const b of scalar) if (a !== b) out.push([a, b]);
  return out;
}

const idOf = (row: Record<string, unknown>, rule: RowIdRule) =>
  rule.map((c) => String(row[c])).join(':');

function tryOpen(sealer: Sealer, column: SealedColumn, rowId: string, sealed: Buffer): unknown {
  return SEALED_COLUMNS[column] === 'json'
    ? sealer.openJson(column as SealedJsonColumn, rowId, sealed)
    : sealer.open(column as SealedTextColumn, rowId, sealed);
}

export function openSealed(
  sealer: Sealer,
  column: SealedColumn,
  row: Record<string, unknown>,
  sealed: Buffer,
  rules: Map<string, RowIdRule>,
): { ok: true; value: unknown } | { ok: false } {
  const known = rules.get(column);
  const tries = known
    ? [known, ...candidates(row).filter((r) => r.join() !== known.join())]
    : candidates(row);
  for (const rule of tries) {
    if (rule.some((c) => row[c] === null || row[c] === undefined)) continue;
    try {
      const value = tryOpen(sealer, column, idOf(row, rule), sealed);
      rules.set(column, rule);
      return { ok: true, value };
    } catch {
      // Not this row id: try the next.
    }
  }
  return { ok: false };
}
