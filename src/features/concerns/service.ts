// Concerns: logging one (with linked pupils, body map, alerts and a case), and reading them back as
// the viewer may see them. Text, location and body map are sealed with the school's data key
// (bound to the row id) before they reach the database; the words are indexed only as HMAC tokens.
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { blindDocument, INDEX_VERSION } from '../search/blind-index.ts';
import { alertInsert } from '../alerts/service.ts';
import { joinCase } from '../cases/service.ts';
import type { NewConcern } from '../../shared/schemas/concerns.ts';
import { checkNewConcern } from './check-new.ts';

export { getConcern, listConcerns } from './read.ts';

export function concernTokens(searchKey: Buffer, body: string, location: string | null): string[] {
  return blindDocument(searchKey, location ? `${body}\n${location}` : body);
}

export async function createConcern(
  t: Tx,
  input: NewConcern,
): Promise<{ id: string; alerted: string[] }> {
  const {
    concern,
    categories: cats,
    marks,
    reach,
    alertGroups,
    alertEscalationMinutes,
  } = await checkNewConcern(t, input);
  const { happenedAt, text: body, pupils } = concern;
  const alertUserIds = input.alertUserIds ?? [];

  const id = randomUUID();
  const sealer = await t.sealer();
  const location = input.location?.trim() || null;
  const alerts = alertInsert(
    t.actor.schoolId,
    t.now,
    {
      kind: 'concern',
      targetType: 'concern',
      targetId: id,
      userIds: [...alertUserIds, ...cats.flatMap((c) => c.alert_user_ids)],
      groups: alertGroups,
      exclude: t.actor.userId,
      escalationMinutes: alertEscalationMinutes,
    },
    reach,
    14,
  );
  // The concern, its pupils and categories, and its alerts in one statement (issue 12): the
  // links' foreign keys are checked at its end, when the concern row is there.
  await t.q(
    `WITH concern AS (
       INSERT INTO concerns (id, school_id, author_id, happened_at, recorded_at, location, body,
         body_map, verbally_informed_id, search_tokens, index_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, ${INDEX_VERSION}) RETURNING id),
     linked AS (
       INSERT INTO concern_pupils (school_id, concern_id, pupil_id, role)
       SELECT $2, $1, l.pupil_id, l.role FROM unnest($11::uuid[], $12::text[]) l(pupil_id, role)),
     filed AS (
       INSERT INTO concern_categories (school_id, concern_id, category_id)
       SELECT $2, $1, k FROM unnest($13::uuid[]) k),
     alerted AS (${alerts.sql})
     SELECT id FROM concern`,
    [
      id,
      t.actor.schoolId,
      t.actor.userId,
      happenedAt,
      t.now,
      location ? sealer.seal('concerns.location', id, location) : null,
      sealer.seal('concerns.body', id, body),
      marks.length > 0 ? sealer.sealJson('concerns.body_map', id, marks) : null,
      input.verballyInformedId ?? null,
      concernTokens(sealer.searchKey, body, location),
      pupils.map((p) => p.pupilId),
      pupils.map((p) => p.role),
      concern.categoryIds,
      ...alerts.params,
    ],
  );
  if (input.caseId) await joinCase(t, input.caseId, id);
  await t.audit({
    action: 'concern.created',
    targetType: 'concern',
    targetId: id,
    details: {
      pupils: pupils.map((p) => p.pupilId),
      categories: concern.categoryIds,
      bodyMapMarks: marks.length,
    },
  });
  const alerted = alerts.recipients;
  if (alerted.length > 0) {
    await t.audit({
      action: 'alert.raised',
      targetType: 'concern',
      targetId: id,
      details: { recipients: alerted },
    });
  }
  return { id, alerted };
}

export async function insertLinks(
  t: Tx,
  id: string,
  pupils: { pupilId: string; role: string }[],
  categoryIds: string[],
): Promise<void> {
  if (pupils.length > 0) {
    await t.q(
      `INSERT INTO concern_pupils (school_id, concern_id, pupil_id, role)
       SELECT $1, $2, l.pupil_id, l.role FROM unnest($3::uuid[], $4::text[]) l(pupil_id, role)`,
      [t.actor.schoolId, id, pupils.map((p) => p.pupilId), pupils.map((p) => p.role)],
    );
  }
  if (categoryIds.length > 0) {
    await t.q(
      `INSERT INTO concern_categories (school_id, concern_id, category_id)
       SELECT $1, $2, k FROM unnest($3::uuid[]) k`,
      [t.actor.schoolId, id, categoryIds],
    );
  }
}
