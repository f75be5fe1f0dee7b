// A pupil's chronology: everything about them the server lets this user see, newest first, with
// filters, a print-ready page and the PDF export. Another linked pupil the viewer may not see
// arrives from the server without a name ("Another pupil"). The newest page comes first with the
// total; "Show older entries" appends the next page (keyboard focus moves to its first entry, or to
// the count when the last page brought none, and the new count is announced), and a new filter or a
// reload starts again from the newest. The button shows whenever the server gives a next page.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { formatWhen, roleLabel } from '../../lib/format.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { api, ApiError, errorMessage, signedOut } from '../../lib/api.ts';
import { Button } from '../../ui/Button.tsx';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { CategoryChips } from '../categories/CategoryChips.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import { ConversationForm } from '../conversations/ConversationForm.tsx';
import {
  ChronologyFilters,
  filterFromAddress,
  filterQuery,
  filterToAddress,
} from './ChronologyFilters.tsx';
import { useSession } from '../../app/session.tsx';
import { StaffMatterMarker } from '../staff-concerns/PupilMarker.tsx';
import type { Chronology, ChronologyEntry } from '../../../../src/shared/schemas/chronology.ts';
import { PreviousSchoolSection, PupilTransferLink } from '../transfers/PreviousSchool.tsx';

/** Where an entry opens in full, when it has a page of its own and the server lets them open it. */
function entryLink(e: ChronologyEntry): string | null {
  if (!e.allowed.includes('open')) return null;
  if (e.kind === 'concern') return `/concerns/${e.id}`;
  if (e.kind === 'referral') return `/referrals/${e.id}`;
  return null;
}

const entryKey = (e: ChronologyEntry) => `${e.kind}-${e.id}`;

/** The pages shown after the first: whose first page they follow, their entries, the next one. */
type Older = {
  after: Chronology;
  entries: ChronologyEntry[];
  next: string | undefined;
  /** As counted for the latest page (each page counts again). */
  total: number;
};

export function ChronologyPage() {
  const { id = '' } = useParams();
  const session = useSession();
  // The filters live in the page's address (Back, reload and a shared link keep them).
  const [params, setParams] = useSearchParams();
  const search = params.toString();
  const filter = useMemo(() => filterFromAddress(new URLSearchParams(search)), [search]);
  const filtered = filterQuery(filter) !== '';
  const [recording, setRecording] = useState(false);
  const openRecording = useCallback(() => setRecording(true), []);
  const address = `/api/pupils/${encodeURIComponent(id)}/chronology${filterQuery(filter)}`;
  const state = useLoad<Chronology>(address);
  if (state.status === 'loading') {
    return (
      <>
        <PageHeading title="Chronology">Chronology</PageHeading>
        <p role="status">Loading…</p>
      </>
    );
  }
  if (state.status === 'error') return <LoadProblem title="Chronology" state={state} />;
  const { pupil } = state.data;
  const group = [pupil.yearGroup, pupil.form].filter(Boolean).join(', ');
  return (
    <>
      <PageHeading title={`${pupil.name} – chronology`}>{pupil.name}</PageHeading>
      <p className="lead">
        {group && <>{group}. </>}Chronology, newest first.{' '}
        <Link to={`/pupils/${pupil.id}/profile`}>Pupil profile</Link> ·{' '}
        {(session.capabilitiesWhenElevated ?? []).includes('audit') && (
          <>
            <Link to={`/pupils/${pupil.id}/access-log`}>Who has seen this record</Link> ·{' '}
          </>
        )}
        <Link to="/">Back to the dashboard</Link>
      </p>
      {/* Issue 19: only a reader of concerns about adults asks; anyone else's page is unchanged. */}
      {session.has('staff_concerns.read') && <StaffMatterMarker pupilId={pupil.id} />}
      {session.has('case.manage') && <PupilTransferLink pupilId={pupil.id} />}
      {session.has('case.manage') && <PreviousSchoolSection pupilId={pupil.id} />}
      {session.has('case.manage') && (
        <>
          <div className="actions no-print">
            <Button
              variant="secondary"
              aria-expanded={recording}
              aria-controls="chron-conversation"
              onPress={() => setRecording(!recording)}
            >
              Record a conversation
            </Button>
          </div>
          {/* Kept mounted while folded: a draft kept on the server comes back and opens it. */}
          <div id="chron-conversation" hidden={!recording}>
            <ConversationForm
              pupilId={pupil.id}
              onSaved={() => void state.reload()}
              onDraftRestored={openRecording}
            />
          </div>
        </>
      )}
      <ChronologyFilters
        key={search}
        pupilId={pupil.id}
        applied={filter}
        onApply={(f) => setParams(filterToAddress(f))}
        canExport={session.has('export')}
      />
      <Timeline first={state.data} address={address} filtered={filtered} />
    </>
  );
}

/** The entries: the first page as loaded, then each older page the viewer asks for. */
function Timeline({
  first,
  address,
  filtered,
}: {
  first: Chronology;
  address: string;
  filtered: boolean;
}) {
  const { pupil } = first;
  const [held, setHeld] = useState<Older | null>(null);
  // Older pages belong to the first page they followed: a new first page (a filter, a reload)
  // starts again from the newest.
  const older: Older =
    held?.after === first
      ? held
      : { after: first, entries: [], next: first.nextCursor, total: first.total };
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  // Where focus goes after "Show older entries": the first entry it added, or the status line
  // when it added none and the button has gone. `n` counts the presses, so each one moves focus
  // even when a reload in between has left the same key behind.
  const [focusTo, setFocusTo] = useState<{ key: string | null; n: number }>({ key: null, n: 0 });
  const firstNew = useRef<HTMLLIElement>(null);
  const statusLine = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (focusTo.n === 0) return;
    (focusTo.key === null ? statusLine.current : firstNew.current)?.focus();
  }, [focusTo]);

  const entries = [...first.entries, ...older.entries];
  const showOlder = async () => {
    if (busy || !older.next) return;
    setBusy(true);
    setProblem(null);
    try {
      const joiner = address.includes('?') ? '&' : '?';
      const page = await api<Chronology>(
        'GET',
        `${address}${joiner}cursor=${encodeURIComponent(older.next)}`,
      );
      setHeld({
        after: first,
        entries: [...older.entries, ...page.entries],
        next: page.nextCursor,
        total: page.total,
      });
      const added = page.entries[0];
      // Nothing added but more to come: focus stays on the button, which stays.
      if (added || !page.nextCursor) {
        setFocusTo((f) => ({ key: added ? entryKey(added) : null, n: f.n + 1 }));
      }
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) signedOut();
      else setProblem(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  // An empty page may still have older entries after it (the policy's last word can leave a
  // page empty): the button is shown whenever there is a next page.
  if (entries.length === 0 && !older.next) {
    return (
      <p className="muted" ref={statusLine} tabIndex={-1}>
        {filtered
          ? 'Nothing matches these filters.'
          : `Nothing has been recorded about ${pupil.name} that you can see.`}
      </p>
    );
  }
  const count = (n: number) => n.toLocaleString('en-GB');
  return (
    <>
      <p role="status" className="muted" ref={statusLine} tabIndex={-1}>
        Showing {count(entries.length)} of {count(older.total)}{' '}
        {older.total === 1 ? 'entry' : 'entries'}
      </p>
      <ol className="timeline" aria-label={`Chronology of ${pupil.name}`}>
        {entries.map((e) => (
          <li
            key={entryKey(e)}
            className="timeline-entry card"
            {...(focusTo.key === entryKey(e) ? { ref: firstNew, tabIndex: -1 } : {})}
          >
            <h2 className="entry-title">
              <time dateTime={e.happenedAt}>{formatWhen(e.happenedAt)}</time>
              <span className="entry-kind">
                {' – '}
                {entryLink(e) ? <Link to={entryLink(e) ?? ''}>{e.title}</Link> : e.title}
              </span>
              {e.overdue && <strong className="badge badge-overdue"> Overdue</strong>}
            </h2>
            <CategoryChips categories={e.categories} />
            {e.pupils.length > 1 && (
              <p className="muted">
                Pupils:{' '}
                {e.pupils
                  .map((p) => `${p.id === pupil.id ? pupil.name : p.name} (${roleLabel(p.role)})`)
                  .join('; ')}
              </p>
            )}
            {e.author && <p className="muted">Recorded by {e.author}</p>}
            {e.triage && <p className="muted">Triage: {e.triage}</p>}
            {e.text && <p className="entry-text">{e.text}</p>}
          </li>
        ))}
      </ol>
      {problem && (
        <p role="alert" className="message message-error">
          {problem}
        </p>
      )}
      {older.next && (
        <div className="actions no-print">
          <Button onPress={() => void showOlder()} isPending={busy}>
            {busy ? 'Loading older entries…' : 'Show older entries'}
          </Button>
        </div>
      )}
    </>
  );
}
