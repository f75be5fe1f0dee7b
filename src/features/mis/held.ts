// The guard against a feed that would empty the school. A truncated export or a wrong filter at
// the integrator looks, to a full snapshot, like the whole school leaving; applied, it would
// archive every child overnight; a delta naming every pupil as deleted or left does the same. So a
// run of either kind that would archive more than the school's share of the pupils on roll (mis_settings.guard_percent, 10 % unless set) or every member of staff
// applies nothing: it is kept as `held`, with the ids it would archive and its feed sealed under
// the school's key, and the administrators are alerted. An administrator applies it (the held
// feed goes through the one sync engine, the guard waived for that run only) or discards it;
// either decision is audited. To change safely: the check runs inside the run's transaction on
// the snapshot actually read, and nothing here writes outside `recordHeld` and `decideHeld`.
import type { SchoolTx, Tx } from '../../core/context.ts';
import { conflict, notFound } from '../../core/errors.ts';
import { raiseAlerts } from '../alerts/service.ts';
import type { HeldRun } from '../../shared/schemas/mis.ts';
import type { AttendanceMark, Snapshot } from './snapshot.ts';
import { loadMisSettings } from './settings.ts';
import { keyedRecordHash } from './sync/state.ts';

export type HeldPlan = {
  kind: Snapshot['kind'];
  pupilIds: string[];
  staffIds: string[];
  pupilsOnRoll: number;
  staffOnRoll: number;
  percent: number;
  reason: string;
};

/** Thrown inside the run's transaction so that nothing of it is applied. */
export class RunHeld extends Error {
  readonly plan: HeldPlan;
  constructor(plan: HeldPlan) {
    super(plan.reason);
    this.name = 'RunHeld';
    this.plan = plan;
  }
}

/**
 * What a run would archive, and whether that is past the school's guard. A full snapshot archives
 * everyone it leaves out; a delta archives everyone it names as deleted or left (a changeset whose
 * deletions list every pupil empties the school just as surely), so both kinds are planned.
 */
export async function guardPlan(t: SchoolTx, snap: Snapshot): Promise<HeldPlan | null> {
  const { guardPercent } = await loadMisSettings(t);
  const { pupilIds, staffIds, pupilsOnRoll, staffOnRoll } = await wouldArchive(t, snap);
  const tooManyPupils = pupilIds.length * 100 > pupilsOnRoll * guardPercent;
  const allStaff = staffOnRoll > 0 && staffIds.length === staffOnRoll;
  if (!tooManyPupils && !allStaff) return null;
  const what = snap.kind === 'full' ? 'This full snapshot' : 'This delta';
  const reason = tooManyPupils
    ? `${what} would archive ${pupilIds.length} of the ${pupilsOnRoll} pupils on roll, ` +
      `more than the school's limit of ${guardPercent} %`
    : `${what} would archive all ${staffOnRoll} members of staff`;
  return {
    kind: snap.kind,
    pupilIds,
    staffIds,
    pupilsOnRoll,
    staffOnRoll,
    percent: guardPercent,
    reason: `${reason}; it is held, nothing applied, until an administrator applies or discards it.`,
  };
}

type Archiving = Pick<HeldPlan, 'pupilIds' | 'staffIds' | 'pupilsOnRoll' | 'staffOnRoll'>;

/** The pupils and staff on roll that the run would archive (ids), and how many are on roll. */
async function wouldArchive(t: SchoolTx, snap: Snapshot): Promise<Archiving> {
  const pupils = await t.q<{ id: string; mis_id: string; upn: string | null }>(
    'SELECT id, mis_id, upn FROM pupils WHERE archived_at IS NULL AND mis_id IS NOT NULL',
  );
  const named = (entity: 'pupil' | 'staff') => {
    const back = new Set(snap.restorations.filter((r) => r.entity === entity).map((r) => r.misId));
    return new Set(
      snap.deletions.filter((d) => d.entity === entity && !back.has(d.misId)).map((d) => d.misId),
    );
  };
  const namedPupils = named('pupil');
  const ids = new Set(snap.pupils.map((p) => p.misId));
  const upns = new Set(snap.pupils.flatMap((p) => (p.upn ? [p.upn] : [])));
  const leftOut = (p: { mis_id: string; upn: string | null }) =>
    snap.kind === 'full' && !ids.has(p.mis_id) && !(p.upn && upns.has(p.upn));
  const pupilIds = pupils.filter((p) => namedPupils.has(p.mis_id) || leftOut(p)).map((p) => p.id);
  // A format that carries no staff (a SIMS report) leaves them alone, so cannot empty them.
  const staff =
    snap.format === 'csv'
      ? []
      : await t.q<{ id: string; mis_id: string }>(
          'SELECT id, mis_id FROM mis_staff WHERE left_at IS NULL',
        );
  const staffIn = new Set(snap.staff.map((s) => s.misId));
  const namedStaff = named('staff');
  const staffIds = staff
    .filter((s) => namedStaff.has(s.mis_id) || (snap.kind === 'full' && !staffIn.has(s.mis_id)))
    .map((s) => s.id);
  return { pupilIds, staffIds, pupilsOnRoll: pupils.length, staffOnRoll: staff.length };
}

type HeldFeed = Omit<Snapshot, 'attendanceMarks'> & { marks: AttendanceMark[] };

/** The snapshot as plain data, marks included (a held feed must outlive its files). */
export async function heldFeedOf(snap: Snapshot): Promise<HeldFeed> {
  const marks: AttendanceMark[] = [];
  for await (const m of snap.attendanceMarks()) marks.push(m);
  const rest: Omit<Snapshot, 'attendanceMarks'> = {
    format: snap.format,
    kind: snap.kind,
    pupils: snap.pupils,
    contacts: snap.contacts,
    staff: snap.staff,
    groups: snap.groups,
    memberships: snap.memberships,
    attendanceCodes: snap.attendanceCodes,
    deletions: snap.deletions,
    restorations: snap.restorations,
    nextCursor: snap.nextCursor,
    encoding: snap.encoding,
  };
  return { ...rest, marks };
}

function snapshotOf(feed: HeldFeed): Snapshot {
  const { marks, ...rest } = feed;
  return {
    ...rest,
    attendanceMarks: async function* () {
      yield* marks;
    },
  };
}

type RunMeta = { id: string; source: string; format: string; batchId: string | null; at: Date };

/**
 * Records the held run in its own transaction (the run itself rolled back) and alerts. A feed
 * identical to one already held and undecided (an integrator pushing the same batch again) is not
 * held twice: the id of the run already waiting is returned instead.
 */
export async function recordHeld(
  t: SchoolTx,
  run: RunMeta,
  plan: HeldPlan,
  feed: HeldFeed,
): Promise<string> {
  const sealer = await t.sealer();
  const feedDigest = keyedRecordHash(sealer, feed);
  const [same] = await t.q<{ id: string }>(
    `SELECT id FROM mis_sync_runs WHERE status = 'held' AND held->>'feedDigest' = $1 LIMIT 1`,
    [feedDigest],
  );
  if (same) return same.id;
  await t.q(
    `INSERT INTO mis_sync_runs (id, school_id, source, format, kind, batch_id, status, archived,
       error, held, held_feed, next_cursor, started_at)
     VALUES ($1, $2, $3, $4, $11, NULL, 'held', $5, $6, $7, $8, $9, $10)`,
    [
      run.id,
      t.schoolId,
      run.source,
      run.format,
      plan.pupilIds.length + plan.staffIds.length,
      plan.reason,
      JSON.stringify({
        pupilIds: plan.pupilIds,
        staffIds: plan.staffIds,
        pupilsOnRoll: plan.pupilsOnRoll,
        staffOnRoll: plan.staffOnRoll,
        percent: plan.percent,
        batchId: run.batchId,
        feedDigest,
      }),
      sealer.sealJson('mis_sync_runs.held_feed', run.id, feed),
      feed.nextCursor,
      run.at,
      plan.kind,
    ],
  );
  await raiseAlerts(t.db, t.schoolId, t.now, {
    kind: 'mis_run_held',
    targetType: 'mis_sync_run',
    targetId: run.id,
    userIds: [],
    groups: ['school_admin'],
  });
  await t.audit({
    action: 'mis.sync_held',
    targetType: 'mis_sync_run',
    targetId: run.id,
    details: {
      source: run.source,
      format: run.format,
      pupils: plan.pupilIds.length,
      pupilsOnRoll: plan.pupilsOnRoll,
      staff: plan.staffIds.length,
      staffOnRoll: plan.staffOnRoll,
    },
  });
  return run.id;
}

/** The held run still waiting for a decision, if any (the scheduled pull waits for it). */
export async function heldWaiting(t: SchoolTx): Promise<{ id: string; reason: string } | null> {
  const [row] = await t.q<{ id: string; error: string | null }>(
    `SELECT id, error FROM mis_sync_runs WHERE status = 'held' ORDER BY started_at DESC LIMIT 1`,
  );
  return row ? { id: row.id, reason: row.error ?? '' } : null;
}

type HeldRow = {
  id: string;
  source: string;
  format: string;
  error: string | null;
  started_at: Date;
  held: {
    pupilIds: string[];
    staffIds: string[];
    pupilsOnRoll: number;
    staffOnRoll: number;
    percent: number;
  };
};

/** The held runs waiting for a decision, each with the names it would archive. */
export async function listHeld(t: Tx): Promise<HeldRun[]> {
  const rows = await t.q<HeldRow>(
    `SELECT id, source, format, error, held, started_at FROM mis_sync_runs
     WHERE status = 'held' ORDER BY started_at DESC LIMIT 20`,
  );
  const out: HeldRun[] = [];
  for (const r of rows) {
    const pupils = await t.q<{ id: string; name: string; year_group: string | null }>(
      `SELECT id, coalesce(display_name, first_name || ' ' || last_name) AS name, year_group
       FROM pupils WHERE id = ANY($1::uuid[]) ORDER BY last_name, first_name, id`,
      [r.held.pupilIds],
    );
    const staff = await t.q<{ id: string; name: string }>(
      `SELECT id, first_name || ' ' || last_name AS name FROM mis_staff
       WHERE id = ANY($1::uuid[]) ORDER BY last_name, first_name, id`,
      [r.held.staffIds],
    );
    out.push({
      id: r.id,
      source: r.source,
      format: r.format,
      reason: r.error ?? '',
      startedAt: r.started_at.toISOString(),
      pupilsOnRoll: r.held.pupilsOnRoll,
      staffOnRoll: r.held.staffOnRoll,
      percent: r.held.percent,
      pupils: pupils.map((p) => ({ id: p.id, name: p.name, yearGroup: p.year_group })),
      staff: staff.map((s) => ({ id: s.id, name: s.name })),
    });
  }
  await t.audit({ action: 'mis.held_viewed', details: { count: out.length } });
  return out;
}

/**
 * Takes a held run for a decision: its feed back as a snapshot (apply) or nothing (discard). The
 * row is marked decided in the same transaction, so two administrators cannot both decide it.
 */
export async function decideHeld(
  t: Tx,
  runId: string,
  decision: 'apply' | 'discard',
): Promise<{ snapshot: Snapshot | null; source: string }> {
  const [row] = await t.q<{
    id: string;
    status: string;
    source: string;
    held_feed: Buffer | null;
    held: { pupilIds: string[]; staffIds: string[] } | null;
    started_at: Date;
  }>(
    `SELECT id, status, source, held_feed, held, started_at FROM mis_sync_runs
     WHERE id = $1 FOR UPDATE`,
    [runId],
  );
  if (!row) throw notFound('That MIS run');
  if (row.status !== 'held' || !row.held_feed)
    throw conflict('That MIS run is not held (it was applied, discarded or superseded already).');
  const sealer = await t.sealer();
  let feed: HeldFeed | null = null;
  if (decision === 'apply') {
    feed = sealer.openJson<HeldFeed>('mis_sync_runs.held_feed', runId, row.held_feed);
    await checkStillHolds(t, row, snapshotOf(feed));
  }
  await t.q(
    `UPDATE mis_sync_runs SET status = $2, held_feed = NULL, decided_by = $3, decided_at = $4
     WHERE id = $1`,
    [runId, decision === 'apply' ? 'released' : 'discarded', t.actor.userId, t.now],
  );
  await t.q(
    `UPDATE alerts SET acknowledged_at = coalesce(acknowledged_at, $2)
     WHERE target_type = 'mis_sync_run' AND target_id = $1`,
    [runId, t.now],
  );
  await t.audit({
    action: decision === 'apply' ? 'mis.held_applied' : 'mis.held_discarded',
    targetType: 'mis_sync_run',
    targetId: runId,
  });
  return { snapshot: feed ? snapshotOf(feed) : null, source: row.source };
}

const CHANGED_SINCE = "the school's data has changed since this run was held; run the import again";

/**
 * An administrator approved the names shown when the run was held, not whatever the feed would
 * archive today. So a held run is applied only if no run was applied after it started, and if
 * what it would archive now is no more than what was shown (a subset of the stored ids).
 */
async function checkStillHolds(
  t: SchoolTx,
  row: { id: string; held: { pupilIds: string[]; staffIds: string[] } | null; started_at: Date },
  snapshot: Snapshot,
): Promise<void> {
  const [later] = await t.q<{ id: string }>(
    `SELECT id FROM mis_sync_runs WHERE status IN ('applied', 'released') AND id <> $1
       AND started_at > $2 LIMIT 1`,
    [row.id, row.started_at],
  );
  if (later) throw conflict(`This run cannot be applied: ${CHANGED_SINCE}.`);
  const now = await wouldArchive(t, snapshot);
  const shown = new Set([...(row.held?.pupilIds ?? []), ...(row.held?.staffIds ?? [])]);
  if ([...now.pupilIds, ...now.staffIds].some((id) => !shown.has(id)))
    throw conflict(`This run cannot be applied: ${CHANGED_SINCE}.`);
}

/** A full run applied: older held runs no one decided on are out of date, and are closed. */
export async function supersedeHeld(t: SchoolTx, before: Date): Promise<void> {
  const ids = await t.q<{ id: string }>(
    `UPDATE mis_sync_runs SET status = 'superseded', held_feed = NULL
     WHERE status = 'held' AND started_at <= $1 RETURNING id`,
    [before],
  );
  if (ids.length === 0) return;
  await t.q(
    `UPDATE alerts SET acknowledged_at = coalesce(acknowledged_at, $2)
     WHERE target_type = 'mis_sync_run' AND target_id = ANY($1::uuid[])`,
    [ids.map((r) => r.id), t.now],
  );
}
