// The case manager's work on a concern about an adult (issue 19): triage (starting the LADO
// clock for a possible allegation), the LADO contact, KCSIE's outcome, the copy given to the
// member and the date the person left. Each first loads the matter through policy.ts's rule (so the person it names gets 404,
// never a way to act on it), checks the step is open now, and changes it in one transaction
// with its audit entry.
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { badRequest, conflict } from '../../core/errors.ts';
import { loadSchoolCalendar } from '../../core/calendar.ts';
import {
  OUTCOMES,
  type CopyGiven,
  type MatterAction,
  type NewLadoContact,
  type Outcome,
  type RecordLeaving,
  type RecordOutcome,
  type Triage,
} from '../../shared/schemas/staff-concerns.ts';
import { matterActions, notAllowedNow } from './policy.ts';
import { factsOf, loadVisibleMatter } from './matters.ts';
import { ladoDueAt, localDate } from './rules.ts';
import { settingsOf } from './settings.ts';
import { staffMatterRetentionKind } from '../retention/staff-matters.ts';

export async function openFor(t: Tx, id: string, action: MatterAction, refusal: string) {
  const { row, teams } = await loadVisibleMatter(t, id, { forUpdate: true });
  if (!matterActions(t.actor, teams, factsOf(row)).includes(action)) throw notAllowedNow(refusal);
  return row;
}

export async function triage(
  t: Tx,
  id: string,
  body: Triage,
): Promise<{ ladoDueAt: string | null }> {
  const row = await openFor(t, id, 'triage', 'This concern already has an outcome.');
  if (body.rationale.trim() === '')
    throw badRequest('Give a rationale for the decision.', 'missing');
  // Once the LADO clock runs (or the LADO has been told), the matter is an allegation: a downgrade
  // would stop the clock and overwrite the rationale that started it, so it is refused; the way on
  // is an outcome.
  if (
    body.classification !== 'possibly_meets_threshold' &&
    (row.lado_due_at !== null || row.lado_met)
  )
    throw notAllowedNow(
      'This concern was triaged as possibly meeting the harm threshold and its LADO clock has started, so it cannot be downgraded. Record the outcome instead.',
    );
  const settings = await settingsOf(t);
  if (body.theme !== undefined) {
    if (body.classification !== 'low_level')
      throw badRequest('Only a low-level concern has a theme.', 'theme_not_low_level');
    if (!settings.themes.includes(body.theme))
      throw badRequest("Choose a theme from the school's list.", 'unknown_theme');
  }
  let due: Date | null = null;
  if (body.classification === 'possibly_meets_threshold') {
    // The clock runs from when the school received it, and keeps its first due time if re-triaged.
    const cal = await loadSchoolCalendar(t.db, t.schoolId);
    due =
      row.lado_due_at ??
      ladoDueAt(row.raised_at, cal, { dueTime: settings.dueTime, timeZone: settings.timeZone });
  }
  const sealer = await t.sealer();
  await t.q(
    `UPDATE staff_concerns SET classification = $2, rationale = $3, triaged_by = $4,
       triaged_at = $5, lado_due_at = $6, theme = $7, retention_kind = $8 WHERE id = $1`,
    [
      id,
      body.classification,
      sealer.seal('staff_concerns.rationale', id, body.rationale),
      t.actor.userId,
      t.now,
      due,
      body.theme ?? null,
      staffMatterRetentionKind(body.classification, null),
    ],
  );
  await t.audit({
    action: 'staff_concerns.triaged',
    targetType: 'staff_concern',
    targetId: id,
    details: {
      classification: body.classification,
      ...(due !== null && { ladoDueAt: due.toISOString() }),
      ...(body.theme !== undefined && { theme: body.theme }),
    },
  });
  return { ladoDueAt: due?.toISOString() ?? null };
}

export async function recordLadoContact(
  t: Tx,
  id: string,
  body: NewLadoContact,
): Promise<{ id: string }> {
  await openFor(
    t,
    id,
    'record_lado',
    'A LADO contact is recorded only for a concern triaged as possibly meeting the harm threshold, not for a low-level concern.',
  );
  const contactedAt = new Date(body.contactedAt);
  if (contactedAt.getTime() > t.now.getTime() + 60_000)
    throw badRequest('The LADO contact cannot be in the future.', 'future');
  const contactId = randomUUID();
  const sealer = await t.sealer();
  const L = 'staff_concern_lado_contacts' as const;
  const opt = (col: `${typeof L}.reference` | `${typeof L}.suspension`, v?: string) =>
    v === undefined ? null : sealer.seal(col, contactId, v);
  await t.q(
    `INSERT INTO staff_concern_lado_contacts (id, school_id, staff_concern_id, officer,
       contacted_at, advice, reference, strategy_meeting_on, police_involved, social_care_involved,
       suspension, review_on, recorded_by, recorded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [
      contactId,
      t.schoolId,
      id,
      sealer.seal(`${L}.officer`, contactId, body.officer),
      contactedAt,
      sealer.seal(`${L}.advice`, contactId, body.advice),
      opt(`${L}.reference`, body.reference),
      body.strategyMeetingOn ?? null,
      body.policeInvolved === true,
      body.socialCareInvolved === true,
      opt(`${L}.suspension`, body.suspension),
      body.reviewOn ?? null,
      t.actor.userId,
      t.now,
    ],
  );
  await t.audit({
    action: 'staff_concerns.lado_contact_recorded',
    targetType: 'staff_concern',
    targetId: id,
    details: { contact: contactId },
  });
  return { id: contactId };
}

const isOutcome = (v: string): v is Outcome => (OUTCOMES as readonly string[]).includes(v);

/**
 * KCSIE's outcome. "Malicious" removes the matter from the member's file (KCSIE: such records
 * are removed from personnel records): its subject, text and LADO record are cleared and only
 * the anonymised fact that one was removed stays, counted in the case manager's list.
 */
export async function recordOutcome(t: Tx, id: string, body: RecordOutcome) {
  if (!isOutcome(body.outcome))
    throw badRequest(
      'Choose one of the five outcomes: substantiated, false, malicious, unsubstantiated or unfounded.',
      'unknown_outcome',
    );
  await openFor(
    t,
    id,
    'record_outcome',
    'An outcome is recorded once, for a concern triaged as possibly meeting the harm threshold.',
  );
  const removed = body.outcome === 'malicious';
  if (removed) {
    await t.q(`DELETE FROM staff_concern_lado_contacts WHERE staff_concern_id = $1`, [id]);
    await t.q(`DELETE FROM staff_concern_tasks WHERE staff_concern_id = $1`, [id]);
    await t.q(`DELETE FROM staff_concern_pupils WHERE staff_concern_id = $1`, [id]);
    // Its alerts lead nowhere now: they are closed for everyone they reached.
    await t.q(
      `UPDATE alerts SET acknowledged_at = $2 WHERE target_type = 'staff_concern'
         AND target_id = $1 AND acknowledged_at IS NULL`,
      [id, t.now],
    );
    await t.q(
      `UPDATE staff_concerns SET outcome = 'malicious', outcome_by = $2, outcome_at = $3,
         removed_at = $3, subject_user_id = NULL, subject_name = NULL, agency_name = NULL,
         what_happened = NULL, rationale = NULL, retention_kind = $4 WHERE id = $1`,
      [
        id,
        t.actor.userId,
        t.now,
        staffMatterRetentionKind('possibly_meets_threshold', 'malicious'),
      ],
    );
  } else {
    // The outcome sets the record's retention (features/retention/staff-matters.ts).
    await t.q(
      `UPDATE staff_concerns SET outcome = $2, outcome_by = $3, outcome_at = $4,
         retention_kind = $5 WHERE id = $1`,
      [
        id,
        body.outcome,
        t.actor.userId,
        t.now,
        staffMatterRetentionKind('possibly_meets_threshold', body.outcome),
      ],
    );
  }
  await t.audit({
    action: 'staff_concerns.outcome_recorded',
    targetType: 'staff_concern',
    targetId: id,
    details: { outcome: body.outcome, removed },
  });
  return { outcome: body.outcome, removed };
}

export async function recordCopyGiven(t: Tx, id: string, body: CopyGiven): Promise<void> {
  await openFor(t, id, 'record_copy', 'This concern cannot take that now.');
  // "Today" is the school's date (Europe/London by default), not UTC's: at 00:30 BST it is
  // already tomorrow at school.
  const { timeZone } = await settingsOf(t);
  if (body.givenOn > localDate(t.now, timeZone))
    throw badRequest('The date a copy was given cannot be in the future.', 'future');
  await t.q(`UPDATE staff_concerns SET copy_given_on = $2 WHERE id = $1`, [id, body.givenOn]);
  await t.audit({
    action: 'staff_concerns.copy_given',
    targetType: 'staff_concern',
    targetId: id,
    details: { givenOn: body.givenOn },
  });
}

/**
 * When the person the matter is about left (the low-level rule counts from it: retention-facts.ts),
 * for anyone the MIS does not say has left: a volunteer, a contractor, a supply worker. Refused
 * while the MIS says they still work here: KCSIE keeps the record until they leave, and a date
 * typed here must not bring it due (and its destruction) sooner.
 */
export async function recordLeaving(t: Tx, id: string, body: RecordLeaving): Promise<void> {
  const row = await openFor(t, id, 'record_leaving', 'This concern cannot take that now.');
  if (row.mis_employed === true)
    throw conflict(
      'The school’s MIS says this person still works here, so a leaving date cannot be recorded. It will come from the MIS when they leave.',
    );
  const { timeZone } = await settingsOf(t);
  if (body.leftOn > localDate(t.now, timeZone))
    throw badRequest('The leaving date cannot be in the future.', 'future');
  await t.q(`UPDATE staff_concerns SET subject_left_on = $2 WHERE id = $1`, [id, body.leftOn]);
  await t.audit({
    action: 'staff_concerns.leaving_recorded',
    targetType: 'staff_concern',
    targetId: id,
    details: { leftOn: body.leftOn },
  });
}
