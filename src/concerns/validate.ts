// Checks a concern's content against the school's data before anything is written: pupils and
// categories must exist here (another school's ids are unknown under row-level security), the
// date must not be in the future, the text must not be empty, the body map must be on the body.
import type { Tx } from '../http/context.ts';
import { badRequest } from '../http/errors.ts';
import { parseBodyMap, type BodyMapMark } from '../records/body-map.ts';
import { CLOCK_SKEW_MS } from '../records/domain.ts';

export type CategoryRow = {
  id: string;
  restricted: boolean;
  alert_groups: string[];
  alert_user_ids: string[];
};

export function checkHappenedAt(t: Tx, iso: string): Date {
  const happenedAt = new Date(iso);
  if (happenedAt.getTime() > t.now.getTime() + CLOCK_SKEW_MS) {
    throw badRequest('"When it happened" cannot be in the future.', 'happened_in_future');
  }
  return happenedAt;
}

export function checkBody(text: string): string {
  const body = text.trim();
  if (!body) throw badRequest('"What happened" cannot be empty.', 'empty_body');
  return body;
}

export function checkBodyMap(marks: unknown[] | undefined): BodyMapMark[] {
  if (marks === undefined) return [];
  const parsed = parseBodyMap(marks);
  if (!parsed.ok) throw badRequest(`Body map: ${parsed.errors.join('; ')}.`, 'body_map_invalid');
  return parsed.marks;
}

export async function checkPupils(t: Tx, pupils: { pupilId: string }[]): Promise<void> {
  const ids = pupils.map((p) => p.pupilId);
  if (new Set(ids).size !== ids.length) throw badRequest('A pupil is linked twice.');
  const found = await t.q<{ id: string }>(
    'SELECT id FROM pupils WHERE id = ANY($1::uuid[]) AND archived_at IS NULL',
    [ids],
  );
  if (found.length !== ids.length)
    throw badRequest('One of the pupils was not found.', 'unknown_pupil');
}

export async function checkCategories(t: Tx, categoryIds: string[]): Promise<CategoryRow[]> {
  const ids = [...new Set(categoryIds)];
  const cats = await t.q<CategoryRow>(
    `SELECT id, restricted, alert_groups, alert_user_ids FROM categories
     WHERE id = ANY($1::uuid[]) AND archived_at IS NULL`,
    [ids],
  );
  if (cats.length !== ids.length)
    throw badRequest('That category does not exist.', 'unknown_category');
  return cats;
}

export async function checkStaff(t: Tx, ids: readonly string[], what: string): Promise<void> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return;
  const found = await t.q<{ id: string }>(
    'SELECT id FROM users WHERE id = ANY($1::uuid[]) AND disabled_at IS NULL',
    [unique],
  );
  if (found.length !== unique.length) throw badRequest(`${what} was not found.`, 'unknown_staff');
}
