// The administrator's view of sync runs: counts, conflicts and the reason for any rejection.
import { Type } from 'typebox';
import type { Tx } from '../../core/context.ts';

export const RunItem = Type.Object({
  id: Type.String(),
  source: Type.String(),
  format: Type.String(),
  kind: Type.String(),
  status: Type.String(),
  added: Type.Integer(),
  changed: Type.Integer(),
  archived: Type.Integer(),
  rejected: Type.Integer(),
  marks: Type.Integer(),
  conflicts: Type.Array(
    Type.Object({
      kind: Type.String(),
      pupilId: Type.String(),
      field: Type.String(),
      contactId: Type.Optional(Type.String()),
    }),
  ),
  error: Type.Union([Type.String(), Type.Null()]),
  startedAt: Type.String(),
});

type Row = {
  id: string;
  source: string;
  format: string;
  kind: string;
  status: string;
  added: number;
  changed: number;
  archived: number;
  rejected: number;
  marks: number;
  conflicts: { kind: string; pupilId: string; field: string; contactId?: string }[];
  error: string | null;
  started_at: Date;
};

export async function listRuns(t: Tx) {
  const rows = await t.q<Row>(
    `SELECT id, source, format, kind, status, added, changed, archived, rejected, marks, conflicts,
       error, started_at FROM mis_sync_runs ORDER BY started_at DESC, finished_at DESC LIMIT 50`,
  );
  await t.audit({ action: 'mis.runs_viewed', details: { count: rows.length } });
  return rows.map((r) => ({
    id: r.id,
    source: r.source,
    format: r.format,
    kind: r.kind,
    status: r.status,
    added: r.added,
    changed: r.changed,
    archived: r.archived,
    rejected: r.rejected,
    marks: r.marks,
    conflicts: r.conflicts,
    error: r.error,
    startedAt: r.started_at.toISOString(),
  }));
}
