// The categories a new school starts with: the English-school set in defaults.ts, each with its
// sub-categories, guidance, restriction and the teams it alerts by default. The school edits them
// afterwards (routes.ts).
import type { Queryable } from '../../platform/db/engine.ts';
import { DEFAULT_CATEGORIES } from './defaults.ts';

export async function seedCategories(tx: Queryable, schoolId: string): Promise<void> {
  let order = 0;
  for (const c of DEFAULT_CATEGORIES) {
    const [parent] = await tx.query<{ id: string }>(
      `INSERT INTO categories (school_id, key, name, colour, guidance, restricted, sort_order,
         alert_groups)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [schoolId, c.key, c.name, c.colour, c.guidance, c.restricted, order++, [...c.alertGroups]],
    );
    for (const sub of c.subcategories) {
      await tx.query(
        `INSERT INTO categories (school_id, parent_id, key, name, colour, guidance, restricted,
           sort_order, alert_groups)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          schoolId,
          parent!.id,
          sub.key,
          sub.name,
          c.colour,
          c.guidance,
          c.restricted || sub.restricted,
          order++,
          [...c.alertGroups],
        ],
      );
    }
  }
}
