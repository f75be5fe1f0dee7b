// A pupil's chronology: everything about them the server lets this user see, newest first, with
// filters, a print-ready page and the PDF export. Another linked pupil the viewer may not see
// arrives from the server without a name ("Another pupil").
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import type { CategoryChip, Pupil } from '../api.ts';
import { formatWhen } from '../format.ts';
import { useLoadKept } from '../caseWork.ts';
import { PageHeading } from '../components/PageHeading.tsx';
import { CategoryChips } from '../components/CategoryChips.tsx';
import { LoadProblem } from '../components/LoadProblem.tsx';
import { ConversationForm } from '../components/ConversationForm.tsx';
import {
  ChronologyFilters,
  filterQuery,
  NO_FILTER,
  type ChronologyFilter,
} from '../components/ChronologyFilters.tsx';
import { useSession } from '../session.tsx';
import { roleLabel } from '../format.ts';

/** The server's entry; older servers sent concern views (body, author object) instead. */
type RawEntry = {
  id: string;
  kind?: string;
  happenedAt: string;
  title?: string;
  text?: string | null;
  body?: string;
  author?: string | { id: string; name: string } | null;
  categories?: CategoryChip[];
  status?: string | null;
  overdue?: boolean;
  pupils?: { id: string | null; name: string; role: string }[];
  /** What the server lets this user do with the entry ('open' its own page). */
  allowed?: string[];
};

type Entry = {
  id: string;
  kind: string;
  happenedAt: string;
  title: string;
  text: string;
  author: string | null;
  categories: CategoryChip[];
  overdue: boolean;
  pupils: { id: string | null; name: string; role: string }[];
  allowed: string[];
};

function normalise(e: RawEntry): Entry {
  const kind = e.kind ?? 'concern';
  return {
    id: e.id,
    kind,
    happenedAt: e.happenedAt,
    title: e.title ?? (kind === 'concern' ? 'Concern' : kind),
    text: e.text ?? e.body ?? '',
    author: typeof e.author === 'string' ? e.author : (e.author?.name ?? null),
    categories: e.categories ?? [],
    overdue: e.overdue === true,
    pupils: e.pupils ?? [],
    allowed: e.allowed ?? [],
  };
}

/** Where an entry opens in full, when it has a page of its own and the server lets them open it. */
function entryLink(e: Entry): string | null {
  if (!e.allowed.includes('open')) return null;
  if (e.kind === 'concern') return `/concerns/${e.id}`;
  if (e.kind === 'referral') return `/referrals/${e.id}`;
  return null;
}

export function ChronologyPage() {
  const { id = '' } = useParams();
  const session = useSession();
  const [filter, setFilter] = useState<ChronologyFilter>(NO_FILTER);
  const [reload, setReload] = useState(0);
  const state = useLoadKept<{ pupil: Pupil; entries: RawEntry[] }>(
    `/api/pupils/${encodeURIComponent(id)}/chronology${filterQuery(filter)}`,
    reload,
  );
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
  const entries = state.data.entries
    .map(normalise)
    .sort((a, b) => b.happenedAt.localeCompare(a.happenedAt));
  const group = [pupil.yearGroup, pupil.form].filter(Boolean).join(', ');
  return (
    <>
      <PageHeading title={`${pupil.name} – chronology`}>{pupil.name}</PageHeading>
      <p className="lead">
        {group && <>{group}. </>}Chronology, newest first.{' '}
        <Link to={`/pupils/${pupil.id}/profile`}>Pupil profile</Link> ·{' '}
        <Link to="/">Back to the dashboard</Link>
      </p>
      <ChronologyFilters
        pupilId={pupil.id}
        applied={filter}
        onApply={setFilter}
        canExport={session.has('export')}
      />
      {session.has('case.manage') && (
        <ConversationForm pupilId={pupil.id} onSaved={() => setReload((n) => n + 1)} />
      )}
      {entries.length === 0 ? (
        <p className="muted">
          {filter === NO_FILTER
            ? `Nothing has been recorded about ${pupil.name} that you can see.`
            : 'Nothing matches these filters.'}
        </p>
      ) : (
        <ol className="timeline" aria-label={`Chronology of ${pupil.name}`}>
          {entries.map((e) => (
            <li key={`${e.kind}-${e.id}`} className="timeline-entry card">
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
              {e.text && <p className="entry-text">{e.text}</p>}
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
