// Pupils linked to a concern about an adult (issue 19). The case manager links a pupil to a
// matter; the pupil's chronology then shows, to a reader of that matter only, an opaque marker
// (the matter's id, nothing else) and to everyone else nothing at all: the pupil's own records
// are not touched. What this protects: a named adult, or any member who may not read the matter,
// must not learn from a pupil's record that a matter exists. So the markers are read through
// policy.ts's one rule (`visibleMatterSql`), by the area's own route, never joined into the
// chronology's query. To change safely: keep the join to `staff_concerns` with that rule.
import type { Tx } from '../../core/context.ts';
import { badRequest } from '../../core/errors.ts';
import type { LinkPupil, StaffMatterMarkers } from '../../shared/schemas/staff-concerns.ts';
import type { PupilSummary } from '../../shared/schemas/pupils.ts';
import { findPupils } from '../pupils/service.ts';
import { openFor } from './handling.ts';
import { factsOf, loadVisibleMatter } from './matters.ts';
import { matterActions, notAllowedNow, teamsOf, visibleMatterSql } from './policy.ts';

/**
 * The pupils a case manager may link to the matter, found by part of a name (the app's pupil
 * picker, issue 19). Whoever may link a pupil to this matter may find one — the chair of governors
 * too, who reads no pupil's records and so may not use the school's pupil search: what they get is
 * a name, a year and a form, for this one purpose, audited against the matter (the ids shown,
 * never the words typed). Leavers are not offered, as in every picker.
 */
export async function pupilsToLink(t: Tx, id: string, typed: string): Promise<PupilSummary[]> {
  const { row, teams } = await loadVisibleMatter(t, id);
  if (!matterActions(t.actor, teams, factsOf(row)).includes('link_pupil'))
    throw notAllowedNow('A pupil cannot be linked to this concern now.');
  const found = await findPupils(t, typed, false);
  await t.audit({
    action: 'staff_concerns.pupils_found',
    targetType: 'staff_concern',
    targetId: id,
    details: { results: found.map((p) => p.id) },
  });
  return found;
}

export async function linkPupil(t: Tx, id: string, body: LinkPupil): Promise<{ linked: boolean }> {
  await openFor(t, id, 'link_pupil', 'A pupil cannot be linked to this concern now.');
  const [pupil] = await t.q<{ id: string }>(`SELECT id FROM pupils WHERE id = $1`, [body.pupilId]);
  if (!pupil)
    throw badRequest(
      'That pupil is not one of this school’s pupils. Choose them from the list.',
      'unknown_pupil',
    );
  const added = await t.q<{ pupil_id: string }>(
    `INSERT INTO staff_concern_pupils (school_id, staff_concern_id, pupil_id, linked_by, linked_at)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING pupil_id`,
    [t.schoolId, id, body.pupilId, t.actor.userId, t.now],
  );
  if (added.length > 0)
    await t.audit({
      action: 'staff_concerns.pupil_linked',
      targetType: 'staff_concern',
      targetId: id,
      details: { pupil: body.pupilId },
    });
  return { linked: added.length > 0 };
}

/**
 * The matters linked to the pupil that the reader may read: ids only. An unknown pupil id (or
 * another school's) answers the same empty list as a pupil with no marker, so a reader of this
 * area who may not search pupils (the chair) cannot probe which ids are pupils here.
 * Audited per matter shown, against the matter (never the pupil: the pupil's own access log and
 * a subject-access request must not show that this area exists); a read that shows no marker
 * read nothing of the area and is not audited.
 */
export async function pupilMarkers(t: Tx, pupilId: string): Promise<StaffMatterMarkers> {
  const teams = await teamsOf(t.db, t.actor.userId);
  const where = visibleMatterSql(t.actor, teams, 2);
  const rows = await t.q<{ id: string }>(
    `SELECT s.id FROM staff_concern_pupils l
     JOIN staff_concerns s ON s.school_id = l.school_id AND s.id = l.staff_concern_id
     WHERE l.pupil_id = $1 AND ${where.sql} ORDER BY s.raised_at, s.id LIMIT 50`,
    [pupilId, ...where.params],
  );
  for (const r of rows)
    await t.audit({
      action: 'staff_concerns.markers_viewed',
      targetType: 'staff_concern',
      targetId: r.id,
      details: { pupil: pupilId },
    });
  return { items: rows.map((r) => ({ matterId: r.id })) };
}
