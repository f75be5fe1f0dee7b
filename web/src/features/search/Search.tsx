// "Search records": words in the encrypted text (matched through the server's keyed blind index,
// never as plaintext) and filters by pupil, category, author, status and dates. The server filters
// results by the searcher's permissions and audits every search; this page only asks and shows.
// A search answers a page of the newest 50 with how many there are ("50 of 1,234 results", or
// "of more than 1,000" past the server's count); "Show more results" appends the next page (the
// focus moves to its first result and the count line announces the new total). The words stay in
// the form throughout: more results are asked for with the words of the search that was shown.
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api, ApiError, errorMessage, signedOut } from '../../lib/api.ts';
import { formatWhen, statusLabel } from '../../lib/format.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit, type Submit } from '../../lib/useSubmit.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { Form, FormError } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { Select } from '../../ui/Field.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import { DateRangeFields, rangeProblem, toRange } from '../../ui/DateRange.tsx';
import { CategoryChips } from '../categories/CategoryChips.tsx';
import { CategoryFilter } from '../categories/CategoryFilter.tsx';
import type { StaffDirectory } from '../../../../src/shared/schemas/administration.ts';
import type {
  PupilList,
  PupilSearch,
  PupilSummary,
} from '../../../../src/shared/schemas/pupils.ts';
import type {
  SearchBody,
  SearchHit,
  SearchResults,
} from '../../../../src/shared/schemas/search.ts';

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

/** A search shown: the request it answers, its hits so far, its count and the next page. */
type Found = {
  /** Which search of this visit it is: a new search starts its list (and its focus) afresh. */
  serial: number;
  body: SearchBody;
  hits: SearchHit[];
  count: number;
  countIsLowerBound: boolean;
  next: string | undefined;
  /** Some older records are not yet re-indexed for word forms (the server is doing it). */
  reindexing: boolean;
};

type Outcome =
  | { state: 'idle' }
  | ({ state: 'done' } & Found)
  | { state: 'choose-pupil'; pupils: PupilSummary[] };

/** A refusal as the searcher can act on it: a step-up is done on the dashboard. */
const searchProblem = (err: unknown) =>
  err instanceof ApiError && err.code === 'step_up_required'
    ? 'Searching records needs your second factor. Confirm it is you on the dashboard, then search again.'
    : errorMessage(err);

/** Where a hit leads: a concern to its page, anything else to its pupil's chronology if shown. */
function hitLink(h: SearchHit): string | null {
  if (h.kind === 'concern') return `/concerns/${h.id}`;
  const pupil = h.pupils.find((p) => p.id !== null);
  return pupil ? `/pupils/${pupil.id}` : null;
}

const KIND_LABEL: Record<string, string> = {
  concern: 'Concern',
  action: 'Action',
  conversation: 'Conversation',
};

/** The excerpt with each matched word (as written, a whole word) marked. */
function Highlighted({ text, words }: { text: string; words: string[] }) {
  if (words.length === 0) return <>{text}</>;
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(${escaped.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  const parts = text.split(pattern);
  // split() with one capturing group puts each match at an odd index.
  return <>{parts.map((part, i) => (i % 2 === 1 ? <mark key={i}>{part}</mark> : part))}</>;
}

const hitTitle = (h: SearchHit) =>
  `${KIND_LABEL[h.kind] ?? 'Record'} about ${h.pupils.map((p) => p.name).join(', ')}`;

export function SearchPage() {
  const staff = useLoad<StaffDirectory>('/api/staff');
  const [form, setForm] = useState<Form>(EMPTY);
  const [pupilId, setPupilId] = useState('');
  const [outcome, setOutcome] = useState<Outcome>({ state: 'idle' });
  const searches = useRef(0);
  const set = (patch: Partial<Form>) => setForm({ ...form, ...patch });

  const submit = useSubmit({ describe: searchProblem });

  const search = async (chosenPupil: string) => {
    setOutcome({ state: 'idle' });
    // The words and filters travel in the body, never in a URL a log or proxy keeps.
    const body: SearchBody = {
      ...(form.q.trim() ? { q: form.q.trim() } : {}),
      ...(chosenPupil ? { pupilId: chosenPupil } : {}),
      ...(form.categoryId ? { categoryId: form.categoryId } : {}),
      ...(form.authorId ? { authorId: form.authorId } : {}),
      ...(form.status === 'open' || form.status === 'closed' ? { status: form.status } : {}),
      ...toRange(form),
    };
    const wrong = rangeProblem(form);
    if (wrong) {
      submit.invalid({}, wrong);
      return;
    }
    if (Object.keys(body).length === 0) {
      submit.invalid({}, 'Type a word to search for, or choose a filter.');
      return;
    }
    const res = await api<SearchResults>('POST', '/api/search', body);
    setOutcome({
      state: 'done',
      serial: ++searches.current,
      body,
      hits: res.items,
      count: res.count,
      countIsLowerBound: res.countIsLowerBound,
      next: res.nextCursor,
      reindexing: res.reindexing === true,
    });
  };

  const find = async () => {
    setOutcome({ state: 'idle' });
    // A pupil named by part of a name: one match is used; several are offered to choose from.
    if (form.pupil.trim() && !pupilId) {
      const lookup: PupilSearch = { q: form.pupil.trim(), includeArchived: true };
      const found = await api<PupilList>('POST', '/api/pupils/search', lookup);
      if (found.items.length === 0) {
        submit.invalid({}, `No pupil matches "${form.pupil.trim()}".`);
        return;
      }
      if (found.items.length > 1) {
        setOutcome({ state: 'choose-pupil', pupils: found.items });
        return;
      }
      const only = found.items[0] as PupilSummary;
      setPupilId(only.id);
      await search(only.id);
      return;
    }
    await search(pupilId);
  };

  const people = staff.status === 'ok' ? staff.data.staff : [];
  return (
    <>
      <PageHeading title="Search records">Search records</PageHeading>
      <Form submit={submit} onSubmit={find} role="search" className="card stack">
        <TextField
          label="Search records"
          hint="Whole words from what was written, such as a place or something a child said."
          type="search"
          maxLength={500}
          value={form.q}
          onChange={(q) => set({ q })}
          autoComplete="off"
        />
        <details>
          <summary className="more-filters">More filters</summary>
          <div className="stack">
            <TextField
              label={<>Pupil&rsquo;s name</>}
              value={form.pupil}
              onChange={(pupil) => {
                setPupilId('');
                set({ pupil });
              }}
              autoComplete="off"
            />
            <div className="field-row">
              <CategoryFilter
                id="search-category"
                label="Category"
                anyLabel="Any category"
                value={form.categoryId}
                onChange={(categoryId) => set({ categoryId })}
              />
              <Select
                label="Recorded by"
                value={form.authorId}
                onChange={(authorId) => set({ authorId })}
              >
                <option value="">Anyone</option>
                {people.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </Select>
              <Select
                label="Status"
                hint="A concern is closed once its case is closed; an action once it is completed. Conversations have no status and are left out."
                hintAfter
                value={form.status}
                onChange={(status) => set({ status })}
              >
                <option value="">Open or closed</option>
                <option value="open">Open</option>
                <option value="closed">Closed</option>
              </Select>
              <DateRangeFields idPrefix="search" value={form} onChange={(r) => set(r)} />
            </div>
          </div>
        </details>
        <div className="actions">
          <SubmitButton>Search</SubmitButton>
          <Button
            variant="quiet"
            onPress={() => {
              setForm(EMPTY);
              setPupilId('');
              setOutcome({ state: 'idle' });
              submit.reset();
            }}
          >
            Clear
          </Button>
        </div>
      </Form>
      <Results
        outcome={outcome}
        onMore={(found) =>
          // Only onto the same search still on screen: a new search or Clear while a further page
          // was loading must not bring the old results back.
          setOutcome((cur) =>
            cur.state === 'done' && cur.serial === found.serial ? { state: 'done', ...found } : cur,
          )
        }
        submit={submit}
        onChoosePupil={(p) => {
          setPupilId(p.id);
          set({ pupil: p.name });
          void submit.run(() => search(p.id));
        }}
      />
    </>
  );
}

const number = (n: number) => n.toLocaleString('en-GB');

/** "50 of 1,234 results", "50 of more than 1,000 results", "1 of 1 result". */
function countLine(shown: number, count: number, lowerBound: boolean): string {
  if (shown === 0) return 'Nothing you can see matches.';
  const of = lowerBound ? `more than ${number(count)}` : number(count);
  return `${number(shown)} of ${of} ${count === 1 && !lowerBound ? 'result' : 'results'}`;
}

function Results({
  outcome,
  onMore,
  submit,
  onChoosePupil,
}: {
  outcome: Outcome;
  onMore: (found: Found) => void;
  submit: Submit;
  onChoosePupil: (p: PupilSummary) => void;
}) {
  return (
    <section aria-labelledby="results-heading" className="section">
      <h2 id="results-heading" tabIndex={-1}>
        Results
      </h2>
      <div role="status">
        {submit.pending && <p>Searching…</p>}
        {outcome.state === 'done' && (
          <p>{countLine(outcome.hits.length, outcome.count, outcome.countIsLowerBound)}</p>
        )}
        {/* In the live region: results may be incomplete, which a screen reader must hear too. */}
        {outcome.state === 'done' && outcome.reindexing && (
          <p className="message">
            Lantern is rebuilding its search index so that a word also finds its other forms
            (“bruise” finds “bruised”). Until it has finished, some older records may not be found
            by their words; the filters still find them.
          </p>
        )}
      </div>
      <FormError submit={submit} />
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
      {outcome.state === 'done' && (
        <FoundList key={outcome.serial} found={outcome} onMore={onMore} />
      )}
    </section>
  );
}

/** A search's hits so far and "Show more results" while there are more. */
function FoundList({ found, onMore }: { found: Found; onMore: (found: Found) => void }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [focusAt, setFocusAt] = useState<number | null>(null);
  const firstNew = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (focusAt !== null) firstNew.current?.focus();
  }, [focusAt]);

  const showMore = async () => {
    if (busy || !found.next) return;
    setBusy(true);
    setProblem(null);
    try {
      const page = await api<SearchResults>('POST', '/api/search', {
        ...found.body,
        cursor: found.next,
      });
      onMore({
        serial: found.serial,
        body: found.body,
        hits: [...found.hits, ...page.items],
        count: page.count,
        countIsLowerBound: page.countIsLowerBound,
        next: page.nextCursor,
        reindexing: found.reindexing,
      });
      if (page.items.length > 0) setFocusAt(found.hits.length);
      // Nothing more came and the button goes: keep focus on the results, not the page body.
      else document.getElementById('results-heading')?.focus();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) signedOut();
      else setProblem(searchProblem(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {found.hits.length > 0 && (
        <ul className="concern-list">
          {found.hits.map((h, i) => (
            <li
              key={`${h.kind}-${h.id}`}
              className="card work-item"
              {...(i === focusAt ? { ref: firstNew, tabIndex: -1 } : {})}
            >
              <p className="work-title">
                {hitLink(h) ? <Link to={hitLink(h)!}>{hitTitle(h)}</Link> : hitTitle(h)}
              </p>
              <p className="muted">
                {formatWhen(h.happenedAt)} · recorded by {h.author} · {statusLabel(h.status)}
              </p>
              <CategoryChips categories={h.categories} />
              <p className="entry-text">
                <Highlighted text={h.excerpt} words={h.matched} />
              </p>
              {h.matched.length > 0 && <p className="muted">Words found: {h.matched.join(', ')}</p>}
            </li>
          ))}
        </ul>
      )}
      {problem && (
        <p role="alert" className="message message-error">
          {problem}
        </p>
      )}
      {found.next && (
        <div className="actions">
          <Button onPress={() => void showMore()} isPending={busy}>
            Show more results
          </Button>
        </div>
      )}
    </>
  );
}
