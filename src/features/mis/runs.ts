// The administrator's view of sync runs: counts, conflicts and the reason for any rejection.
import type { Tx } from '../../core/context.ts';
import type { RunConflict, RunItem } from '../../shared/schemas/mis.ts';

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
  conflicts: RunConflict[];
  error: string | null;
  started_at: Date;
  encoding: string | null;
};

export async function listRuns(t: Tx): Promise<RunItem[]> {
  const rows = await t.q<Row>(
    `SELECT id, source, format, kind, status, added, changed, archived, rejected, marks, conflicts,
       error, started_at, details->>'encoding' AS encoding FROM mis_sync_runs ORDER BY started_at DESC, finished_at DESC LIMIT 50`,
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
    encoding: r.encoding,
  }));
}
