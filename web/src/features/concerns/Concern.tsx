// One concern in full: the record, its body map and files, who was told, and (for the author) a
// correction that keeps every earlier version. What the user may do with it comes from the
// record's `allowed` list; the server decides, the page only shows.
import { useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { formatWhen, roleLabel, statusLabel } from '../../lib/format.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSession } from '../../app/session.tsx';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import { Notice } from '../../ui/Message.tsx';
import { CategoryChips } from '../categories/CategoryChips.tsx';
import type { ConcernView } from '../../../../src/shared/schemas/concerns.ts';
import { BodyMapView } from './BodyMap.tsx';
import { AttachmentList } from './AttachmentList.tsx';
import { SubjectStatements } from '../data-protection/rights/SubjectStatements.tsx';
import { CorrectConcern, EarlierVersions } from './CorrectConcern.tsx';
import { ConcernFollowUp } from '../cases/ConcernFollowUp.tsx';
import { AcknowledgeHere } from '../alerts/AcknowledgeHere.tsx';
import { TriagePanel } from './Triage.tsx';

function flashOf(state: unknown): { text: string; error: boolean } | null {
  if (typeof state !== 'object' || state === null || !('flash' in state)) return null;
  const text = state.flash;
  if (typeof text !== 'string') return null;
  return { text, error: 'tone' in state && state.tone === 'error' };
}

export function ConcernPage() {
  const { id = '' } = useParams();
  const session = useSession();
  const flash = flashOf(useLocation().state);
  const [said, setSaid] = useState<string | null>(null);
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
  const changed = (message: string) => {
    setSaid(message);
    void state.reload();
  };
  const message = said ?? flash?.text ?? null;
  return (
    <>
      <PageHeading title="Concern">Concern</PageHeading>
      <Notice text={message} tone={flash?.error && !said ? 'error' : 'success'} />
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
          {c.version > 1 && (
            <div>
              <dt>Corrected</dt>
              <dd>
                {c.version - 1} {c.version === 2 ? 'time' : 'times'}; earlier versions are kept
              </dd>
            </div>
          )}
          <div>
            <dt>Pupils</dt>
            <dd>
              <ul className="inline-list">
                {c.pupils.map((p, i) => (
                  <li key={p.id ?? `hidden-${i}`}>
                    {linkPupils && p.id ? <Link to={`/pupils/${p.id}`}>{p.name}</Link> : p.name}{' '}
                    <span className="muted">({roleLabel(p.role)})</span>
                  </li>
                ))}
              </ul>
            </dd>
          </div>
          <div>
            <dt>DSL told in person</dt>
            <dd>{c.verballyInformed ? c.verballyInformed.name : 'Not recorded'}</dd>
          </div>
        </dl>
        <h2>Categories</h2>
        <CategoryChips categories={c.categories} />
        <h2>What happened</h2>
        <p className="entry-text">{c.body}</p>
        <SubjectStatements items={c.subjectStatements} />
        {c.bodyMap.length > 0 && (
          <>
            <h2>Body map</h2>
            <BodyMapView marks={c.bodyMap} />
          </>
        )}
        <AttachmentList concern={c} onChanged={changed} />
      </article>
      <AcknowledgeHere
        key={c.id}
        alertIds={c.myAlerts}
        onAcknowledged={() => void state.reload()}
      />
      <TriagePanel concern={c} onSaved={() => void state.reload()} />
      <ConcernFollowUp concern={c} onChanged={() => void state.reload()} />
      {c.allowed.includes('edit') && <CorrectConcern concern={c} onSaved={changed} />}
      {c.version > 1 && session.has('records.view') && (
        <EarlierVersions key={c.version} concernId={c.id} />
      )}
      <p>
        <Link to="/">Back to the dashboard</Link>
      </p>
    </>
  );
}
