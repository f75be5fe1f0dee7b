// Raising a concern about an adult (issue 19): any member, with a password alone, about anyone
// who works with the school's children (themselves included). It goes to the case manager the
// routing names and the raiser keeps only a receipt. A supply or agency worker's agency is
// recorded and a task raised to inform it. One transaction: nothing is half-written.
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { badRequest } from '../../core/errors.ts';
import { loadSchoolCalendar } from '../../core/calendar.ts';
import { addWorkingDays } from '../../shared/calendar.ts';
import type {
  NewStaffConcern,
  Receipt,
  RoutedTo,
  StaffChoices,
} from '../../shared/schemas/staff-concerns.ts';
import { routeFor } from './policy.ts';
import { localDate } from './rules.ts';
import { settingsOf } from './settings.ts';
import { alertCaseManagers } from './alerts.ts';
import type { Services } from '../../platform/services.ts';

/** The school's active staff the raiser may name, and whom each concern would go to. */
export async function staffChoices(t: Tx): Promise<StaffChoices> {
  const rows = await t.q<{ id: string; name: string; role: string }>(
    `SELECT id, name, role FROM users WHERE disabled_at IS NULL ORDER BY name, id`,
  );
  await t.audit({ action: 'staff_concerns.staff_listed', details: { count: rows.length } });
  return { items: rows.map((r) => ({ id: r.id, name: r.name, routesTo: routeFor(r.role) })) };
}

const needs = (field: string, kind: string) =>
  badRequest(`Say who the concern is about: "${field}" is needed for a ${kind}.`, 'missing');

/** Who the matter is about, checked: a member of this school's staff, or a named other adult. */
async function subjectOf(
  t: Tx,
  body: NewStaffConcern,
): Promise<{ userId: string | null; routedTo: RoutedTo }> {
  if (body.subjectKind === 'staff') {
    if (body.subjectUserId === undefined) throw needs('subjectUserId', 'member of staff');
    if (body.subjectName !== undefined || body.agency !== undefined)
      throw badRequest('A member of staff is named by their account, not by a name.', 'extra');
    const [u] = await t.q<{ role: string }>(`SELECT role FROM users WHERE id = $1`, [
      body.subjectUserId,
    ]);
    if (!u)
      throw badRequest(
        'The person named is not a member of staff of this school. Choose them from the list.',
        'unknown_subject',
      );
    return { userId: body.subjectUserId, routedTo: routeFor(u.role) };
  }
  if (body.subjectUserId !== undefined)
    throw badRequest(`A ${body.subjectKind} is named by their name, not an account.`, 'extra');
  if (body.subjectName === undefined || body.subjectName.trim() === '')
    throw needs('subjectName', body.subjectKind);
  const agencyKind = body.subjectKind === 'supply' || body.subjectKind === 'agency';
  if (agencyKind && (body.agency === undefined || body.agency.trim() === ''))
    throw badRequest('Name the agency that supplied the worker.', 'missing_agency');
  if (!agencyKind && body.agency !== undefined)
    throw badRequest('Only a supply or agency worker has an agency.', 'extra');
  return { userId: null, routedTo: 'headteacher' };
}

export async function raiseConcern(
  t: Tx,
  services: Pick<Services, 'config' | 'log' | 'mailer'>,
  body: NewStaffConcern,
): Promise<Receipt> {
  if (body.whatHappened.trim() === '')
    throw badRequest('Say what happened.', 'missing_what_happened');
  const subject = await subjectOf(t, body);
  const id = randomUUID();
  const sealer = await t.sealer();
  const seal = (col: 'staff_concerns.subject_name' | 'staff_concerns.agency_name', v?: string) =>
    v === undefined ? null : sealer.seal(col, id, v.trim());
  await t.q(
    `INSERT INTO staff_concerns (id, school_id, raised_by, raised_at, subject_kind, subject_user_id,
       subject_name, agency_name, what_happened, withhold_name, routed_to)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      id,
      t.schoolId,
      t.actor.userId,
      t.now,
      body.subjectKind,
      subject.userId,
      seal('staff_concerns.subject_name', body.subjectName),
      seal('staff_concerns.agency_name', body.agency),
      sealer.seal('staff_concerns.what_happened', id, body.whatHappened),
      body.withholdName === true,
      subject.routedTo,
    ],
  );
  if (body.subjectKind === 'supply' || body.subjectKind === 'agency') {
    // The agency must be told (KCSIE): due the next working day, as the LADO clock's day.
    const settings = await settingsOf(t);
    const cal = await loadSchoolCalendar(t.db, t.schoolId);
    const dueOn = addWorkingDays(localDate(t.now, settings.timeZone), 1, cal);
    await t.q(
      `INSERT INTO staff_concern_tasks (id, school_id, staff_concern_id, kind, due_on, created_at)
       VALUES ($1, $2, $3, 'inform_agency', $4, $5)`,
      [randomUUID(), t.schoolId, id, dueOn, t.now],
    );
  }
  await t.audit({
    action: 'staff_concerns.raised',
    targetType: 'staff_concern',
    targetId: id,
    details: {
      subjectKind: body.subjectKind,
      routedTo: subject.routedTo,
      withholdName: body.withholdName === true,
    },
  });
  // Its case manager is alerted (never the person it names: alerts.ts).
  await alertCaseManagers(t, services, 'staff_concern_new', {
    id,
    routedTo: subject.routedTo,
    subjectUserId: subject.userId,
    raisedBy: t.actor.userId,
  });
  return { id, raisedAt: t.now.toISOString(), routedTo: subject.routedTo };
}

/** The raiser's own receipts: when and to whom, nothing of the content or its handling. */
export async function myReceipts(t: Tx): Promise<Receipt[]> {
  const rows = await t.q<{ id: string; raised_at: Date; routed_to: RoutedTo }>(
    `SELECT id, raised_at, routed_to FROM staff_concerns
     WHERE raised_by = $1 AND removed_at IS NULL ORDER BY raised_at DESC, id LIMIT 200`,
    [t.actor.userId],
  );
  await t.audit({ action: 'staff_concerns.receipts_viewed', details: { count: rows.length } });
  return rows.map((r) => ({
    id: r.id,
    raisedAt: r.raised_at.toISOString(),
    routedTo: r.routed_to,
  }));
}
