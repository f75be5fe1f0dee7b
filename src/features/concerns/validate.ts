// Checks a concern's content before anything is written, with the one rulebook in rules.ts
// (validateConcernInput, unit-tested in rules.test.ts): this file only looks up what
// the rules need from the school's data — which pupils and categories exist here (another
// school's ids are unknown under row-level security) — and turns the rules' answer into a 400.
// A correction is checked as the whole record would be after it, by the same rules.
// mayFileUnder then asks whether the member may log under each category (403 naming it).
import type { Tx } from '../../core/context.ts';
import { loadPermissions } from '../../core/access/load.ts';
import type { Permissions } from '../../core/access/permissions.ts';
import { badRequest, DomainError } from '../../core/errors.ts';
import { canFileUnder } from '../categories/policy.ts';
import { parseBodyMap, type BodyMapMark } from '../../shared/body-map.ts';
import type { FieldError } from '../../shared/result.ts';
import { validateConcernInput, type ConcernInput, type ValidConcern } from './rules.ts';

export type CategoryRow = {
  id: string;
  name: string;
  restricted: boolean;
  alert_groups: string[];
  alert_user_ids: string[];
};

export function refuse(errors: FieldError[]): never {
  // Each message once, in the order the rules found them.
  const messages = [...new Set(errors.map((e) => e.message))];
  throw badRequest(`${messages.join('. ')}.`, 'invalid_concern');
}

/**
 * The concern as the rules clean it, and its categories' alert settings. `kept` names links the
 * record already has and keeps unchanged (a correction of the text need not re-check a pupil who
 * has since left, or a category since archived).
 */
export async function checkConcern(
  t: Tx,
  input: ConcernInput,
  kept: { pupilIds?: readonly string[]; categoryIds?: readonly string[] } = {},
): Promise<{ concern: ValidConcern; categories: CategoryRow[] }> {
  const pupilIds = input.pupils.flatMap((p) =>
    typeof p === 'object' && p !== null && typeof (p as { pupilId?: unknown }).pupilId === 'string'
      ? [(p as { pupilId: string }).pupilId]
      : [],
  );
  const current = await t.q<{ id: string }>(
    'SELECT id FROM pupils WHERE id = ANY($1::uuid[]) AND archived_at IS NULL',
    [pupilIds],
  );
  const categories = await t.q<CategoryRow>(
    `SELECT id, name, restricted, alert_groups, alert_user_ids FROM categories
     WHERE id = ANY($1::uuid[]) AND (archived_at IS NULL OR id = ANY($2::uuid[]))`,
    [[...new Set(input.categoryIds)], [...(kept.categoryIds ?? [])]],
  );
  const result = validateConcernInput(input, {
    now: t.now,
    knownPupilIds: new Set([...current.map((p) => p.id), ...(kept.pupilIds ?? [])]),
    knownCategoryIds: new Set(categories.map((c) => c.id)),
  });
  if (!result.ok) refuse(result.errors);
  return { concern: result.value, categories };
}

/**
 * Refuses (403, naming the category) a category the member's groups do not let them log under:
 * the school's group × category "add"/"view" against "none" (features/categories/policy.ts, the
 * same rule that marks the categories the form offers). Protects the school's choice of who may
 * file what: a group set to "none" for a category cannot log a concern in it or re-file one into
 * it. The member's grants are read again here, inside the transaction that writes, so a grant
 * withdrawn since the request began applies. Call it before anything is written.
 */
export async function mayFileUnder(
  t: Tx,
  categories: readonly CategoryRow[],
  what: 'log' | 'refile',
): Promise<void> {
  if (categories.length === 0) return;
  refuseUngranted(await loadPermissions(t.db, t.actor.userId), categories, what);
}

/** mayFileUnder's rule, for grants the caller has just read inside its writing transaction. */
export function refuseUngranted(
  perms: Permissions,
  categories: readonly CategoryRow[],
  what: 'log' | 'refile',
): void {
  const refused = categories.find((c) => !canFileUnder(perms, c));
  if (refused === undefined) return;
  const doing = what === 'log' ? 'log a concern under' : 'file this concern under';
  throw new DomainError(
    'forbidden',
    'category_not_allowed',
    `You may not ${doing} "${refused.name}": the school has not given your groups that category. Choose another, or tell the DSL in person.`,
  );
}

export function checkBodyMap(marks: unknown[] | undefined): BodyMapMark[] {
  if (marks === undefined) return [];
  const parsed = parseBodyMap(marks);
  if (!parsed.ok) throw badRequest(`Body map: ${parsed.errors.join('; ')}.`, 'body_map_invalid');
  return parsed.marks;
}
