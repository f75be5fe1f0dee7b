// Sealing is bound to the declared columns: the @ts-expect-error lines fail the type check
// (`npm test` runs tsc) the day an undeclared column would compile.
import { describe, expect, it } from 'vitest';
import { SEALED_COLUMNS } from './sealed-columns.ts';
import type { Sealer } from './school-keys.ts';

type SealArgs = Parameters<Sealer['seal']>;

describe('sealed columns', () => {
  it('are declared once, as table.column, text or JSON', () => {
    for (const [column, kind] of Object.entries(SEALED_COLUMNS)) {
      expect(column).toMatch(/^[a-z_]+\.[a-z_]+$/);
      expect(['text', 'json']).toContain(kind);
    }
  });

  it('refuse an undeclared column at compile time', () => {
    const ok: SealArgs = ['concerns.body', 'row', 'text'];
    // @ts-expect-error a column nobody declared
    const undeclared: SealArgs = ['concerns.secret_notes', 'row', 'text'];
    // @ts-expect-error a JSON column sealed as text
    const wrongKind: SealArgs = ['concerns.body_map', 'row', 'text'];
    expect([ok, undeclared, wrongKind].map((a) => a[0] in SEALED_COLUMNS)).toEqual([
      true,
      false,
      true,
    ]);
  });
});
