// Filters for a pupil's chronology (category, kinds of entry, dates) and the ways to take it away:
// the print-ready page (the browser's print, with a print stylesheet) and the PDF export, which the
// server renders with the same filters, stamps with who exported it and when, and audits.
import { useState, type FormEvent } from 'react';
import { Button } from 'react-aria-components';
import { CategoryFilter, DateRangeFields, rangeProblem, toRange } from './FilterFields.tsx';

export const ENTRY_KINDS = [
  ['concern', 'Concerns'],
  ['action', 'Actions'],
  ['referral', 'Referrals'],
  ['conversation', 'Conversations'],
  ['case_event', 'Case events'],
  ['mis_event', 'School records (MIS)'],
] as const;

export type ChronologyFilter = { categoryId: string; kinds: string[]; from: string; to: string };
export const NO_FILTER: ChronologyFilter = { categoryId: '', kinds: [], from: '', to: '' };

/** The query string the chronology API and its PDF export both take. */
export function filterQuery(f: ChronologyFilter): string {
  const q = new URLSearchParams();
  if (f.categoryId) q.set('categoryId', f.categoryId);
  for (const k of f.kinds) q.append('kinds', k);
  for (const [k, v] of Object.entries(toRange(f))) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

type Props = {
  pupilId: string;
  applied: ChronologyFilter;
  onApply: (f: ChronologyFilter) => void;
  canExport: boolean;
};

export function ChronologyFilters({ pupilId, applied, onApply, canExport }: Props) {
  const [draft, setDraft] = useState<ChronologyFilter>(applied);
  const [problem, setProblem] = useState<string | null>(null);
  const set = (patch: Partial<ChronologyFilter>) => setDraft({ ...draft, ...patch });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const wrong = rangeProblem(draft);
    setProblem(wrong);
    if (wrong) return;
    onApply(draft);
  };
  return (
    <form className="card stack no-print" onSubmit={submit} aria-label="Filter the chronology">
      <div className="field-row">
        <CategoryFilter
          id="chron-category"
          label="Filter by category"
          anyLabel="All categories"
          value={draft.categoryId}
          onChange={(categoryId) => set({ categoryId })}
        />
        <DateRangeFields idPrefix="chron" value={draft} onChange={(r) => set(r)} />
      </div>
      <fieldset className="fieldset">
        <legend className="field-label">Show</legend>
        <div className="checkbox-list">
          {ENTRY_KINDS.map(([kind, label]) => (
            <label key={kind} className="checkbox">
              <input
                type="checkbox"
                checked={draft.kinds.length === 0 || draft.kinds.includes(kind)}
                onChange={(e) => {
                  const all = ENTRY_KINDS.map(([k]) => k as string);
                  const current = draft.kinds.length === 0 ? all : draft.kinds;
                  const next = e.target.checked
                    ? [...current, kind]
                    : current.filter((k) => k !== kind);
                  set({ kinds: next.length === all.length ? [] : next });
                }}
              />
              {label}
            </label>
          ))}
        </div>
      </fieldset>
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      <div className="actions">
        <Button type="submit" className="button">
          Apply filters
        </Button>
        <Button
          className="button button-quiet"
          onPress={() => {
            setDraft(NO_FILTER);
            onApply(NO_FILTER);
          }}
        >
          Clear filters
        </Button>
        <Button className="button button-quiet" onPress={() => window.print()}>
          Print
        </Button>
        {canExport && (
          <a
            className="button"
            href={`/api/pupils/${encodeURIComponent(pupilId)}/chronology.pdf${filterQuery(applied)}`}
            download
          >
            Export as PDF
          </a>
        )}
      </div>
    </form>
  );
}
