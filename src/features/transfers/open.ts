// Opening a transfer task (issue 18): a pupil leaving — named as a leaver by the MIS sync, or
// marked leaving by hand with a date — who has any safeguarding record, open or closed, gets one
// transfer for the DSL team, with the leaving date and the destination (a URN from the directory)
// or "unknown". Setting the destination later restarts the clock from that day.
import { randomUUID } from 'node:crypto';
import type { SchoolTx } from '../../core/context.ts';
import { badRequest, conflict, notFound } from '../../core/errors.ts';
import type { ClockRule } from '../../shared/schemas/transfers.ts';

/** Today in England: the day a clock counts from (an instant is not a date). */
export const englandToday = (now: Date) =>
  now.toLocaleDateString('en-CA', { timeZone: 'Europe/London' });

export async function clockRuleOf(t: SchoolTx): Promise<ClockRule> {
  const [row] = await t.q<{ clock_rule: ClockRule }>('SELECT clock_rule FROM transfer_settings');
  return row?.clock_rule ?? 'school_days';
}

async function hasSafeguardingRecord(t: SchoolTx, pupilId: string): Promise<boolean> {
  const rows = await t.q('SELECT 1 FROM concern_pupils WHERE pupil_id = $1 LIMIT 1', [pupilId]);
  return rows.length > 0;
}

async function requireEstablishment(t: SchoolTx, urn: number): Promise<void> {
  const rows = await t.q('SELECT 1 FROM establishments WHERE urn = $1', [urn]);
  if (rows.length === 0)
    throw badRequest('That URN is not in the directory of schools.', 'destinationUrn');
}

/** Opens the pupil's transfer; refuses a pupil with no safeguarding record or a live transfer. */
export async function openTransfer(
  t: SchoolTx,
  o: {
    pupilId: string;
    leavingOn: string;
    destinationUrn: number | null;
    trigger: 'mis_leaver' | 'by_hand';
  },
): Promise<{ id: string }> {
  const pupil = await t.q('SELECT 1 FROM pupils WHERE id = $1', [o.pupilId]);
  if (pupil.length === 0) throw notFound('That pupil');
  if (!(await hasSafeguardingRecord(t, o.pupilId)))
    throw badRequest(
      'This pupil has no safeguarding records, so there is no child-protection file to send.',
      'pupilId',
    );
  if (o.destinationUrn !== null) await requireEstablishment(t, o.destinationUrn);
  const live = await t.q(
    `SELECT 1 FROM transfers WHERE pupil_id = $1 AND state IN ('draft', 'sent', 'viewed')`,
    [o.pupilId],
  );
  if (live.length > 0) throw conflict('This pupil already has a transfer under way.');
  const id = randomUUID();
  await t.q(
    `INSERT INTO transfers (id, school_id, pupil_id, trigger, leaving_on, destination_urn,
       destination_set_on, clock_rule, state, state_changed_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'draft', $9, $9)`,
    [
      id,
      t.schoolId,
      o.pupilId,
      o.trigger,
      o.leavingOn,
      o.destinationUrn,
      o.destinationUrn === null ? null : englandToday(t.now),
      await clockRuleOf(t),
      t.now,
    ],
  );
  await t.audit({
    action: 'transfer.opened',
    targetType: 'transfer',
    targetId: id,
    details: {
      pupil: o.pupilId,
      trigger: o.trigger,
      leavingOn: o.leavingOn,
      destination: o.destinationUrn === null ? 'unknown' : String(o.destinationUrn),
    },
  });
  return { id };
}

/**
 * After an MIS run: a transfer for each pupil the run named as leaving who has any safeguarding
 * record and no live transfer. The destination is unknown until the DSL sets it (MIS feeds do not
 * carry the next school reliably).
 */
export async function openTransfersForLeavers(t: SchoolTx, runId: string): Promise<number> {
  const leavers = await t.q<{ pupil_id: string; left_on: string }>(
    `SELECT DISTINCT ON (e.pupil_id) e.pupil_id,
       to_char(e.happened_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS left_on
     FROM pupil_events e
     WHERE e.run_id = $1 AND e.kind = 'left'
       AND EXISTS (SELECT 1 FROM concern_pupils cp WHERE cp.pupil_id = e.pupil_id)
       AND NOT EXISTS (SELECT 1 FROM transfers x WHERE x.pupil_id = e.pupil_id
                         AND x.state IN ('draft', 'sent', 'viewed'))
     ORDER BY e.pupil_id, e.happened_at DESC`,
    [runId],
  );
  for (const l of leavers)
    await openTransfer(t, {
      pupilId: l.pupil_id,
      leavingOn: l.left_on,
      destinationUrn: null,
      trigger: 'mis_leaver',
    });
  return leavers.length;
}

/** Sets (or changes) the destination of a draft: the clock restarts from today. */
export async function setDestination(t: SchoolTx, id: string, urn: number): Promise<void> {
  await requireEstablishment(t, urn);
  const done = await t.q(
    `UPDATE transfers SET destination_urn = $2, destination_set_on = $3, state_changed_at = $4
     WHERE id = $1 AND state = 'draft' RETURNING id`,
    [id, urn, englandToday(t.now), t.now],
  );
  if (done.length === 0) {
    const exists = await t.q('SELECT 1 FROM transfers WHERE id = $1', [id]);
    if (exists.length === 0) throw notFound('That transfer');
    throw conflict('The destination can only be changed before the file is sent.');
  }
  await t.audit({
    action: 'transfer.destination_set',
    targetType: 'transfer',
    targetId: id,
    details: { urn: String(urn) },
  });
}
