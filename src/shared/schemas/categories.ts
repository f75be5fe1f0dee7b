// The categories routes' schemas: the school's categories as listed and edited. A category's
// alertGroups are team names (ALERT_TEAMS, ./alerts.ts) or the keys of the school's staff groups.
import { Type, type Static } from 'typebox';
import { Uuid } from './common.ts';

/**
 * What the signed-in member may do with a category: 'add' — log a concern under it or re-file one
 * into it (the school's group × category grants, decided on the server: features/categories/policy.ts).
 */
export const CategoryAction = Type.Union([Type.Literal('add')]);
export type CategoryAction = Static<typeof CategoryAction>;

export const Category = Type.Object({
  id: Type.String(),
  parentId: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  colour: Type.String(),
  guidance: Type.String(),
  restricted: Type.Boolean(),
  alertGroups: Type.Array(Type.String()),
  alertUserIds: Type.Array(Type.String()),
  archived: Type.Boolean(),
  allowed: Type.Array(CategoryAction),
});
export type Category = Static<typeof Category>;

export const CategoryList = Type.Object({ items: Type.Array(Category) });
export type CategoryList = Static<typeof CategoryList>;

export const CategoryListQuery = Type.Object(
  { archived: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type CategoryListQuery = Static<typeof CategoryListQuery>;

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

export const NewCategory = Type.Object(
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
export type NewCategory = Static<typeof NewCategory>;

export const CategoryPatch = Type.Partial(Type.Object(Fields), { additionalProperties: false });
export type CategoryPatch = Static<typeof CategoryPatch>;
