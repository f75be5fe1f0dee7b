// Categories as chips: the school's colour as a swatch beside the name, never colour alone.
import type { CategoryChip } from './types.ts';
import { Swatch } from '../../ui/Swatch.tsx';

export function CategoryChips({ categories }: { categories: CategoryChip[] }) {
  if (categories.length === 0) return null;
  return (
    <ul className="chips" aria-label="Categories">
      {categories.map((c) => (
        <li key={c.id} className="chip">
          <Swatch colour={c.colour} />
          {c.name}
        </li>
      ))}
    </ul>
  );
}
