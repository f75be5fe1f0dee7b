// One concern in full. What the user may do with it comes from the record's `allowed` list.
import { Link, useParams } from 'react-router';
import type { ConcernView } from '../api.ts';
import { formatWhen, roleLabel, statusLabel } from '../format.ts';
import { useLoad } from '../useLoad.ts';
import { useSession } from '../session.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { CategoryChips } from '../components/CategoryChips.tsx';
import { LoadProblem } from '../components/LoadProblem.tsx';

export function ConcernPage() {
  const { id = '' } = useParams();
  const session = useSession();
  const state = useLoad<ConcernView>(`/api/concerns/${encodeURIComponent(id)}`);
  if (state.status === 'loading') {
    return (
      <>
        <PageHeading title="Concern">Concern</PageHeading>
        <p role="status">Loading…</p>
      </>
    );
  }
  if (state.status === 'error') return <LoadProblem title="The concern" state={state} />;
  const c = state.data;
  const linkPupils = session.has('pupil.chronology');
  return (
    <>
      <PageHeading title="Concern">Concern</PageHeading>
      <article className="card stack">
        <dl className="facts">
          <div>
            <dt>When it happened</dt>
            <dd>
              <time dateTime={c.happenedAt}>{formatWhen(c.happenedAt)}</time>
            </dd>
          </div>
          <div>
            <dt>Where</dt>
            <dd>{c.location ?? 'Not given'}</dd>
          </div>
          <div>
            <dt>Recorded</dt>
            <dd>
              <time dateTime={c.recordedAt}>{formatWhen(c.recordedAt)}</time> by {c.author.name}
            </dd>
          </div>
          <div>
            <dt>Status</dt>
            <dd>{statusLabel(c.status)}</dd>
          </div>
          <div>
            <dt>Pupils</dt>
            <dd>
              <ul className="inline-list">
                {c.pupils.map((p) => (
                  <li key={p.id}>
                    {linkPupils ? <Link to={`/pupils/${p.id}`}>{p.name}</Link> : p.name}{' '}
                    <span className="muted">({roleLabel(p.role)})</span>
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        </dl>
        <h2>Categories</h2>
        <CategoryChips categories={c.categories} />
        <h2>What happened</h2>
        <p className="entry-text">{c.body}</p>
      </article>
      <p>
        <Link to="/">Back to the dashboard</Link>
      </p>
    </>
  );
}
