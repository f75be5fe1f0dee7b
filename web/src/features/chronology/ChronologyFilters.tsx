// Filters for a pupil's chronology (category, kinds of entry, dates) and the ways to take it away:
// the print-ready page (the browser's print, with a print stylesheet) and the PDF export, which the
// server renders with the same filters, stamps with who exported it and when, and audits.
import { useState } from 'react';
import type { EntryKind } from '../../../../src/shared/schemas/chronology.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError } from '../../ui/Form.tsx';
import { Checkbox } from '../../ui/Field.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import { DateRangeFields, rangeProblem, toRange } from '../../ui/DateRange.tsx';
import { CategoryFilter } from '../categories/CategoryFilter.tsx';

/** The kinds of entry, one for each the server has (ENTRY_KINDS, its chronology schema). */
const ENTRY_KIND_NAMES = {
  concern: 'Concerns',
  action: 'Actions',
  referral: 'Referrals',
  conversation: 'Conversations',
  case_event: 'Case events',
  mis_event: 'School records (MIS)',
} satisfies Record<EntryKind, string>;
export const ENTRY_KINDS = Object.entries(ENTRY_KIND_NAMES);

export type ChronologyFilter = { categoryId: string; kinds: string[]; from: string; to: string };
export const NO_FILTER: ChronologyFilter = { categoryId: '', kinds: [], from: '', to: '' };

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The filters as the page's own address keeps them (`?category=…&kind=…&from=YYYY-MM-DD&to=…`), so
 * Back, a reload or a link shared with a colleague shows the same entries. Anything not understood
 * is ignored (the page then shows more, never less, than asked).
 */
export function filterFromAddress(params: URLSearchParams): ChronologyFilter {
  const known = new Set<string>(ENTRY_KINDS.map(([k]) => k));
  const kinds = [...new Set(params.getAll('kind').filter((k) => known.has(k)))];
  const day = (v: string | null) => (v && DAY.test(v) ? v : '');
  return {
    categoryId: params.get('category') ?? '',
    kinds: kinds.length === known.size ? [] : kinds,
    from: day(params.get('from')),
    to: day(params.get('to')),
  };
}

export function filterToAddress(f: ChronologyFilter): URLSearchParams {
  const q = new URLSearchParams();
  if (f.categoryId) q.set('category', f.categoryId);
  for (const k of f.kinds) q.append('kind', k);
  if (f.from) q.set('from', f.from);
  if (f.to) q.set('to', f.to);
  return q;
}

/** How many filters are in force (a category, the kinds of entry, each date). */
export function filtersApplied(f: ChronologyFilter): number {
  return [f.categoryId, f.kinds.length > 0, f.from, f.to].filter(Boolean).length;
}

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
  const inForce = filtersApplied(applied);
  const submit = useSubmit();
  const set = (patch: Partial<ChronologyFilter>) => setDraft({ ...draft, ...patch });
  const apply = () => {
    const wrong = rangeProblem(draft);
    if (wrong) submit.invalid({}, wrong);
    else onApply(draft);
  };
  const all = ENTRY_KINDS.map(([k]) => k);
  const shown = draft.kinds.length === 0 ? all : draft.kinds;
  // Folded above the timeline, so the entries come first; open while any filter is in force.
  return (
    <>
      <details className="card no-print optional-section" open={inForce > 0 ? true : undefined}>
        <summary>
          Filters
          {inForce > 0 && ` (${inForce} ${inForce === 1 ? 'filter' : 'filters'} applied)`}
        </summary>
        <Form submit={submit} onSubmit={apply} className="stack" aria-label="Filter the chronology">
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
                <Checkbox
                  key={kind}
                  checked={shown.includes(kind)}
                  onChange={(on) => {
                    const next = on ? [...shown, kind] : shown.filter((k) => k !== kind);
                    set({ kinds: next.length === all.length ? [] : next });
                  }}
                >
                  {label}
                </Checkbox>
              ))}
            </div>
          </fieldset>
          <FormError />
          <div className="actions">
            <SubmitButton variant="secondary">Apply filters</SubmitButton>
            <Button
              variant="quiet"
              onPress={() => {
                setDraft(NO_FILTER);
                onApply(NO_FILTER);
              }}
            >
              Clear filters
            </Button>
          </div>
        </Form>
      </details>
      {/* Print and the PDF stay in view: they take what the filters show. */}
      <div className="actions no-print">
        <Button variant="quiet" onPress={() => window.print()} aria-describedby="chron-print-hint">
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
      <p className="hint no-print" id="chron-print-hint">
        {canExport
          ? 'Print holds only the entries loaded on this page; the PDF holds every entry under these filters.'
          : 'Print holds only the entries loaded on this page.'}
      </p>
    </>
  );
}
