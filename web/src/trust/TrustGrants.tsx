// A grant the trust member holds (issue 20): the school's reason, when it ends, the pupils it
// reaches; and a pupil's record (chronology) opened under it. Each read is audited in the school's
// own chain with the member named; once the grant has ended the server refuses and says so.
import { useEffect } from 'react';
import { Link, useParams } from 'react-router';
import type { GrantPupils } from '../../../src/shared/schemas/trust.ts';
import type { Chronology } from '../../../src/shared/schemas/chronology.ts';
import { formatWhen } from '../lib/format.ts';
import { useTrustLoad } from './api.ts';

export function GrantPage() {
  const { grantId = '' } = useParams();
  const state = useTrustLoad<GrantPupils>(`/api/trust/grants/${grantId}/pupils`);
  useEffect(() => {
    document.title = 'Access given to you – Lantern';
  }, []);
  return (
    <>
      <h1 className="page-title">Access given to you</h1>
      <p>
        <Link to="/trust">Back to the trust overview</Link>
      </p>
      {state.status === 'loading' && <p role="status">Loading…</p>}
      {state.status === 'error' && (
        <p className="message message-error" role="alert">
          {state.message}
        </p>
      )}
      {state.status === 'ok' && (
        <>
          <dl className="facts">
            <dt>School</dt>
            <dd>{state.data.school}</dd>
            <dt>Reason given</dt>
            <dd>{state.data.reason}</dd>
            <dt>Ends</dt>
            <dd>{formatWhen(state.data.expiresAt)}</dd>
          </dl>
          <h2>Pupils</h2>
          <ul className="stack plain-list">
            {state.data.pupils.map((p) => (
              <li key={p.id}>
                <Link to={`/trust/grants/${grantId}/pupils/${p.id}`}>
                  {p.name}
                  {p.yearGroup ? ` (${p.yearGroup})` : ''}
                </Link>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

export function GrantRecordPage() {
  const { grantId = '', pupilId = '' } = useParams();
  const state = useTrustLoad<Chronology>(
    `/api/trust/grants/${grantId}/pupils/${pupilId}/chronology`,
  );
  const name = state.status === 'ok' ? state.data.pupil.name : 'Pupil’s record';
  useEffect(() => {
    document.title = `${name} – Lantern`;
  }, [name]);
  return (
    <>
      <h1 className="page-title">{name}</h1>
      <p>
        <Link to={`/trust/grants/${grantId}`}>Back to the access given to you</Link>
      </p>
      {state.status === 'loading' && <p role="status">Loading the record…</p>}
      {state.status === 'error' && (
        <p className="message message-error" role="alert">
          {state.message}
        </p>
      )}
      {state.status === 'ok' && (
        <>
          <p>
            {state.data.total} {state.data.total === 1 ? 'entry' : 'entries'} in the chronology,
            newest first. Your reading is recorded in the school’s audit trail.
          </p>
          <ol className="stack plain-list" aria-label="Chronology">
            {state.data.entries.map((e) => (
              <li key={`${e.kind}:${e.id}`} className="card">
                <h2 className="entry-title">{e.title}</h2>
                <p>{formatWhen(e.happenedAt)}</p>
                {e.text && <p>{e.text}</p>}
              </li>
            ))}
          </ol>
        </>
      )}
    </>
  );
}
