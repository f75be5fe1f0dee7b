// Gathering the rest of what the school holds about a subject (issue 17, session 13): their flags,
// SEN needs and provision, attendance (one summary item per term, never a mark each), medical and
// care profile entries and plans, transfer files received about them, the restrictions on their
// contacts, consent and admission answers given for them, and the trips they are on; and, for a
// requester who is one of the school's contacts, their own contact details and the consent and
// admission answers they gave. Like gather.ts this finds references only (a source and its id);
// the readers in content-more.ts read the records when the workbench or the pack needs them.
import type { Tx } from '../../../core/context.ts';
import type { FoundAs, ItemSource } from '../../../shared/schemas/subject-access.ts';

export type Row = { id: string; at: Date | string; role?: string | null };
export type Add = (source: ItemSource, foundAs: FoundAs, rows: Row[]) => void;

/** A composite source id ("<a>:<b>"), split again by the readers. */
export const splitId = (id: string): [string, string] => {
  const at = id.indexOf(':');
  return [id.slice(0, at), id.slice(at + 1)];
};

/** Each record about the pupil kept by the features beyond the safeguarding record itself. */
export async function findMore(t: Tx, pupilId: string, since: Date, add: Add): Promise<void> {
  const q = (sql: string, extra: unknown[] = []) => t.q<Row>(sql, [pupilId, ...extra]);
  add(
    'flag',
    'mis',
    await q(
      `SELECT id, coalesce(starts_on::timestamptz, created_at) AS at FROM pupil_flags
       WHERE pupil_id = $1`,
    ),
  );
  add(
    'sen',
    'mis',
    await q(
      `SELECT 'need:' || id::text AS id, coalesce(starts_on::timestamptz, $2::timestamptz) AS at
       FROM pupil_sen_needs WHERE pupil_id = $1
       UNION ALL
       SELECT 'provision:' || id::text, coalesce(starts_on::timestamptz, $2::timestamptz)
       FROM pupil_sen_provisions WHERE pupil_id = $1`,
      [since],
    ),
  );
  // Attendance as one summary a term; marks outside every term, one summary a school year.
  add(
    'attendance',
    'mis',
    await q(
      `SELECT $1::text || ':' || s.id::text AS id, s.starts_on::timestamptz AS at
       FROM school_terms s WHERE EXISTS (
         SELECT 1 FROM attendance_marks m WHERE m.pupil_id = $1::uuid
           AND m.on_date BETWEEN s.starts_on AND s.ends_on)`,
    ),
  );
  const years = await t.q<{ y: number }>(
    `SELECT DISTINCT (extract(year FROM m.on_date - interval '8 months'))::int AS y
     FROM attendance_marks m WHERE m.pupil_id = $1 AND NOT EXISTS (
       SELECT 1 FROM school_terms s WHERE m.on_date BETWEEN s.starts_on AND s.ends_on)`,
    [pupilId],
  );
  add(
    'attendance',
    'mis',
    years.map((r) => ({ id: `${pupilId}:${r.y}`, at: new Date(`${r.y}-09-01T12:00:00Z`) })),
  );
  add(
    'medical',
    'pupil',
    await q('SELECT id, proposed_at AS at FROM medical_entries WHERE pupil_id = $1'),
  );
  add(
    'medical_plan',
    'pupil',
    await q('SELECT id, proposed_at AS at FROM medical_plans WHERE pupil_id = $1'),
  );
  add(
    'transfer_received',
    'pupil',
    await q(
      `SELECT i.id, i.received_at AS at FROM transfer_inbox i
       WHERE i.pupil_id = $1
          OR (i.upn IS NOT NULL AND i.upn = (SELECT p.upn FROM pupils p WHERE p.id = $1))`,
    ),
  );
  add(
    'contact_restriction',
    'contact',
    await q(
      `SELECT id, coalesce(starts_on::timestamptz, created_at) AS at FROM contact_restrictions
       WHERE pupil_id = $1`,
    ),
  );
  add(
    'consent',
    'pupil',
    await q('SELECT id, answered_at AS at FROM consent_answers WHERE pupil_id = $1'),
  );
  add(
    'admission',
    'pupil',
    await q(
      `SELECT a.request_id::text || ':' || a.contact_id::text AS id,
         coalesce(a.submitted_at, a.saved_at) AS at
       FROM admission_responses a JOIN admission_requests r ON r.id = a.request_id
       WHERE r.pupil_id = $1`,
    ),
  );
  add(
    'trip',
    'pupil',
    await q(
      `SELECT tp.trip_id::text || ':' || tp.pupil_id::text AS id, t.starts_on::timestamptz AS at
       FROM trip_pupils tp JOIN trips t ON t.id = tp.trip_id WHERE tp.pupil_id = $1`,
    ),
  );
}

/**
 * What the school holds about a requester who is one of its contacts (a parent): their contact
 * details and the consent and admission answers they gave, for any child. Gathered as undecided
 * items like every other: the handler includes them when the requester asked for their own data.
 */
export async function findRequester(t: Tx, contactId: string, add: Add): Promise<void> {
  const q = (sql: string) => t.q<Row>(sql, [contactId]);
  add(
    'contact_details',
    'requester',
    await q('SELECT id, created_at AS at FROM contacts WHERE id = $1'),
  );
  add(
    'consent',
    'requester',
    await q('SELECT id, answered_at AS at FROM consent_answers WHERE contact_id = $1'),
  );
  add(
    'admission',
    'requester',
    await q(
      `SELECT request_id::text || ':' || contact_id::text AS id,
         coalesce(submitted_at, saved_at) AS at
       FROM admission_responses WHERE contact_id = $1`,
    ),
  );
}
