// The one sync engine. Every feed (CLI files, pushed batches, pulled pages) arrives as a
// validated Snapshot and is applied here in ONE transaction: any failure — a bad record in the
// mark stream, a constraint — rolls everything back, and the rejection is then recorded on its
// own with the reason. A batch id already applied is answered from the record, changing nothing.
// The caller's door (asSystem: the MIS sync, an API key) opens both transactions and names who
// the audit trail records. To change safely: keep every write inside `applySnapshot`, and keep
// rejected runs outside it.
import type { SchoolTx, SystemContext } from '../../core/context.ts';
import { MisFormatError, type Snapshot } from './snapshot.ts';
import { emptyCounts, keyedRecordHash, type Conflict, type SyncState } from './sync/state.ts';
import { syncGroups, syncMemberships } from './sync/groups.ts';
import { syncPupils } from './sync/pupils.ts';
import { syncContacts, syncStaff } from './sync/people.ts';
import { syncAttendanceCodes, syncMarks } from './sync/marks.ts';
import { syncTeachingRefs } from './sync/teaching.ts';
import { storeCursor } from './settings.ts';
import { guardPlan, heldFeedOf, recordHeld, RunHeld, supersedeHeld } from './held.ts';
import { openTransfersForLeavers } from '../transfers/open.ts';

export type SyncSource = 'cli' | 'push' | 'pull';

export type SyncResult = {
  runId: string;
  status: 'applied' | 'rejected' | 'held';
  duplicate: boolean;
  added: number;
  changed: number;
  archived: number;
  rejected: number;
  marks: number;
  conflicts: Conflict[];
  details: Record<string, unknown>;
  error: string | null;
};

export class SyncRejected extends Error {
  readonly result: SyncResult;
  constructor(result: SyncResult) {
    super(result.error ?? 'The batch was rejected.');
    this.name = 'SyncRejected';
    this.result = result;
  }
}

export type SyncOptions = {
  source: SyncSource;
  batchId?: string | null;
  /** The feed's format, for the record of a run rejected before its snapshot was read. */
  format?: Snapshot['format'];
  /** An administrator applying a held run: the guard has had its say. */
  waiveGuard?: boolean;
};

type Run = {
  id: string;
  opts: SyncOptions;
  format: Snapshot['format'] | null;
  kind: Snapshot['kind'];
  startedAt: Date | null;
  snapshot: Snapshot | null;
};

/** Applies a snapshot (or records why it could not be). Throws SyncRejected on rejection. */
export async function runSync(
  door: SystemContext,
  snap: Snapshot | ((t: SchoolTx) => Promise<Snapshot>),
  opts: SyncOptions,
): Promise<SyncResult> {
  const run: Run = {
    id: crypto.randomUUID(),
    opts,
    format: typeof snap === 'function' ? (opts.format ?? null) : snap.format,
    kind: typeof snap === 'function' ? 'full' : snap.kind,
    startedAt: null,
    snapshot: null,
  };
  try {
    return await door.tx((t) => applySnapshot(t, run, snap));
  } catch (thrown) {
    let err: unknown = thrown;
    if (thrown instanceof RunHeld && run.snapshot) {
      // Reading the held feed's marks can still find a bad one: then the run is rejected.
      const snapshot = run.snapshot;
      try {
        return await holdRun(door, run, snapshot, thrown);
      } catch (e) {
        err = e;
      }
    }
    const error = explain(err);
    const result: SyncResult = {
      runId: run.id,
      status: 'rejected',
      duplicate: false,
      added: 0,
      changed: 0,
      archived: 0,
      rejected: 1,
      marks: 0,
      conflicts: [],
      details: {},
      error,
    };
    await door.tx((t) => recordRejection(t, run, error));
    throw new SyncRejected(result);
  }
}

/** The run rolled back; it is kept as held, with its feed, for an administrator to decide. */
async function holdRun(
  door: SystemContext,
  run: Run,
  snapshot: Snapshot,
  held: RunHeld,
): Promise<SyncResult> {
  const feed = await heldFeedOf(snapshot);
  const runId = await door.tx((t) =>
    recordHeld(
      t,
      {
        id: run.id,
        source: run.opts.source,
        format: snapshot.format,
        batchId: run.opts.batchId ?? null,
        at: run.startedAt ?? t.now,
      },
      held.plan,
      feed,
    ),
  );
  return {
    runId,
    status: 'held',
    duplicate: runId !== run.id,
    added: 0,
    changed: 0,
    archived: 0,
    rejected: 0,
    marks: 0,
    conflicts: [],
    details: { held: { pupils: held.plan.pupilIds.length, staff: held.plan.staffIds.length } },
    error: held.plan.reason,
  };
}

/**
 * A held run's feed, applied by an administrator inside the request's transaction (with the
 * decision, so a failure leaves the run held). The guard is waived for this run only.
 */
export async function applyHeldSnapshot(
  t: SchoolTx,
  snapshot: Snapshot,
  source: SyncSource,
): Promise<SyncResult> {
  const run: Run = {
    id: crypto.randomUUID(),
    opts: { source, waiveGuard: true },
    format: snapshot.format,
    kind: snapshot.kind,
    startedAt: null,
    snapshot: null,
  };
  return applySnapshot(t, run, snapshot);
}

/** The whole run in the caller's one transaction: a throw anywhere rolls all of it back. */
async function applySnapshot(
  t: SchoolTx,
  run: Run,
  snap: Snapshot | ((t: SchoolTx) => Promise<Snapshot>),
): Promise<SyncResult> {
  const { q, schoolId, now } = t;
  run.startedAt = now;
  const { opts } = run;
  if (opts.batchId) {
    const [prior] = await q<RunRow>(
      `SELECT ${RUN_COLS} FROM mis_sync_runs WHERE batch_id = $1 AND status = 'applied'`,
      [opts.batchId],
    );
    if (prior) return { ...resultOf(prior), duplicate: true };
  }
  const snapshot = typeof snap === 'function' ? await snap(t) : snap;
  const { format, kind } = snapshot;
  run.format = format;
  run.kind = kind;
  run.snapshot = snapshot;
  if (!opts.waiveGuard) {
    const plan = await guardPlan(t, snapshot);
    if (plan) throw new RunHeld(plan);
  }
  const sealer = await t.sealer();
  const s: SyncState = {
    q: t.db,
    schoolId,
    runId: run.id,
    kind,
    now,
    audit: (event) => t.audit(event),
    sealer,
    hash: (value) => keyedRecordHash(sealer, value),
    pupils: emptyCounts(),
    contacts: emptyCounts(),
    staff: emptyCounts(),
    groups: emptyCounts(),
    memberships: { added: 0, removed: 0, skipped: 0 },
    marks: { written: 0, skipped: 0 },
    conflicts: [],
    pupilIds: new Map(),
    staffIds: new Map(),
    groupIds: new Map(),
    touchedMembers: new Set(),
  };
  await q(
    `INSERT INTO mis_sync_runs (id, school_id, source, format, kind, batch_id, status, started_at,
       next_cursor)
     VALUES ($1, $2, $3, $4, $5, $6, 'applied', $7, $8)`,
    [
      run.id,
      schoolId,
      opts.source,
      format,
      kind,
      opts.batchId ?? null,
      now,
      snapshot.nextCursor?.slice(0, 2000) ?? null,
    ],
  );
  await syncGroups(s, snapshot);
  await syncPupils(s, snapshot);
  await syncStaff(s, snapshot);
  await syncMemberships(s, snapshot);
  await syncTeachingRefs(s);
  await syncContacts(s, snapshot);
  await syncAttendanceCodes(s, snapshot);
  await syncMarks(s, snapshot);
  // Issue 18: a leaver with any safeguarding record opens a child-protection file transfer.
  await openTransfersForLeavers(t, run.id);
  const result = summarise(s);
  if (snapshot.encoding) result.details.encoding = snapshot.encoding;
  if (kind === 'full') await supersedeHeld(t, now);
  // Xporter's next-changes marker, kept for the next changeset request (a pull stores its own).
  if (snapshot.format === 'xporter' && snapshot.nextCursor !== null)
    await storeCursor(t, 'xporter', snapshot.nextCursor);
  await q(
    `UPDATE mis_sync_runs SET added = $2, changed = $3, archived = $4, marks = $5,
       details = $6, conflicts = $7, finished_at = now() WHERE id = $1`,
    [
      run.id,
      result.added,
      result.changed,
      result.archived,
      result.marks,
      JSON.stringify(result.details),
      JSON.stringify(result.conflicts),
    ],
  );
  await t.audit({
    action: 'mis.sync_applied',
    targetType: 'mis_sync_run',
    targetId: run.id,
    details: {
      source: opts.source,
      format,
      kind,
      added: result.added,
      changed: result.changed,
      archived: result.archived,
      conflicts: result.conflicts.length,
    },
  });
  return result;
}

/** A rejected run, recorded on its own after the run itself rolled back. */
async function recordRejection(t: SchoolTx, run: Run, error: string): Promise<void> {
  const { opts, format } = run;
  await t.q(
    `INSERT INTO mis_sync_runs (id, school_id, source, format, kind, batch_id, status,
       rejected, error, started_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'rejected', 1, $7, $8)`,
    [
      run.id,
      t.schoolId,
      opts.source,
      format ?? 'wonde',
      run.kind,
      opts.batchId ?? null,
      error.slice(0, 2000),
      run.startedAt ?? t.now,
    ],
  );
  await t.audit({
    action: 'mis.sync_rejected',
    targetType: 'mis_sync_run',
    targetId: run.id,
    details: { source: opts.source, format },
  });
}

/** A reason an administrator can act on; never a stack, never more than a short excerpt. */
function explain(err: unknown): string {
  if (err instanceof MisFormatError) return err.message;
  if (err instanceof Error) {
    const detail = (err as { detail?: unknown }).detail;
    return `The batch could not be applied: ${err.message}${typeof detail === 'string' ? ` (${detail})` : ''}`.slice(
      0,
      1000,
    );
  }
  return 'The batch could not be applied.';
}

function summarise(s: SyncState): SyncResult {
  const all = [s.pupils, s.contacts, s.staff, s.groups];
  return {
    runId: s.runId,
    status: 'applied',
    duplicate: false,
    added: all.reduce((n, c) => n + c.added + c.restored, 0),
    changed: all.reduce((n, c) => n + c.changed, 0),
    archived: all.reduce((n, c) => n + c.archived, 0),
    rejected: 0,
    marks: s.marks.written,
    conflicts: s.conflicts,
    details: {
      pupils: s.pupils,
      contacts: s.contacts,
      staff: s.staff,
      groups: s.groups,
      memberships: s.memberships,
      marks: s.marks,
    },
    error: null,
  };
}

export const RUN_COLS = `id, status, added, changed, archived, rejected, marks, details, conflicts, error`;
export type RunRow = {
  id: string;
  status: 'applied' | 'rejected';
  added: number;
  changed: number;
  archived: number;
  rejected: number;
  marks: number;
  details: Record<string, unknown>;
  conflicts: Conflict[];
  error: string | null;
};

export function resultOf(r: RunRow): SyncResult {
  return {
    runId: r.id,
    status: r.status,
    duplicate: false,
    added: r.added,
    changed: r.changed,
    archived: r.archived,
    rejected: r.rejected,
    marks: r.marks,
    conflicts: r.conflicts,
    details: r.details,
    error: r.error,
  };
}

export function summaryLine(
  r: Pick<SyncResult, 'added' | 'changed' | 'archived' | 'rejected'>,
): string {
  return `added ${r.added}, changed ${r.changed}, archived ${r.archived}, rejected ${r.rejected}`;
}
