// Filters for a pupil's chronology (category, kinds of entry, dates) and the ways to take it away:
// the print-ready page (the browser's print, with a print stylesheet) and the PDF export, which the
// server renders with the same filters, stamps with who exported it and when, and audits.
import { useState, type FormEvent } from 'react';
import { Button } from 'react-aria-components';
import type { Category } from '../api.ts';
import { useLoad } from '../useLoad.ts';

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
  if (f.from) q.set('from', new Date(`${f.from}T00:00:00`).toISOString());
  if (f.to) q.set('to', new Date(`${f.to}T23:59:59.999`).toISOString());
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
  const categories = useLoad<{ items: Category[] }>('/api/categories');
  const [draft, setDraft] = useState<ChronologyFilter>(applied);
  const [problem, setProblem] = useState<string | null>(null);
  const set = (patch: Partial<ChronologyFilter>) => setDraft({ ...draft, ...patch });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (draft.from && draft.to && draft.from > draft.to) {
      setProblem('The "From" date must be on or before the "To" date.');
      return;
    }
    setProblem(null);
    onApply(draft);
  };
  return (
    <form className="card stack no-print" onSubmit={submit} aria-label="Filter the chronology">
      <div className="field-row">
        <div className="field">
          <label htmlFor="chron-category" className="field-label">
            Filter by category
          </label>
          <select
            id="chron-category"
            className="input"
            value={draft.categoryId}
            onChange={(e) => set({ categoryId: e.target.value })}
          >
            <option value="">All categories</option>
            {categories.status === 'ok' &&
              categories.data.items.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="chron-from" className="field-label">
            From
          </label>
          <input
            id="chron-from"
            type="date"
            className="input"
            value={draft.from}
            onChange={(e) => set({ from: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="chron-to" className="field-label">
            To
          </label>
          <input
            id="chron-to"
            type="date"
            className="input"
            value={draft.to}
            onChange={(e) => set({ to: e.target.value })}
          />
        </div>
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
