// A pupil's chronology: everything about them the server lets this user see, newest first, with
// filters, a print-ready page and the PDF export. Another linked pupil the viewer may not see
// arrives from the server without a name ("Another pupil").
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { formatWhen, roleLabel } from '../../lib/format.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { CategoryChips } from '../categories/CategoryChips.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import { ConversationForm } from '../conversations/ConversationForm.tsx';
import {
  ChronologyFilters,
  filterQuery,
  NO_FILTER,
  type ChronologyFilter,
} from './ChronologyFilters.tsx';
import { useSession } from '../../app/session.tsx';
import type { Chronology, ChronologyEntry } from '../../../../src/shared/schemas/chronology.ts';

/** Where an entry opens in full, when it has a page of its own and the server lets them open it. */
function entryLink(e: ChronologyEntry): string | null {
  if (!e.allowed.includes('open')) return null;
  if (e.kind === 'concern') return `/concerns/${e.id}`;
  if (e.kind === 'referral') return `/referrals/${e.id}`;
  return null;
}

export function ChronologyPage() {
  const { id = '' } = useParams();
  const session = useSession();
  const [filter, setFilter] = useState<ChronologyFilter>(NO_FILTER);
  const state = useLoad<Chronology>(
    `/api/pupils/${encodeURIComponent(id)}/chronology${filterQuery(filter)}`,
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
  const entries = [...state.data.entries].sort((a, b) => b.happenedAt.localeCompare(a.happenedAt));
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
        <ConversationForm pupilId={pupil.id} onSaved={() => void state.reload()} />
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
