// What a member may do with a category, from the school's group × category grants
// (src/core/access/permissions.ts). One rule, used twice: the category list marks each category
// with `allowed` (the log-a-concern form offers only those marked 'add'), and logging or
// re-filing a concern refuses a category the rule does not allow (concerns/validate.ts), so the
// form never offers what the server would refuse and the UI never works the rule out itself.
//
// The rule is canAddCategory: a category may be filed under when one of the member's groups
// grants it "add" or "view" ("view" includes "add"), by an explicit entry or the group's default
// for its kind; a restricted category only through an explicit entry or `restrictedDefault`.
// Each category and sub-category is judged on its own entry (a sub-category does not inherit its
// parent's), as every read is. An archived category is offered to no one.
import { canAddCategory, type Permissions } from '../../core/access/permissions.ts';
import type { CategoryAction } from '../../shared/schemas/categories.ts';

export type FilingRef = { id: string; restricted: boolean; archived?: boolean };

/** May the member log a concern under this category, or re-file one into it? */
export function canFileUnder(perms: Permissions, category: FilingRef): boolean {
  return category.archived !== true && canAddCategory(perms, category.id, category.restricted);
}

/** The category's `allowed` actions as the category list sends them. */
export function categoryActions(perms: Permissions, category: FilingRef): CategoryAction[] {
  return canFileUnder(perms, category) ? ['add'] : [];
}
