// The school's categories: listed for everyone (the "Category" picker shows colour and guidance),
// managed by school administrators: name, colour, guidance, sub-categories (parentId), restricted,
// and the staff and groups a concern in the category alerts by default. The rules (legible
// colours, one level of sub-categories, restriction passed down, auditing) are in service.ts.
import { Type } from 'typebox';
import { requireAbility } from '../../core/access/step-up.ts';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { IdParams, Uuid, responses } from '../../shared/schemas/common.ts';
import { createCategory, listCategories, updateCategory } from './service.ts';

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

export function registerCategoryRoutes(app: App, _services: Services): void {
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
    async (req) => ({
      items: await ctx(req).tx((t) => listCategories(t, req.query.archived === true)),
    }),
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
      const c = ctx(req);
      requireAbility(c.actor, 'admin');
      const view = await c.tx((t) => createCategory(t, req.body));
      return reply.status(201).send(view);
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
      const c = ctx(req);
      requireAbility(c.actor, 'admin');
      return c.tx((t) => updateCategory(t, req.params.id, req.body));
    },
  );
}
