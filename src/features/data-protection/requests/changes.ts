// Recording and working a rights request (issue 17): each change in one transaction with its audit
// entry; free text sealed before it reaches SQL; the due date worked out by clock.ts and stored,
// so the register sorts and the job alerts by it. Refusals say what to do; nothing half-written.
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../../core/context.ts';
import { badRequest, conflict, DomainError, notFound } from '../../../core/errors.ts';
import type {
  ChildVoice,
  CloseRequest,
  ExtendRequest,
  NewRequest,
  RequestDates,
} from '../../../shared/schemas/data-protection.ts';
import { isDslTeamMember } from '../dsl-team.ts';
import { closeAsReleasedBlock, notDslTeam, RELEASING_KINDS } from '../policy.ts';
import { extendedDue, requestClock } from './clock.ts';
import {
  calendarOf,
  clockFacts,
  clockOf,
  factsOf,
  loadRequest,
  todayInEngland,
  type RequestRow,
} from './load.ts';

async function openRequest(t: Tx, id: string): Promise<{ r: RequestRow; today: string }> {
  const today = todayInEngland(t.now);
  const r = await loadRequest(t, id, today, true);
  if (!r) throw notFound('That request');
  if (r.status !== 'open') throw conflict('That request is closed.');
  return { r, today };
}

export async function recordRequest(t: Tx, body: NewRequest): Promise<{ id: string }> {
  const today = todayInEngland(t.now);
  if (body.receivedOn > today)
    throw badRequest('The date received cannot be in the future.', 'future_date');
  if (body.identityVerifiedOn !== undefined && body.identityVerifiedOn > today)
    throw badRequest('Identity cannot be verified in the future.', 'future_date');
  if (body.identityVerifiedOn !== undefined && body.identityVerifiedOn < body.receivedOn)
    throw badRequest('Identity cannot be verified before the request was received.', 'bad_order');
  const known = await t.q<{ id: string }>('SELECT id FROM pupils WHERE id = ANY($1::uuid[])', [
    body.subjects,
  ]);
  if (known.length !== body.subjects.length)
    throw badRequest('A subject named is not a pupil of this school.', 'unknown_pupil');
  // A restricted contact's request waits for the DSL's review, which works only when the request
  // names the contact: when a subject has any restricted contact, someone else must say who asks.
  if (body.relationship !== 'self' && body.requesterContactId === undefined) {
    const restricted = await t.q(
      `SELECT 1 FROM contact_restrictions cr
       WHERE cr.pupil_id = ANY($1::uuid[]) AND cr.removed_at IS NULL
         AND (cr.starts_on IS NULL OR cr.starts_on <= $2::date)
         AND (cr.ends_on IS NULL OR cr.ends_on >= $2::date)
       LIMIT 1`,
      [body.subjects, today],
    );
    if (restricted.length > 0)
      throw badRequest(
        "Choose which of the child's contacts is asking: the child has a contact restriction, so the request must name the contact.",
        'contact_needed',
      );
  }
  if (body.requesterContactId !== undefined) {
    const c = await t.q('SELECT 1 FROM contacts WHERE id = $1', [body.requesterContactId]);
    if (c.length === 0) throw badRequest('The requester named is not a contact of this school.');
  }
  const clock = requestClock(
    {
      kind: body.kind,
      receivedOn: body.receivedOn,
      identityVerifiedOn: body.identityVerifiedOn ?? null,
      clarificationAskedOn: null,
      clarificationReceivedOn: null,
    },
    await calendarOf(t),
  );
  const id = randomUUID();
  const sealer = await t.sealer();
  await t.q(
    `INSERT INTO dp_requests (id, school_id, kind, requester, requester_contact_id, relationship,
       parental_responsibility, channel, received_on, identity_verified_on, due_on, created_by,
       created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      id,
      t.schoolId,
      body.kind,
      sealer.seal('dp_requests.requester', id, body.requester),
      body.requesterContactId ?? null,
      body.relationship,
      body.parentalResponsibility === undefined
        ? null
        : sealer.seal('dp_requests.parental_responsibility', id, body.parentalResponsibility),
      body.channel,
      body.receivedOn,
      body.identityVerifiedOn ?? null,
      clock.dueOn,
      t.actor.userId,
      t.now,
    ],
  );
  await t.q(
    `INSERT INTO dp_request_subjects (school_id, request_id, pupil_id)
     SELECT $1, $2, unnest($3::uuid[])`,
    [t.schoolId, id, body.subjects],
  );
  await t.audit({
    action: 'dp.request_recorded',
    targetType: 'dp_request',
    targetId: id,
    details: { kind: body.kind, subjects: [...body.subjects], dueOn: clock.dueOn },
  });
  return { id };
}

export async function changeDates(t: Tx, id: string, body: RequestDates): Promise<void> {
  const { r, today } = await openRequest(t, id);
  const next = {
    ...clockFacts(r),
    ...(body.identityVerifiedOn !== undefined && { identityVerifiedOn: body.identityVerifiedOn }),
    ...(body.clarificationAskedOn !== undefined && {
      clarificationAskedOn: body.clarificationAskedOn,
    }),
    ...(body.clarificationReceivedOn !== undefined && {
      clarificationReceivedOn: body.clarificationReceivedOn,
    }),
  };
  for (const d of [
    next.identityVerifiedOn,
    next.clarificationAskedOn,
    next.clarificationReceivedOn,
  ])
    if (d !== null && d > today) throw badRequest('A date cannot be in the future.', 'future_date');
  for (const d of [next.identityVerifiedOn, next.clarificationAskedOn])
    if (d !== null && d < r.received_on)
      throw badRequest('A date cannot be before the request was received.', 'bad_order');
  if (next.clarificationReceivedOn !== null && next.clarificationAskedOn === null)
    throw badRequest('Record when clarification was asked for first.', 'bad_order');
  if (
    next.clarificationReceivedOn !== null &&
    next.clarificationAskedOn !== null &&
    next.clarificationReceivedOn < next.clarificationAskedOn
  )
    throw badRequest('Clarification cannot arrive before it was asked for.', 'bad_order');
  if (r.extended_to !== null)
    throw conflict('The request has been extended; its dates can no longer move the clock.');
  const cal = await calendarOf(t);
  // The clock may not be reset after the fact: a later identity or clarification date restarts
  // it, so neither may fall after the due date as it stood, nor change once that date has passed.
  const dueBefore = clockOf(r, cal).dueOn;
  const restarting: (string | null)[] = [];
  if (next.identityVerifiedOn !== r.identity_verified_on) restarting.push(next.identityVerifiedOn);
  if (next.clarificationAskedOn !== r.clarification_asked_on)
    restarting.push(next.clarificationAskedOn);
  if (dueBefore !== null && restarting.length > 0) {
    if (today > dueBefore)
      throw new DomainError(
        'conflict',
        'overdue',
        `The request was due on ${dueBefore}: its identity and clarification dates can no longer change.`,
      );
    for (const d of restarting)
      if (d !== null && d > dueBefore)
        throw badRequest(`A date cannot be after the request was due (${dueBefore}).`, 'after_due');
  }
  const clock = requestClock(next, cal);
  await t.q(
    `UPDATE dp_requests SET identity_verified_on = $2, clarification_asked_on = $3,
       clarification_received_on = $4, due_on = $5, due_alerted_at = NULL,
       overdue_alerted_at = NULL
     WHERE id = $1`,
    [
      id,
      next.identityVerifiedOn,
      next.clarificationAskedOn,
      next.clarificationReceivedOn,
      clock.dueOn,
    ],
  );
  await t.audit({
    action: 'dp.request_dates_changed',
    targetType: 'dp_request',
    targetId: id,
    details: { changed: Object.keys(body).sort(), dueOn: clock.dueOn },
  });
}

export async function extendRequest(t: Tx, id: string, body: ExtendRequest): Promise<string> {
  const { r, today } = await openRequest(t, id);
  if (r.extended_to !== null) throw conflict('That request has already been extended.');
  const to = extendedDue(clockFacts(r), await calendarOf(t), body.months, today);
  const sealer = await t.sealer();
  await t.q(
    `UPDATE dp_requests SET extended_to = $2, due_on = $2, extension_reason = $3,
       extension_notice = $4, extended_at = $5, extended_by = $6, due_alerted_at = NULL,
       overdue_alerted_at = NULL
     WHERE id = $1`,
    [
      id,
      to,
      sealer.seal('dp_requests.extension_reason', id, body.reason),
      sealer.seal('dp_requests.extension_notice', id, body.notice),
      t.now,
      t.actor.userId,
    ],
  );
  await t.audit({
    action: 'dp.request_extended',
    targetType: 'dp_request',
    targetId: id,
    details: { months: body.months, to },
  });
  return to;
}

export async function recordChildVoice(t: Tx, id: string, body: ChildVoice): Promise<void> {
  await openRequest(t, id);
  const sealer = await t.sealer();
  await t.q(
    `UPDATE dp_requests SET competence = $2, child_views = $3, child_voice_at = $4,
       child_voice_by = $5 WHERE id = $1`,
    [
      id,
      sealer.seal('dp_requests.competence', id, body.competence),
      sealer.seal('dp_requests.child_views', id, body.views),
      t.now,
      t.actor.userId,
    ],
  );
  await t.audit({ action: 'dp.child_voice_recorded', targetType: 'dp_request', targetId: id });
}

export async function dslReview(t: Tx, id: string): Promise<void> {
  if (!(await isDslTeamMember(t.db, t.actor.userId))) throw notDslTeam();
  const { r } = await openRequest(t, id);
  if (!r.restricted_requester) throw conflict('The requester is not a restricted contact.');
  if (r.dsl_reviewed_at !== null) throw conflict('The DSL has already reviewed this request.');
  await t.q('UPDATE dp_requests SET dsl_reviewed_at = $2, dsl_reviewed_by = $3 WHERE id = $1', [
    id,
    t.now,
    t.actor.userId,
  ]);
  await t.audit({ action: 'dp.dsl_reviewed', targetType: 'dp_request', targetId: id });
}

export async function closeRequest(t: Tx, id: string, body: CloseRequest): Promise<void> {
  const { r, today } = await openRequest(t, id);
  // A request that releases data (subject access, educational record, portability) may end only
  // as refused or withdrawn without the child's voice and the DSL's review: 'completed' is a
  // release by another name. Other kinds may not be 'released' at all (releaseBlock says so).
  // A release is the recorded disclosure of a pack a second person approved (sar/).
  const releasing = RELEASING_KINDS.includes(r.kind);
  if (
    body.outcome === 'released' ||
    (releasing && body.outcome !== 'refused' && body.outcome !== 'withdrawn')
  ) {
    const block = closeAsReleasedBlock(factsOf(r, clockOf(r, await calendarOf(t)), today));
    if (block) throw block;
  }
  // A restriction this request placed must not outlive it unnoticed: it is lifted first, or the
  // request stays open while the restriction stays (lifting remains possible after closing too).
  if (r.kind === 'restriction') {
    const [inForce] = await t.q(
      'SELECT 1 FROM dp_restrictions WHERE request_id = $1 AND lifted_at IS NULL LIMIT 1',
      [id],
    );
    if (inForce)
      throw new DomainError(
        'conflict',
        'restriction_in_force',
        'A restriction this request placed is still in force. Lift it first, or keep the request open for as long as the restriction stays.',
      );
  }
  const sealer = await t.sealer();
  await t.q(
    `UPDATE dp_requests SET status = $2, outcome = $3, closed_on = $4, closed_by = $5
     WHERE id = $1`,
    [id, body.outcome, sealer.seal('dp_requests.outcome', id, body.note), today, t.actor.userId],
  );
  await t.audit({
    action: 'dp.request_closed',
    targetType: 'dp_request',
    targetId: id,
    details: { outcome: body.outcome },
  });
}
