// The DSL dashboard's "Transfers" region (issue 18): files going out and coming in, each with its
// state and its statutory clock. Shown only to the DSL team (the server decides: 403 otherwise).
import { Link } from 'react-router';
import { useLoad } from '../../lib/useLoad.ts';
import { formatWhen } from '../../lib/format.ts';
import type { TransfersView } from '../../../../src/shared/schemas/transfers.ts';
import { INBOX_STATE_NAMES, STATE_NAMES } from './words.ts';

export function TransfersRegion() {
  const state = useLoad<TransfersView>('/api/transfers');
  return (
    <section aria-labelledby="transfers-heading" className="section">
      <h2 id="transfers-heading">Transfers</h2>
      {state.status === 'loading' && <p role="status">Loading transfers…</p>}
      {state.status === 'error' && <p role="alert">{state.message}</p>}
      {state.status === 'ok' && (
        <>
          <h3>Going out</h3>
          {state.data.out.length === 0 ? (
            <p>No child-protection file is waiting to go to another school.</p>
          ) : (
            <ul className="stack-tight">
              {state.data.out.map((x) => (
                <li key={x.id} className="card">
                  <Link to={`/transfers/${x.id}`}>{x.pupil.name}</Link>
                  {' to '}
                  {x.destination ? x.destination.name : 'an unknown destination'}:{' '}
                  <strong>{STATE_NAMES[x.state]}</strong>
                  {x.clock.overdue && <strong> (overdue)</strong>}
                  <p className="hint">{x.clock.explanation}</p>
                </li>
              ))}
            </ul>
          )}
          <h3>Coming in</h3>
          {state.data.in.length === 0 ? (
            <p>No file has come in from another school.</p>
          ) : (
            <ul className="stack-tight">
              {state.data.in.map((x) => (
                <li key={x.id} className="card">
                  {x.allowed.includes('open') ? (
                    <Link to={`/transfers/inbox/${x.id}`}>File from {x.fromSchool}</Link>
                  ) : (
                    <>File from {x.fromSchool}</>
                  )}
                  : <strong>{INBOX_STATE_NAMES[x.state]}</strong>, received{' '}
                  {formatWhen(x.receivedAt)}
                  {!x.pupilMatched && x.state !== 'revoked' && (
                    <p className="hint">Held until the pupil is on the school’s roll.</p>
                  )}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
