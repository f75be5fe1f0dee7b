// One concern in a list: when, who it is about (each pupil linked to their chronology when the
// session may see chronologies; a pupil the server hides is "Another pupil", never linked), categories, who recorded it, and the start of the text.
import { Link } from 'react-router';
import type { ConcernView } from '../../../../src/shared/schemas/concerns.ts';
import { formatWhen, roleLabel, statusLabel } from '../../lib/format.ts';
import { CategoryChips } from '../categories/CategoryChips.tsx';
import { triageLabel } from '../../../../src/shared/triage.ts';

type Props = { concern: ConcernView; linkPupils: boolean; headingLevel: 'h3' | 'h2' };

export function ConcernSummary({ concern, linkPupils, headingLevel: H }: Props) {
  const excerpt = concern.body.length > 240 ? `${concern.body.slice(0, 240)}…` : concern.body;
  return (
    <article className="concern card">
      <H className="concern-title">
        <Link to={`/concerns/${concern.id}`}>
          Concern of <time dateTime={concern.happenedAt}>{formatWhen(concern.happenedAt)}</time>
        </Link>
      </H>
      <dl className="facts">
        <div>
          <dt>Pupils</dt>
          <dd>
            <ul className="inline-list">
              {concern.pupils.map((p, i) => (
                <li key={p.id ?? `hidden-${i}`}>
                  {linkPupils && p.id ? <Link to={`/pupils/${p.id}`}>{p.name}</Link> : p.name}{' '}
                  <span className="muted">({roleLabel(p.role)})</span>
                </li>
              ))}
            </ul>
          </dd>
        </div>
        <div>
          <dt>Recorded by</dt>
          <dd>{concern.author.name}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>{statusLabel(concern.status)}</dd>
        </div>
        {concern.triage && (
          <div>
            <dt>Triage</dt>
            <dd>
              {concern.triage.state === 'new' ? (
                <strong className="badge badge-overdue">
                  {triageLabel(concern.triage.state, null)}
                </strong>
              ) : (
                triageLabel(concern.triage.state, concern.triage.risk)
              )}
            </dd>
          </div>
        )}
      </dl>
      <CategoryChips categories={concern.categories} />
      <p className="concern-body">{excerpt}</p>
    </article>
  );
}
