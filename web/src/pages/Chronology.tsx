// A pupil's chronology: everything about them the server lets this user see, newest first.
import { Link, useParams } from 'react-router';
import type { CategoryChip, Pupil } from '../api.ts';
import { formatWhen } from '../format.ts';
import { useLoad } from '../useLoad.ts';
import { PageHeading } from '../components/PageHeading.tsx';
import { CategoryChips } from '../components/CategoryChips.tsx';
import { LoadProblem } from '../components/LoadProblem.tsx';

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
};

type Entry = {
  id: string;
  kind: string;
  happenedAt: string;
  title: string;
  text: string;
  author: string | null;
  categories: CategoryChip[];
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
  };
}

export function ChronologyPage() {
  const { id = '' } = useParams();
  const state = useLoad<{ pupil: Pupil; entries: RawEntry[] }>(
    `/api/pupils/${encodeURIComponent(id)}/chronology`,
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
      {entries.length === 0 ? (
        <p className="muted">Nothing has been recorded about {pupil.name} that you can see.</p>
      ) : (
        <ol className="timeline" aria-label={`Chronology of ${pupil.name}`}>
          {entries.map((e) => (
            <li key={`${e.kind}-${e.id}`} className="timeline-entry card">
              <h2 className="entry-title">
                <time dateTime={e.happenedAt}>{formatWhen(e.happenedAt)}</time>
                <span className="entry-kind">
                  {' – '}
                  {e.kind === 'concern' ? <Link to={`/concerns/${e.id}`}>{e.title}</Link> : e.title}
                </span>
              </h2>
              <CategoryChips categories={e.categories} />
              {e.author && <p className="muted">Recorded by {e.author}</p>}
              {e.text && <p className="entry-text">{e.text}</p>}
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
