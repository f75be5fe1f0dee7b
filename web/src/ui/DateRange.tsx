// A pair of dates bounding a search or a chronology. Dates are whole days in the browser's time
// zone; toRange() turns them into the instants the API filters take.
import { DateField } from './Field.tsx';

export type DayRange = { from: string; to: string };

export function DateRangeFields(props: {
  idPrefix: string;
  value: DayRange;
  onChange: (next: DayRange) => void;
}) {
  const day = (which: keyof DayRange, label: string) => (
    <DateField
      id={`${props.idPrefix}-${which}`}
      label={label}
      inputClassName="input"
      value={props.value[which]}
      onChange={(v) => props.onChange({ ...props.value, [which]: v })}
    />
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
