// "Also record under": a concern may belong to more than one category (a disclosure of neglect
// that is also about attendance). The main "Category" stays a single select, which is what people
// and outside checks choose first; the others are ticked here, folded away until wanted. Only
// categories the server marks `allowed: ['add']` for this member are offered. A sub-category is
// named with its parent ("Bullying: Online"), as two parents may each have a "Physical".
import type { Loaded } from '../../lib/useLoad.ts';
import { Checkbox } from '../../ui/Field.tsx';
import { Swatch } from '../../ui/Swatch.tsx';
import type { CategoryList } from '../../../../src/shared/schemas/categories.ts';

type Props = {
  state: Loaded<CategoryList>;
  primary: string;
  chosen: string[];
  onChange: (next: string[]) => void;
};

export function MoreCategories({ state, primary, chosen, onChange }: Props) {
  if (state.status !== 'ok') return null;
  const items = state.data.items.filter(
    (c) => c.archived !== true && c.id !== primary && c.allowed.includes('add'),
  );
  if (items.length === 0) return null;
  const picked = chosen.filter((id) => id !== primary);
  const all = state.data.items;
  const named = (c: (typeof all)[number]) => {
    const parent = c.parentId ? all.find((p) => p.id === c.parentId) : undefined;
    return parent ? `${parent.name}: ${c.name}` : c.name;
  };
  return (
    <details className="more-categories" open={picked.length > 0 ? true : undefined}>
      <summary>
        Also record under other categories
        {picked.length > 0 && <span className="muted"> ({picked.length} chosen)</span>}
      </summary>
      <fieldset className="fieldset">
        <legend className="visually-hidden">Other categories</legend>
        <div className="checkbox-list">
          {items.map((c) => (
            <Checkbox
              key={c.id}
              checked={picked.includes(c.id)}
              onChange={(on) => onChange(on ? [...picked, c.id] : picked.filter((p) => p !== c.id))}
            >
              <Swatch colour={c.colour} />
              {named(c)}
            </Checkbox>
          ))}
        </div>
      </fieldset>
    </details>
  );
}
