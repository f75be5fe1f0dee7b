// The school's own corrections to a pupil's record, which a sync never overwrites: fields marked
// as locally corrected, vulnerability flags set in Lantern (the MIS sync replaces only its own,
// source 'mis'), and contact restrictions such as a court order. Each runs inside the caller's
// transaction on a pupil already found within reach, and is audited.
import type { Tx } from '../../core/context.ts';
import { badRequest, notFound } from '../../core/errors.ts';
import type {
  FlagBody,
  PupilField,
  Restriction,
  RestrictionBody,
} from '../../shared/schemas/pupils.ts';

export async function markCorrected(t: Tx, pupilId: string, field: PupilField): Promise<void> {
  await t.q(
    `INSERT INTO mis_overrides (school_id, pupil_id, field, created_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (pupil_id, field) WHERE removed_at IS NULL DO NOTHING`,
    [t.actor.schoolId, pupilId, field, t.actor.userId],
  );
  await t.audit({
    action: 'mis.override_set',
    targetType: 'pupil',
    targetId: pupilId,
    details: { field },
  });
}

export async function unmarkCorrected(t: Tx, pupilId: string, field: PupilField): Promise<void> {
  await t.q(
    'UPDATE mis_overrides SET removed_at = $3 WHERE pupil_id = $1 AND field = $2 AND removed_at IS NULL',
    [pupilId, field, t.now],
  );
  await t.audit({
    action: 'mis.override_removed',
    targetType: 'pupil',
    targetId: pupilId,
    details: { field },
  });
}

const badDates = () => badRequest('The end date is before the start date.', 'bad_dates');

export async function setFlag(t: Tx, pupilId: string, body: FlagBody): Promise<string> {
  const { startsOn, endsOn } = body;
  if (startsOn && endsOn && endsOn < startsOn) throw badDates();
  // The flag's kind is sealed like the MIS's (migration 0022): "child in need" is itself sensitive.
  const id = crypto.randomUUID();
  const kind = (await t.sealer()).seal('pupil_flags.kind', id, body.flag);
  const [row] = await t.q<{ id: string }>(
    `INSERT INTO pupil_flags (id, school_id, pupil_id, kind_sealed, source, starts_on, ends_on)
     VALUES ($1, $2, $3, $4, 'lantern', $5, $6) RETURNING id`,
    [id, t.actor.schoolId, pupilId, kind, startsOn ?? null, endsOn ?? null],
  );
  await t.audit({
    action: 'pupil.flag_set',
    targetType: 'pupil',
    targetId: pupilId,
    details: { flagId: row!.id, flag: body.flag },
  });
  return row!.id;
}

/** Ends a flag set in Lantern; a flag from the MIS ends in the MIS. */
export async function endFlag(
  t: Tx,
  pupilId: string,
  flagId: string,
  endsOn: string,
): Promise<void> {
  const [flag] = await t.q<{ source: string; starts_on: string | null }>(
    'SELECT source, starts_on FROM pupil_flags WHERE id = $1 AND pupil_id = $2',
    [flagId, pupilId],
  );
  if (!flag) throw notFound('That flag');
  if (flag.source !== 'lantern')
    throw badRequest('This flag comes from the MIS: end it there.', 'mis_flag');
  if (flag.starts_on && endsOn < flag.starts_on) throw badDates();
  await t.q('UPDATE pupil_flags SET ends_on = $2 WHERE id = $1', [flagId, endsOn]);
  await t.audit({
    action: 'pupil.flag_ended',
    targetType: 'pupil',
    targetId: pupilId,
    details: { flagId },
  });
}

/** Restricts one of the school's contacts for the pupil; the note is sealed. */
export async function restrictContact(
  t: Tx,
  pupilId: string,
  body: RestrictionBody,
): Promise<Restriction> {
  const [contact] = await t.q('SELECT id FROM contacts WHERE id = $1', [body.contactId]);
  if (!contact) throw badRequest('That contact is not known at this school.');
  const id = crypto.randomUUID();
  const note = body.note
    ? (await t.sealer()).seal('contact_restrictions.note', id, body.note)
    : null;
  await t.q(
    `INSERT INTO contact_restrictions (id, school_id, pupil_id, contact_id, kind, court_order, note, starts_on, ends_on, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      id,
      t.actor.schoolId,
      pupilId,
      body.contactId,
      body.kind,
      body.courtOrder,
      note,
      body.startsOn ?? null,
      body.endsOn ?? null,
      t.actor.userId,
    ],
  );
  await t.audit({
    action: 'mis.restriction_set',
    targetType: 'pupil',
    targetId: pupilId,
    details: { restrictionId: id, kind: body.kind, courtOrder: body.courtOrder },
  });
  return {
    id,
    contactId: body.contactId,
    kind: body.kind,
    courtOrder: body.courtOrder,
    note: body.note ?? null,
    startsOn: body.startsOn ?? null,
    endsOn: body.endsOn ?? null,
  };
}

export async function liftRestriction(
  t: Tx,
  pupilId: string,
  restrictionId: string,
): Promise<void> {
  const rows = await t.q(
    'UPDATE contact_restrictions SET removed_at = $3 WHERE id = $1 AND pupil_id = $2 AND removed_at IS NULL RETURNING id',
    [restrictionId, pupilId, t.now],
  );
  if (rows.length === 0) throw notFound('That restriction');
  await t.audit({
    action: 'mis.restriction_removed',
    targetType: 'pupil',
    targetId: pupilId,
    details: { restrictionId },
  });
}
