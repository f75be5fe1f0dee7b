// What the category pages work with besides the server's own Category: a category as a chip,
// and the choices the category form offers.
import type { Category } from '../../../../src/shared/schemas/categories.ts';

/** A category as a record shows it: its name in its colour. */
export type CategoryChip = Pick<Category, 'id' | 'name' | 'colour'>;

/** A group a category can alert: the DSL team and the other teams, then the school's groups. */
export type GroupChoice = { key: string; label: string; team: boolean };

/** What the category form offers: the categories, the groups and the staff. */
export type Choices = {
  categories: Category[];
  groups: GroupChoice[];
  staff: { id: string; name: string }[];
};
