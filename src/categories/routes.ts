// The school's categories: listed for everyone (the "Category" picker shows colour and guidance),
// managed by school administrators: name, colour, guidance, sub-categories (parentId), restricted,
// and the staff and groups a concern in the category alerts by default.
import { Type, type Static } from 'typebox';
import { requireAbility } from '../access/step-up.ts';
import type { App } from '../http/app.ts';
import type { Services } from '../services.ts';
import { ctx, type Tx } from '../http/context.ts';
import { IdParams, Uuid, responses } from '../http/schemas.ts';
import { badRequest, conflict, notFound } from '../http/errors.ts';
import { unknownAlertGroups } from '../alerts/recipients.ts';

const Category = Type.Object({
  id: Type.String(),
  parentId: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  colour: Type.String(),
  guidance: Type.String(),
  restricted: Type.Boolean(),
  alertGroups: Type.Array(Type.String()),
  alertUserIds: Type.Array(Type.String()),
  archived: Type.Boolean(),
});

const Fields = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  colour: Type.String({ pattern: '^#[0-9a-fA-F]{6}$' }),
  guidance: Type.String({ maxLength: 2000 }),
  restricted: Type.Boolean(),
  parentId: Type.Union([Uuid, Type.Null()]),
  alertGroups: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20 }),
  alertUserIds: Type.Array(Uuid, { maxItems: 50 }),
  archived: Type.Boolean(),
};
const NewCategory = Type.Object(
  {
    name: Fields.name,
    colour: Fields.colour,
    guidance: Type.Optional(Fields.guidance),
    restricted: Type.Optional(Fields.restricted),
    parentId: Type.Optional(Fields.parentId),
    alertGroups: Type.Optional(Fields.alertGroups),
    alertUserIds: Type.Optional(Fields.alertUserIds),
  },
  { additionalProperties: false },
);
const CategoryPatch = Type.Partial(Type.Object(Fields), { additionalProperties: false });
type Patch = Static<typeof CategoryPatch>;

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
const present = (r: Row) => ({
  id: r.id,
  parentId: r.parent_id,
  name: r.name,
  colour: r.colour,
  guidance: r.guidance,
  restricted: r.restricted,
  alertGroups: r.alert_groups,
  alertUserIds: r.alert_user_ids,
  archived: r.archived_at !== null,
});
const COLUMNS =
  'id, parent_id, name, colour, guidance, restricted, alert_groups, alert_user_ids, archived_at';

async function checkRefs(t: Tx, p: Patch, selfId?: string): Promise<void> {
  const [bad] = await unknownAlertGroups(t.db, p.alertGroups ?? []);
  if (bad !== undefined) throw badRequest(`There is no group "${bad}".`, 'unknown_group');
  const users = [...new Set(p.alertUserIds ?? [])];
  if (users.length > 0) {
    const found = await t.q('SELECT id FROM users WHERE id = ANY($1::uuid[])', [users]);
    if (found.length !== users.length)
      throw badRequest('A member of staff was not found.', 'unknown_staff');
  }
  if (p.parentId) {
    if (p.parentId === selfId) throw badRequest('A category cannot be its own parent.');
    const [parent] = await t.q<{ parent_id: string | null }>(
      'SELECT parent_id FROM categories WHERE id = $1',
      [p.parentId],
    );
    if (!parent) throw badRequest('The parent category was not found.', 'unknown_category');
    if (parent.parent_id) throw badRequest('Sub-categories go one level deep.');
  }
}

export function registerCategoryRoutes(app: App, services: Services): void {
  app.get(
    '/api/categories',
    {
      schema: {
        tags: ['categories'],
        summary: "The school's categories, in its order",
        querystring: Type.Object(
          { archived: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Object({ items: Type.Array(Category) }) }),
      },
    },
    async (req) => {
      const rows = await ctx(services, req).tx((t) =>
        t.q<Row>(
          `SELECT ${COLUMNS} FROM categories ${req.query.archived ? '' : 'WHERE archived_at IS NULL'}
           ORDER BY sort_order, name`,
        ),
      );
      return { items: rows.map(present) };
    },
  );

  app.post(
    '/api/categories',
    {
      schema: {
        tags: ['categories'],
        summary: 'Add a category (school administrators)',
        body: NewCategory,
        response: responses({ 201: Category }),
      },
    },
    async (req, reply) => {
      const c = ctx(services, req);
      requireAbility(c.actor, 'admin');
      const row = await c.tx(async (t) => {
        await checkRefs(t, req.body);
        const dup = await t.q(
          'SELECT 1 FROM categories WHERE lower(name) = lower($1) AND parent_id IS NOT DISTINCT FROM $2',
          [req.body.name.trim(), req.body.parentId ?? null],
        );
        if (dup.length > 0) throw conflict('A category with that name already exists.');
        const [r] = await t.q<Row>(
          `INSERT INTO categories (school_id, parent_id, name, colour, guidance, restricted, alert_groups,
             alert_user_ids, sort_order)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, (SELECT coalesce(max(sort_order), 0) + 1 FROM categories))
           RETURNING ${COLUMNS}`,
          [
            t.actor.schoolId,
            req.body.parentId ?? null,
            req.body.name.trim(),
            req.body.colour,
            req.body.guidance ?? '',
            req.body.restricted ?? false,
            req.body.alertGroups ?? [],
            req.body.alertUserIds ?? [],
          ],
        );
        await t.audit({ action: 'category.created', targetType: 'category', targetId: r!.id });
        return r!;
      });
      return reply.status(201).send(present(row));
    },
  );

  app.patch(
    '/api/categories/:id',
    {
      schema: {
        tags: ['categories'],
        summary: 'Change or archive a category (school administrators)',
        params: IdParams,
        body: CategoryPatch,
        response: responses({ 200: Category }),
      },
    },
    async (req) => {
      const c = ctx(services, req);
      requireAbility(c.actor, 'admin');
      return c.tx(async (t) => {
        const [cur] = await t.q<Row>(`SELECT ${COLUMNS} FROM categories WHERE id = $1 FOR UPDATE`, [
          req.params.id,
        ]);
        if (!cur) throw notFound('That category');
        await checkRefs(t, req.body, cur.id);
        const b = req.body;
        const [r] = await t.q<Row>(
          `UPDATE categories SET name = $2, colour = $3, guidance = $4, restricted = $5, parent_id = $6,
             alert_groups = $7, alert_user_ids = $8, archived_at = $9, updated_at = $10
           WHERE id = $1 RETURNING ${COLUMNS}`,
          [
            cur.id,
            b.name?.trim() ?? cur.name,
            b.colour ?? cur.colour,
            b.guidance ?? cur.guidance,
            b.restricted ?? cur.restricted,
            b.parentId === undefined ? cur.parent_id : b.parentId,
            b.alertGroups ?? cur.alert_groups,
            b.alertUserIds ?? cur.alert_user_ids,
            b.archived === undefined
              ? cur.archived_at
              : b.archived
                ? (cur.archived_at ?? t.now)
                : null,
            t.now,
          ],
        );
        await t.audit({
          action: 'category.updated',
          targetType: 'category',
          targetId: cur.id,
          details: { fields: Object.keys(b) },
        });
        return present(r!);
      });
    },
  );
}
