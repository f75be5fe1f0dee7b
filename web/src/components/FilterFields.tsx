// Filter controls shared by the search page and the chronology: a category select (loading the
// school's categories itself) and a pair of dates. Dates are whole days in the browser's time zone;
// toRange() turns them into the instants the API filters take.
import type { Category } from '../api.ts';
import { useLoad } from '../useLoad.ts';
import { FormField } from './FormField.tsx';

export function CategoryFilter(props: {
  id: string;
  label: string;
  anyLabel: string;
  value: string;
  onChange: (id: string) => void;
}) {
  const categories = useLoad<{ items: Category[] }>('/api/categories');
  return (
    <FormField id={props.id} label={props.label}>
      {(control) => (
        <select
          {...control}
          className="input"
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
        >
          <option value="">{props.anyLabel}</option>
          {categories.status === 'ok' &&
            categories.data.items.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
        </select>
      )}
    </FormField>
  );
}

export type DayRange = { from: string; to: string };

export function DateRangeFields(props: {
  idPrefix: string;
  value: DayRange;
  onChange: (next: DayRange) => void;
}) {
  const day = (which: keyof DayRange, label: string) => (
    <FormField id={`${props.idPrefix}-${which}`} label={label}>
      {(control) => (
        <input
          {...control}
          type="date"
          className="input"
          value={props.value[which]}
          onChange={(e) => props.onChange({ ...props.value, [which]: e.target.value })}
        />
      )}
    </FormField>
  );
  return (
    <>
      {day('from', 'From date')}
      {day('to', 'To date')}
    </>
  );
}

/** A problem with the range as a person would say it, or null. */
export function rangeProblem(r: DayRange): string | null {
  return r.from && r.to && r.from > r.to
    ? 'The "From date" must be on or before the "To date".'
    : null;
}

/** The API's from/to instants: the start of the first day and the end of the last. */
export function toRange(r: DayRange): { from?: string; to?: string } {
  return {
    ...(r.from ? { from: new Date(`${r.from}T00:00:00`).toISOString() } : {}),
    ...(r.to ? { to: new Date(`${r.to}T23:59:59.999`).toISOString() } : {}),
  };
}
