// The school's categories: listed for everyone (the "Category" picker shows colour and guidance),
// managed by school administrators: name, colour, guidance, sub-categories (parentId), restricted,
// and the staff and groups a concern in the category alerts by default. The rules (legible
// colours, one level of sub-categories, restriction passed down, auditing) are in service.ts.
import { requireAbility } from '../../core/access/step-up.ts';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { IdParams, responses } from '../../shared/schemas/common.ts';
import {
  Category,
  CategoryList,
  CategoryListQuery,
  CategoryPatch,
  NewCategory,
} from '../../shared/schemas/categories.ts';
import { createCategory, listCategories, updateCategory } from './service.ts';

export function registerCategoryRoutes(app: App, _services: Services): void {
  app.get(
    '/api/categories',
    {
      schema: {
        tags: ['categories'],
        summary: "The school's categories, in its order",
        querystring: CategoryListQuery,
        response: responses({ 200: CategoryList }),
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
