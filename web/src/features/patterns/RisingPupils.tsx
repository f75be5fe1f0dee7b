// The pupils whose records are rising (issue 20): more in the last 30 days than in the 30 before,
// for the DSL team — on the dashboard and on the patterns page. Each links to the chronology.
import { Link } from 'react-router';
import { useLoad } from '../../lib/useLoad.ts';
import type { RisingPupils as Rising } from '../../../../src/shared/schemas/patterns.ts';

export function RisingPupils({ headingLevel = 2 }: { headingLevel?: 2 | 3 }) {
  const state = useLoad<Rising>('/api/patterns/rising');
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section aria-labelledby="rising-heading" className="section">
      <Heading id="rising-heading">Pupils whose records are rising</Heading>
      {state.status === 'loading' && <p role="status">Loading…</p>}
      {state.status === 'error' && (
        <p role="alert" className="message message-error">
          {state.message}
        </p>
      )}
      {state.status === 'ok' &&
        (state.data.pupils.length === 0 ? (
          <p className="muted">
            No pupil has more records in the last {state.data.days} days than in the{' '}
            {state.data.days} before.
          </p>
        ) : (
          <ul className="stack-tight">
            {state.data.pupils.map((p) => (
              <li key={p.id}>
                <Link to={`/pupils/${p.id}`}>{p.name}</Link>: {p.recent} records in the last{' '}
                {state.data.days} days, {p.before} in the {state.data.days} before.
              </li>
            ))}
          </ul>
        ))}
      <p>
        <Link to="/patterns">Pupil patterns and their rules</Link>
      </p>
    </section>
  );
}
