// "Search records": words in the encrypted text (matched through the server's keyed blind index,
// never as plaintext) and filters by pupil, category, author, status and dates. The server filters
// results by the searcher's permissions and audits every search; this page only asks and shows.
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Button } from 'react-aria-components';
import { api, ApiError, errorMessage, type Pupil } from '../api.ts';
import { formatWhen, statusLabel } from '../format.ts';
import { useLoad } from '../useLoad.ts';
import { PageHeading } from '../components/PageHeading.tsx';
import { CategoryChips } from '../components/CategoryChips.tsx';
import type { StaffDirectory } from '../components/AlertChoice.tsx';
import {
  CategoryFilter,
  DateRangeFields,
  rangeProblem,
  toRange,
} from '../components/FilterFields.tsx';

type Hit = {
  id: string;
  kind: string;
  happenedAt: string;
  /** `id` is null for a pupil the searcher may not see ("Another pupil"). */
  pupils: { id: string | null; name: string }[];
  categories: { id: string; name: string; colour: string }[];
  author: string;
  status: string;
  excerpt: string;
};

type Form = {
  q: string;
  pupil: string;
  categoryId: string;
  authorId: string;
  status: string;
  from: string;
  to: string;
};
const EMPTY: Form = {
  q: '',
  pupil: '',
  categoryId: '',
  authorId: '',
  status: '',
  from: '',
  to: '',
};

type Outcome =
  | { state: 'idle' }
  | { state: 'searching' }
  | { state: 'done'; hits: Hit[] }
  | { state: 'choose-pupil'; pupils: Pupil[] }
  | { state: 'error'; message: string };

/** Where a hit leads: a concern to its page, anything else to its pupil's chronology if shown. */
function hitLink(h: Hit): string | null {
  if (h.kind === 'concern') return `/concerns/${h.id}`;
  const pupil = h.pupils.find((p) => p.id !== null);
  return pupil ? `/pupils/${pupil.id}` : null;
}

const KIND_LABEL: Record<string, string> = {
  concern: 'Concern',
  action: 'Action',
  conversation: 'Conversation',
};

const hitTitle = (h: Hit) =>
  `${KIND_LABEL[h.kind] ?? 'Record'} about ${h.pupils.map((p) => p.name).join(', ')}`;

export function SearchPage() {
  const staff = useLoad<StaffDirectory>('/api/staff');
  const [form, setForm] = useState<Form>(EMPTY);
  const [pupilId, setPupilId] = useState('');
  const [outcome, setOutcome] = useState<Outcome>({ state: 'idle' });
  const set = (patch: Partial<Form>) => setForm({ ...form, ...patch });

  const run = async (chosenPupil: string) => {
    const q = new URLSearchParams();
    if (form.q.trim()) q.set('q', form.q.trim());
    if (chosenPupil) q.set('pupilId', chosenPupil);
    if (form.categoryId) q.set('categoryId', form.categoryId);
    if (form.authorId) q.set('authorId', form.authorId);
    if (form.status) q.set('status', form.status);
    for (const [k, v] of Object.entries(toRange(form))) q.set(k, v);
    const wrong = rangeProblem(form);
    if (wrong) {
      setOutcome({ state: 'error', message: wrong });
      return;
    }
    if ([...q.keys()].length === 0) {
      setOutcome({ state: 'error', message: 'Type a word to search for, or choose a filter.' });
      return;
    }
    setOutcome({ state: 'searching' });
    try {
      const res = await api<{ items: Hit[] }>('GET', `/api/search?${q.toString()}`);
      setOutcome({ state: 'done', hits: res.items });
    } catch (err) {
      setOutcome({
        state: 'error',
        message:
          err instanceof ApiError && err.code === 'step_up_required'
            ? 'Searching records needs your second factor. Confirm it is you on the dashboard, then search again.'
            : errorMessage(err),
      });
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (outcome.state === 'searching') return;
    // A pupil named by part of a name: one match is used; several are offered to choose from.
    if (form.pupil.trim() && !pupilId) {
      try {
        const found = await api<{ items: Pupil[] }>(
          'GET',
          `/api/pupils?q=${encodeURIComponent(form.pupil.trim())}&includeArchived=true`,
        );
        if (found.items.length === 0) {
          setOutcome({ state: 'error', message: `No pupil matches "${form.pupil.trim()}".` });
          return;
        }
        if (found.items.length > 1) {
          setOutcome({ state: 'choose-pupil', pupils: found.items });
          return;
        }
        const only = found.items[0] as Pupil;
        setPupilId(only.id);
        await run(only.id);
        return;
      } catch (err) {
        setOutcome({ state: 'error', message: errorMessage(err) });
        return;
      }
    }
    await run(pupilId);
  };

  const people = staff.status === 'ok' ? staff.data.staff : [];
  return (
    <>
      <PageHeading title="Search records">Search records</PageHeading>
      <form role="search" className="card stack" onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor="search-q" className="field-label">
            Search records
          </label>
          <p id="search-q-hint" className="hint">
            Whole words from what was written, such as a place or something a child said.
          </p>
          <input
            id="search-q"
            className="input"
            type="search"
            maxLength={500}
            value={form.q}
            onChange={(e) => set({ q: e.target.value })}
            aria-describedby="search-q-hint"
            autoComplete="off"
          />
        </div>
        <details>
          <summary className="more-filters">More filters</summary>
          <div className="stack">
            <div className="field">
              <label htmlFor="search-pupil" className="field-label">
                Pupil&rsquo;s name
              </label>
              <input
                id="search-pupil"
                className="input"
                value={form.pupil}
                onChange={(e) => {
                  setPupilId('');
                  set({ pupil: e.target.value });
                }}
                autoComplete="off"
              />
            </div>
            <div className="field-row">
              <CategoryFilter
                id="search-category"
                label="Category"
                anyLabel="Any category"
                value={form.categoryId}
                onChange={(categoryId) => set({ categoryId })}
              />
              <div className="field">
                <label htmlFor="search-author" className="field-label">
                  Recorded by
                </label>
                <select
                  id="search-author"
                  className="input"
                  value={form.authorId}
                  onChange={(e) => set({ authorId: e.target.value })}
                >
                  <option value="">Anyone</option>
                  {people.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="search-status" className="field-label">
                  Status
                </label>
                <select
                  id="search-status"
                  className="input"
                  aria-describedby="search-status-hint"
                  value={form.status}
                  onChange={(e) => set({ status: e.target.value })}
                >
                  <option value="">Open or closed</option>
                  <option value="open">Open</option>
                  <option value="closed">Closed</option>
                </select>
                <p className="hint" id="search-status-hint">
                  A concern is closed once its case is closed; an action once it is completed.
                  Conversations have no status and are left out.
                </p>
              </div>
              <DateRangeFields idPrefix="search" value={form} onChange={(r) => set(r)} />
            </div>
          </div>
        </details>
        <div className="actions">
          <Button type="submit" className="button button-primary">
            Search
          </Button>
          <Button
            className="button button-quiet"
            onPress={() => {
              setForm(EMPTY);
              setPupilId('');
              setOutcome({ state: 'idle' });
            }}
          >
            Clear
          </Button>
        </div>
      </form>
      <Results
        outcome={outcome}
        onChoosePupil={(p) => {
          setPupilId(p.id);
          set({ pupil: p.name });
          void run(p.id);
        }}
      />
    </>
  );
}

function Results({
  outcome,
  onChoosePupil,
}: {
  outcome: Outcome;
  onChoosePupil: (p: Pupil) => void;
}) {
  return (
    <section aria-labelledby="results-heading" className="section">
      <h2 id="results-heading">Results</h2>
      <div role="status">
        {outcome.state === 'searching' && <p>Searching…</p>}
        {outcome.state === 'done' && (
          <p>
            {outcome.hits.length === 0
              ? 'Nothing you can see matches.'
              : `${outcome.hits.length} ${outcome.hits.length === 1 ? 'record' : 'records'} found.`}
          </p>
        )}
      </div>
      {outcome.state === 'error' && (
        <p className="message message-error" role="alert">
          {outcome.message}
        </p>
      )}
      {outcome.state === 'choose-pupil' && (
        <div className="stack">
          <p>Several pupils match. Which one?</p>
          <ul className="inline-choices">
            {outcome.pupils.map((p) => (
              <li key={p.id}>
                <Button className="button" onPress={() => onChoosePupil(p)}>
                  {p.name}
                  {p.form ? ` (${p.form})` : ''}
                </Button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {outcome.state === 'done' && outcome.hits.length > 0 && (
        <ul className="concern-list">
          {outcome.hits.map((h) => (
            <li key={`${h.kind}-${h.id}`} className="card work-item">
              <p className="work-title">
                {hitLink(h) ? <Link to={hitLink(h)!}>{hitTitle(h)}</Link> : hitTitle(h)}
              </p>
              <p className="muted">
                {formatWhen(h.happenedAt)} · recorded by {h.author} · {statusLabel(h.status)}
              </p>
              <CategoryChips categories={h.categories} />
              <p className="entry-text">{h.excerpt}</p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
