// The school's terms and closed days (migration 0034), as administrators edit them (issue 18).
// Each change is audited in its own transaction; a bad change (a term ending before it starts,
// longer than 200 days, overlapping another, a closed day already entered) is refused whole.
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { badRequest, conflict, notFound } from '../../core/errors.ts';
import { daysBetween } from '../../shared/calendar.ts';
import type {
  ClosedDay,
  NewClosedDay,
  NewTerm,
  SchoolTerm,
} from '../../shared/schemas/calendar.ts';

/** A term longer than this is a typing mistake (the table refuses it too). */
const LONGEST_TERM_DAYS = 200;

export async function readCalendar(
  t: Tx,
): Promise<{ terms: SchoolTerm[]; closedDays: ClosedDay[] }> {
  const terms = await t.q<SchoolTerm>(
    `SELECT id, name, starts_on::text AS "startsOn", ends_on::text AS "endsOn"
     FROM school_terms ORDER BY starts_on, id`,
  );
  const closedDays = await t.q<ClosedDay>(
    'SELECT on_date::text AS date, reason FROM school_closed_days ORDER BY on_date',
  );
  return { terms, closedDays };
}

export async function addTerm(t: Tx, body: NewTerm): Promise<{ id: string }> {
  const name = body.name.trim();
  if (name === '') throw badRequest('Give the term a name, such as "Spring 2026".', 'name');
  const length = daysBetween(body.startsOn, body.endsOn);
  if (length < 0) throw badRequest('The term must end on or after the day it starts.', 'endsOn');
  if (length > LONGEST_TERM_DAYS)
    throw badRequest(`A term cannot be longer than ${LONGEST_TERM_DAYS} days.`, 'endsOn');
  const overlapping = await t.q<{ name: string }>(
    'SELECT name FROM school_terms WHERE starts_on <= $2::date AND ends_on >= $1::date LIMIT 1',
    [body.startsOn, body.endsOn],
  );
  if (overlapping.length > 0)
    throw conflict(`Those dates overlap the term "${overlapping[0]!.name}".`);
  const id = randomUUID();
  await t.q(
    `INSERT INTO school_terms (id, school_id, name, starts_on, ends_on) VALUES ($1, $2, $3, $4, $5)`,
    [id, t.schoolId, name, body.startsOn, body.endsOn],
  );
  await t.audit({
    action: 'calendar.term_added',
    targetType: 'school_term',
    targetId: id,
    details: { startsOn: body.startsOn, endsOn: body.endsOn },
  });
  return { id };
}

export async function removeTerm(t: Tx, id: string): Promise<void> {
  const gone = await t.q<{ starts_on: string; ends_on: string }>(
    'DELETE FROM school_terms WHERE id = $1 RETURNING starts_on::text, ends_on::text',
    [id],
  );
  if (gone.length === 0) throw notFound('That term');
  await t.audit({
    action: 'calendar.term_removed',
    targetType: 'school_term',
    targetId: id,
    details: { startsOn: gone[0]!.starts_on, endsOn: gone[0]!.ends_on },
  });
}

export async function addClosedDay(t: Tx, body: NewClosedDay): Promise<void> {
  const reason = body.reason.trim();
  if (reason === '')
    throw badRequest('Say why the school is closed, such as "INSET day".', 'reason');
  const added = await t.q(
    `INSERT INTO school_closed_days (school_id, on_date, reason) VALUES ($1, $2, $3)
     ON CONFLICT DO NOTHING RETURNING on_date`,
    [t.schoolId, body.date, reason],
  );
  if (added.length === 0) throw conflict(`${body.date} is already a closed day.`);
  await t.audit({ action: 'calendar.closed_day_added', details: { date: body.date } });
}

export async function removeClosedDay(t: Tx, date: string): Promise<void> {
  const gone = await t.q('DELETE FROM school_closed_days WHERE on_date = $1 RETURNING on_date', [
    date,
  ]);
  if (gone.length === 0) throw notFound('That closed day');
  await t.audit({ action: 'calendar.closed_day_removed', details: { date } });
}
