// The rules for a school's own categories, kept out of the routes: colours legible under white
// text (the default set's rule, defaults.ts), sub-categories one level deep
// and restricted whenever their parent is, names unique beside their siblings, alert groups and
// staff that exist. Every change is audited with what changed, before and after; category
// fields are the school's own wording and settings, never record text or anyone's name.
//
// What this protects: a restricted category hides every record filed under it from anyone not
// granted it (src/core/access/record-filter.ts reads `restricted` at query time, so a change applies
// to the next request). A sub-category of a restricted parent must never be the way round that,
// so restricting a parent restricts its sub-categories in the same transaction, and a
// sub-category of a restricted parent cannot be made unrestricted.
import type { Tx } from '../../core/context.ts';
import { badRequest, conflict, DomainError, notFound } from '../../core/errors.ts';
import { isAccessApprover } from '../../core/access/approvers.ts';
import { unknownAlertGroups } from '../alerts/recipients.ts';
import { categoryColourProblem } from '../../shared/colour.ts';
import type { Category, CategoryPatch, NewCategory } from '../../shared/schemas/categories.ts';
import type { Permissions } from '../../core/access/permissions.ts';
import { categoryActions } from './policy.ts';

export type CategoryView = Category;
/** The school's settings for a category (what is audited when they change). */
type CategoryFields = Omit<Category, 'id' | 'allowed'>;

type Row = {
  id: string;
  parent_id: string | null;
  name: string;
  colour: string;
  guidance: string;
  restricted: boolean;
  alert_groups: string[];
  alert_user_ids: string[];
  archived_at: Date | null;
};
const COLUMNS =
  'id, parent_id, name, colour, guidance, restricted, alert_groups, alert_user_ids, archived_at';

/** A category as the member `perms` belongs to sees it: with what they may do with it. */
export const presentCategory = (perms: Permissions, r: Row): CategoryView => ({
  id: r.id,
  parentId: r.parent_id,
  name: r.name,
  colour: r.colour,
  guidance: r.guidance,
  restricted: r.restricted,
  alertGroups: r.alert_groups,
  alertUserIds: r.alert_user_ids,
  archived: r.archived_at !== null,
  allowed: categoryActions(perms, {
    id: r.id,
    restricted: r.restricted,
    archived: r.archived_at !== null,
  }),
});

export async function listCategories(t: Tx, includeArchived: boolean): Promise<CategoryView[]> {
  const rows = await t.q<Row>(
    `SELECT ${COLUMNS} FROM categories ${includeArchived ? '' : 'WHERE archived_at IS NULL'}
     ORDER BY sort_order, name`,
  );
  return rows.map((r) => presentCategory(t.actor.permissions, r));
}

function checkColour(colour: string): void {
  const problem = categoryColourProblem(colour);
  if (problem) throw badRequest(problem, 'colour_contrast');
}

async function checkRecipients(t: Tx, p: CategoryPatch): Promise<void> {
  const [bad] = await unknownAlertGroups(t.db, p.alertGroups ?? []);
  if (bad !== undefined) throw badRequest(`There is no group "${bad}".`, 'unknown_group');
  const users = [...new Set(p.alertUserIds ?? [])];
  if (users.length > 0) {
    const found = await t.q('SELECT id FROM users WHERE id = ANY($1::uuid[])', [users]);
    if (found.length !== users.length)
      throw badRequest('A member of staff was not found.', 'unknown_staff');
  }
}

/** The parent a category may sit under (null for none); refuses a second level. */
async function parentFor(
  t: Tx,
  parentId: string | null,
  self?: Row,
): Promise<{ id: string; restricted: boolean; name: string } | null> {
  if (!parentId) return null;
  if (parentId === self?.id) throw badRequest('A category cannot be its own parent.');
  const [parent] = await t.q<{
    id: string;
    parent_id: string | null;
    restricted: boolean;
    name: string;
  }>('SELECT id, parent_id, restricted, name FROM categories WHERE id = $1', [parentId]);
  if (!parent) throw badRequest('The parent category was not found.', 'unknown_category');
  if (parent.parent_id)
    throw badRequest(
      `"${parent.name}" is itself a sub-category; sub-categories go one level deep.`,
      'too_deep',
    );
  if (self) {
    const [child] = await t.q('SELECT 1 FROM categories WHERE parent_id = $1 LIMIT 1', [self.id]);
    if (child)
      throw badRequest(
        `"${self.name}" has sub-categories of its own, so it cannot become a sub-category.`,
        'too_deep',
      );
  }
  return parent;
}

async function currentParent(t: Tx, parentId: string | null) {
  if (!parentId) return null;
  const [p] = await t.q<{ id: string; restricted: boolean; name: string }>(
    'SELECT id, restricted, name FROM categories WHERE id = $1',
    [parentId],
  );
  return p ?? null;
}

/** A category's name as stored: trimmed, inner spaces collapsed, never blank. */
function cleanName(name: string): string {
  const n = name.trim().replace(/\s+/g, ' ');
  if (!n) throw badRequest('Give the category a name.', 'invalid_category');
  return n;
}

async function checkUniqueName(t: Tx, name: string, parentId: string | null, selfId?: string) {
  const dup = await t.q(
    `SELECT 1 FROM categories WHERE lower(name) = lower($1) AND parent_id IS NOT DISTINCT FROM $2
       AND id IS DISTINCT FROM $3`,
    [name, parentId, selfId ?? null],
  );
  if (dup.length > 0)
    throw conflict(
      parentId
        ? 'That category already has a sub-category with that name.'
        : 'A category with that name already exists.',
    );
}

const restrictedUnderParent = (parentName: string) =>
  badRequest(
    `A sub-category of "${parentName}", which is restricted, is restricted too.`,
    'restricted_parent',
  );

/** Audit details for a change: the fields that changed, and their values before and after. */
function changeDetails(before: CategoryFields, after: CategoryFields) {
  const changed = (Object.keys(after) as (keyof CategoryFields)[]).filter(
    (k) => JSON.stringify(after[k]) !== JSON.stringify(before[k]),
  );
  const pick = (v: CategoryFields) => Object.fromEntries(changed.map((k) => [k, v[k]]));
  return { changed, before: JSON.stringify(pick(before)), after: JSON.stringify(pick(after)) };
}

const fieldsOf = ({ id: _id, allowed: _allowed, ...fields }: CategoryView): CategoryFields =>
  fields;

export async function createCategory(t: Tx, input: NewCategory): Promise<CategoryView> {
  checkColour(input.colour);
  await checkRecipients(t, input);
  const name = cleanName(input.name);
  const parent = await parentFor(t, input.parentId ?? null);
  if (parent?.restricted && input.restricted === false) throw restrictedUnderParent(parent.name);
  await checkUniqueName(t, name, parent?.id ?? null);
  const [r] = await t.q<Row>(
    `INSERT INTO categories (school_id, parent_id, name, colour, guidance, restricted, alert_groups,
       alert_user_ids, sort_order)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, (SELECT coalesce(max(sort_order), 0) + 1 FROM categories))
     RETURNING ${COLUMNS}`,
    [
      t.actor.schoolId,
      parent?.id ?? null,
      name,
      input.colour.toLowerCase(),
      input.guidance?.trim() ?? '',
      (input.restricted ?? false) || (parent?.restricted ?? false),
      [...new Set(input.alertGroups ?? [])],
      [...new Set(input.alertUserIds ?? [])],
    ],
  );
  const view = presentCategory(t.actor.permissions, r!);
  const { id } = view;
  const fields = fieldsOf(view);
  await t.audit({
    action: 'category.created',
    targetType: 'category',
    targetId: id,
    details: { changed: Object.keys(fields), after: JSON.stringify(fields) },
  });
  return view;
}

export async function updateCategory(t: Tx, id: string, b: CategoryPatch): Promise<CategoryView> {
  const [cur] = await t.q<Row>(`SELECT ${COLUMNS} FROM categories WHERE id = $1 FOR UPDATE`, [id]);
  if (!cur) throw notFound('That category');
  if (b.colour !== undefined && b.colour.toLowerCase() !== cur.colour.toLowerCase())
    checkColour(b.colour);
  await checkRecipients(t, b);
  const parentId = b.parentId === undefined ? cur.parent_id : b.parentId;
  const moving = b.parentId !== undefined && b.parentId !== cur.parent_id;
  const parent = moving ? await parentFor(t, parentId, cur) : await currentParent(t, parentId);
  if (parent?.restricted && b.restricted === false) throw restrictedUnderParent(parent.name);
  // Making a restricted category ordinary opens its records to every group that sees ordinary
  // ones: a decision for the DSL team or the headteacher, not an administrator alone (issue 11).
  const becomesOrdinary =
    cur.restricted && !((b.restricted ?? true) || (parent?.restricted ?? false));
  if (becomesOrdinary && !(await isAccessApprover(t.db, t.actor.userId))) {
    throw new DomainError(
      'forbidden',
      'not_approver',
      'Only the DSL, a deputy DSL or the headteacher can make a restricted category unrestricted: it opens its records to everyone who sees ordinary ones.',
    );
  }
  const name = b.name === undefined ? cur.name : cleanName(b.name);
  if (name.toLowerCase() !== cur.name.toLowerCase() || parentId !== cur.parent_id)
    await checkUniqueName(t, name, parentId, cur.id);
  const before = fieldsOf(presentCategory(t.actor.permissions, cur));
  const [r] = await t.q<Row>(
    `UPDATE categories SET name = $2, colour = $3, guidance = $4, restricted = $5, parent_id = $6,
       alert_groups = $7, alert_user_ids = $8, archived_at = $9, updated_at = $10
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [
      cur.id,
      name,
      b.colour?.toLowerCase() ?? cur.colour,
      b.guidance?.trim() ?? cur.guidance,
      (b.restricted ?? cur.restricted) || (parent?.restricted ?? false),
      parentId,
      b.alertGroups ? [...new Set(b.alertGroups)] : cur.alert_groups,
      b.alertUserIds ? [...new Set(b.alertUserIds)] : cur.alert_user_ids,
      b.archived === undefined ? cur.archived_at : b.archived ? (cur.archived_at ?? t.now) : null,
      t.now,
    ],
  );
  const view = presentCategory(t.actor.permissions, r!);
  const details = changeDetails(before, fieldsOf(view));
  if (details.changed.length > 0)
    await t.audit({
      action: 'category.updated',
      targetType: 'category',
      targetId: cur.id,
      details,
    });
  if (view.restricted && !cur.restricted) await restrictSubcategories(t, cur.id);
  return view;
}

/** Restricting a parent restricts each of its sub-categories, each change audited. */
async function restrictSubcategories(t: Tx, parentId: string): Promise<void> {
  const kids = await t.q<{ id: string }>(
    `UPDATE categories SET restricted = true, updated_at = $2
     WHERE parent_id = $1 AND NOT restricted RETURNING id`,
    [parentId, t.now],
  );
  for (const k of kids) {
    await t.audit({
      action: 'category.updated',
      targetType: 'category',
      targetId: k.id,
      details: {
        changed: ['restricted'],
        before: JSON.stringify({ restricted: false }),
        after: JSON.stringify({ restricted: true }),
        because: 'parent_restricted',
        parent: parentId,
      },
    });
  }
}
