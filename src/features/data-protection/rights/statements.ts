// The subject's rectification statements travel with their record (issue 17): wherever a record
// leaves the school or is printed — the chronology PDF, a child-protection transfer file — the
// statements attached to it go with it, after its own text, which is never rewritten. Reading
// them is part of reading the record (audited there), so this has no audit of its own.
import type { Tx } from '../../../core/context.ts';

export type TravellingStatement = { statement: string; recordedAt: Date };

/** Each record's statements, oldest first, by the concern's id (records without are absent). */
export async function statementsByConcern(
  t: Tx,
  concernIds: readonly string[],
): Promise<Map<string, TravellingStatement[]>> {
  const out = new Map<string, TravellingStatement[]>();
  if (concernIds.length === 0) return out;
  const rows = await t.q<{ id: string; concern_id: string; statement: Buffer; recorded_at: Date }>(
    `SELECT id, concern_id, statement, recorded_at FROM dp_record_statements
     WHERE concern_id = ANY($1::uuid[]) ORDER BY recorded_at, id`,
    [[...new Set(concernIds)]],
  );
  if (rows.length === 0) return out;
  const sealer = await t.sealer();
  for (const r of rows)
    out.set(r.concern_id, [
      ...(out.get(r.concern_id) ?? []),
      {
        statement: sealer.open('dp_record_statements.statement', r.id, r.statement),
        recordedAt: r.recorded_at,
      },
    ]);
  return out;
}

/** The record's text with its statements after it, each saying what it is and when it was made. */
export function withStatements(
  text: string | null,
  statements: readonly TravellingStatement[] | undefined,
): string | null {
  if (!statements || statements.length === 0) return text;
  const day = (d: Date) =>
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
    }).format(d);
  return [
    text ?? '',
    ...statements.map(
      (s) =>
        `The subject’s statement (rectification, recorded ${day(s.recordedAt)}; the record above is unchanged): ${s.statement}`,
    ),
  ]
    .filter(Boolean)
    .join('\n\n');
}
