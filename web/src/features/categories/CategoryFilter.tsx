// "Filter by category" for the search page and the chronology: the school's categories, loaded
// here, or any.
import { useLoad } from '../../lib/useLoad.ts';
import { Select } from '../../ui/Field.tsx';
import type { CategoryList } from '../../../../src/shared/schemas/categories.ts';

export function CategoryFilter(props: {
  id: string;
  label: string;
  anyLabel: string;
  value: string;
  onChange: (id: string) => void;
}) {
  const categories = useLoad<CategoryList>('/api/categories');
  return (
    <Select id={props.id} label={props.label} value={props.value} onChange={props.onChange}>
      <option value="">{props.anyLabel}</option>
      {categories.status === 'ok' &&
        categories.data.items.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
    </Select>
  );
}
