// Correcting a concern. Only its author may, and only with a reason; the version being replaced
// is copied whole into concern_versions (re-sealed under the version row's id) with who replaced
// it, when and why, so the original is never lost. Nothing is written if any check fails.
// Each version keeps the categories it was filed under then (category_ids), and is read by those
// rules: an earlier version filed under a restricted category stays with those granted it after
// the concern is re-filed out of it (issue 11); to anyone else it is left out, never opened.
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { badRequest, forbidden, notFound } from '../../core/errors.ts';
import type { BodyMapMark } from '../../shared/body-map.ts';
import type { ConcernEdit, ConcernVersion } from '../../shared/schemas/concerns.ts';
import { canViewTouching } from '../../core/access/permissions.ts';
import { pupilGroupRefs } from '../../core/access/load.ts';
import { allowedActions, canRead, pupilAsSeen, type PupilRef } from './policy.ts';
import { metaOf, readableConcernRow } from './read.ts';
import { concernTokens, insertLinks } from './service.ts';
import { INDEX_VERSION } from '../search/blind-index.ts';
import { checkBodyMap, checkConcern, mayFileUnder } from './validate.ts';

export async function editConcern(t: Tx, id: string, edit: ConcernEdit): Promise<void> {
  const row = await readableConcernRow(t, id).catch(() => null);
  const [raw] = await t.q<{ author_id: string }>(
    'SELECT author_id FROM concerns WHERE id = $1 FOR UPDATE',
    [id],
  );
  if (!raw) throw notFound('That concern');
  if (!row || !allowedActions(t.actor, metaOf(row)).includes('edit')) {
    if (row && canRead(t.actor, metaOf(row)))
      throw forbidden('Only the author can correct a record.');
    throw notFound('That concern');
  }
  const reason = edit.reason.trim();
  if (!reason) throw badRequest('Say why you are changing the record.', 'empty_reason');
  const sealer = await t.sealer();
  const old = {
    body: sealer.open('concerns.body', id, row.body),
    location: row.location ? sealer.open('concerns.location', id, row.location) : null,
    bodyMap: row.body_map
      ? sealer.openJson<BodyMapMark[]>('concerns.body_map', id, row.body_map)
      : [],
  };
  // The record as it would be after the change must pass the same rules as a new one.
  const keptPupils = row.pupils.map((p) => ({ pupilId: p.id, role: p.role }));
  const keptCategories = row.categories.map((k) => k.id);
  const { concern, categories } = await checkConcern(
    t,
    {
      pupils: edit.pupils ?? keptPupils,
      text: edit.body ?? old.body,
      happenedAt: edit.happenedAt ? new Date(edit.happenedAt) : row.happened_at,
      categoryIds: edit.categoryIds ?? keptCategories,
    },
    {
      ...(edit.pupils ? {} : { pupilIds: keptPupils.map((p) => p.pupilId) }),
      ...(edit.categoryIds ? {} : { categoryIds: keptCategories }),
    },
  );
  const { happenedAt, text: body } = concern;
  const pupils = edit.pupils ? concern.pupils : null;
  const categoryIds = edit.categoryIds ? concern.categoryIds : null;
  // Re-filing: each category the record does not already have must be one the author may log
  // under (a category it keeps is not judged again, so removing one is never refused).
  if (categoryIds) {
    const added = categories.filter((c) => !keptCategories.includes(c.id));
    await mayFileUnder(t, added, 'refile');
  }
  const marks = edit.bodyMap !== undefined ? checkBodyMap(edit.bodyMap) : old.bodyMap;
  const location = edit.location !== undefined ? edit.location.trim() || null : old.location;

  const vid = randomUUID();
  await t.q(
    `INSERT INTO concern_versions (id, school_id, concern_id, version, happened_at, location, body,
       body_map, category_ids, pupils, written_by, written_at, replaced_by, replaced_at, reason)
     SELECT $1, c.school_id, c.id, c.version, c.happened_at, $3, $4, $5,
            (SELECT coalesce(array_agg(category_id), '{}') FROM concern_categories WHERE concern_id = c.id),
            (SELECT coalesce(json_agg(json_build_object('pupilId', pupil_id, 'role', role)), '[]')
               FROM concern_pupils WHERE concern_id = c.id),
            coalesce((SELECT replaced_by FROM concern_versions WHERE concern_id = c.id
                      ORDER BY version DESC LIMIT 1), c.author_id),
            coalesce((SELECT replaced_at FROM concern_versions WHERE concern_id = c.id
                      ORDER BY version DESC LIMIT 1), c.recorded_at),
            $6, $7, $8
     FROM concerns c WHERE c.id = $2`,
    [
      vid,
      id,
      old.location ? sealer.seal('concern_versions.location', vid, old.location) : null,
      sealer.seal('concern_versions.body', vid, old.body),
      old.bodyMap.length > 0
        ? sealer.sealJson('concern_versions.body_map', vid, old.bodyMap)
        : null,
      t.actor.userId,
      t.now,
      sealer.seal('concern_versions.reason', vid, reason),
    ],
  );
  await t.q(
    `UPDATE concerns SET happened_at = $2, location = $3, body = $4, body_map = $5,
       search_tokens = $6, index_version = ${INDEX_VERSION}, version = version + 1,
       updated_at = $7 WHERE id = $1`,
    [
      id,
      happenedAt,
      location ? sealer.seal('concerns.location', id, location) : null,
      sealer.seal('concerns.body', id, body),
      marks.length > 0 ? sealer.sealJson('concerns.body_map', id, marks) : null,
      concernTokens(sealer.searchKey, body, location),
      t.now,
    ],
  );
  if (pupils || categoryIds) {
    if (pupils) await t.q('DELETE FROM concern_pupils WHERE concern_id = $1', [id]);
    if (categoryIds) await t.q('DELETE FROM concern_categories WHERE concern_id = $1', [id]);
    await insertLinks(t, id, pupils ?? [], categoryIds ?? []);
  }
  await t.audit({
    action: 'concern.edited',
    targetType: 'concern',
    targetId: id,
    details: {
      version: row.version + 1,
      fields: Object.keys(edit).filter((k) => k !== 'reason'),
    },
  });
}

type VersionRow = {
  id: string;
  version: number;
  happened_at: Date;
  location: Buffer | null;
  body: Buffer;
  body_map: Buffer | null;
  category_ids: string[];
  pupils: { pupilId: string; role: string }[];
  written_by: string;
  written_at: Date;
  replaced_by: string;
  replaced_by_name: string;
  replaced_at: Date;
  reason: Buffer;
};

export async function listVersions(t: Tx, id: string): Promise<ConcernVersion[]> {
  const current = await readableConcernRow(t, id);
  const all = await t.q<VersionRow>(
    `SELECT v.*, u.name AS replaced_by_name FROM concern_versions v
     JOIN users u ON u.id = v.replaced_by WHERE v.concern_id = $1 ORDER BY v.version`,
    [id],
  );
  // Earlier versions name their pupils by id only; one the viewer may not see stays unnamed
  // there too (pupilAsSeen, as on the concern itself).
  const refs = await t.q<PupilRef>(
    `SELECT p.id, p.year_group AS "yearGroup", p.form,
            lantern_pupil_group_refs(p.id, p.form) AS "groupRefs"
     FROM pupils p WHERE p.id = ANY($1::uuid[])`,
    [[...new Set(all.flatMap((v) => v.pupils.map((p) => p.pupilId)))]],
  );
  const rows = await versionsAsFiled(t, current.author_id, all, refs);
  await t.audit({
    action: 'concern.versions_viewed',
    targetType: 'concern',
    targetId: id,
    details: { versions: rows.map((v) => v.version) },
  });
  const sealer = await t.sealer();
  const shown = (pupilId: string) => {
    const ref = refs.find((r) => r.id === pupilId);
    const context = { knownTo: [current.author_id] };
    return ref ? pupilAsSeen(t.actor, { ...ref, name: '' }, context).id : null;
  };
  return rows.map((v) => ({
    version: v.version,
    happenedAt: v.happened_at.toISOString(),
    location: v.location ? sealer.open('concern_versions.location', v.id, v.location) : null,
    body: sealer.open('concern_versions.body', v.id, v.body),
    bodyMap: v.body_map
      ? sealer.openJson<BodyMapMark[]>('concern_versions.body_map', v.id, v.body_map)
      : [],
    categoryIds: v.category_ids,
    pupils: v.pupils.map((p) => ({ pupilId: shown(p.pupilId), role: p.role })),
    writtenBy: v.written_by,
    writtenAt: v.written_at.toISOString(),
    replacedBy: { id: v.replaced_by, name: v.replaced_by_name },
    replacedAt: v.replaced_at.toISOString(),
    reason: sealer.open('concern_versions.reason', v.id, v.reason),
  }));
}

/**
 * The earlier versions this viewer may read, judged as each was filed then: the author reads every
 * one (they wrote them all); anyone else only those whose restricted categories, at that version,
 * they are granted for one of that version's pupils (canViewTouching). The rest are left out
 * before anything of theirs is opened.
 */
async function versionsAsFiled(
  t: Tx,
  authorId: string,
  versions: VersionRow[],
  refs: PupilRef[],
): Promise<VersionRow[]> {
  if (authorId === t.actor.userId) return versions;
  const categories = await t.q<{ id: string; restricted: boolean }>(
    'SELECT id, restricted FROM categories WHERE id = ANY($1::uuid[])',
    [[...new Set(versions.flatMap((v) => v.category_ids))]],
  );
  return versions.filter((v) =>
    canViewTouching(t.actor.permissions, [
      {
        // A category since deleted is judged restricted: deny by default.
        categories: v.category_ids.map(
          (cid) => categories.find((k) => k.id === cid) ?? { id: cid, restricted: true },
        ),
        pupils: v.pupils.flatMap((p) => {
          const ref = refs.find((r) => r.id === p.pupilId);
          return ref ? [{ yearGroup: ref.yearGroup, groupIds: pupilGroupRefs(ref) }] : [];
        }),
      },
    ]),
  );
}
