// The audit explorer for the DSL team, the headteacher and the DPO: the school's trail by person,
// pupil, event, kind and date, newest first; a CSV of the same filters for those who may export;
// and a check of the chain's integrity on demand. Every reading is itself audited.
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useLoad } from '../../lib/useLoad.ts';
import { api, ApiError, errorMessage, signedOut } from '../../lib/api.ts';
import { formatWhen } from '../../lib/format.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { Button } from '../../ui/Button.tsx';
import { useSession } from '../../app/session.tsx';
import type { TrailIntegrity, TrailPage } from '../../../../src/shared/schemas/audit-trail.ts';
import { TrailFilters } from './TrailFilters.tsx';
import { TrailTable } from './TrailTable.tsx';
import { UnusualAccessSection } from './UnusualAccessSection.tsx';
import { AnchorCodeSection } from './AnchorCodeSection.tsx';
import { filterFrom, queryOf } from './trail-filters.ts';

const TITLE = 'Audit trail';

export function AuditTrailPage() {
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const filter = filterFrom(params);
  const query = queryOf(filter);
  const address = `/api/audit${query}`;
  const state = useLoad<TrailPage>(address);
  return (
    <>
      <PageHeading title={TITLE}>{TITLE}</PageHeading>
      <p className="lead">
        Everything done in Lantern at this school, newest first: who, what, which record, when and
        from where. Reading the trail is recorded in it too.
      </p>
      <Integrity />
      <AnchorCodeSection />
      <UnusualAccessSection />
      {state.status === 'loading' && <p role="status">Loading…</p>}
      {state.status === 'error' && (
        <p className="message message-error" role="alert">
          {state.message}
        </p>
      )}
      {state.status === 'ok' && (
        <>
          <TrailFilters
            key={address}
            label="Filter the audit trail"
            applied={filter}
            onApply={(f) => setParams(new URLSearchParams(queryOf(f).slice(1)))}
            people={state.data.people}
            events={state.data.events}
          />
          {filter.pupil && (
            <p className="muted">
              Showing entries about one pupil’s record.{' '}
              <a href={`/audit${queryOf({ ...filter, pupil: '' })}`}>Show every pupil</a>
            </p>
          )}
          {session.has('export') && (
            <p>
              <a className="button" href={`/api/audit/export.csv${query}`} download>
                Download as CSV
              </a>
            </p>
          )}
          <TrailTable
            first={state.data}
            address={address}
            caption="Audit trail entries"
            empty="Nothing in the trail matches these filters."
          />
        </>
      )}
    </>
  );
}

function Integrity() {
  const [result, setResult] = useState<TrailIntegrity | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const check = async () => {
    setBusy(true);
    setProblem(null);
    try {
      setResult(await api<TrailIntegrity>('POST', '/api/audit/integrity'));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) signedOut();
      else setProblem(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card stack" aria-labelledby="integrity-heading">
      <h2 id="integrity-heading">Integrity</h2>
      <p className="hint">
        Each entry is sealed with a hash of the one before it, so an entry altered, removed or moved
        breaks the chain.
      </p>
      <div role="status" aria-live="polite">
        {result?.intact && (
          <p className="message message-success">
            Intact: all {result.entries.toLocaleString('en-GB')} entries checked at{' '}
            {formatWhen(result.checkedAt)}.
          </p>
        )}
        {result && !result.intact && (
          <p className="message message-error">
            Broken. {result.problem} Tell your data-protection officer and the operator now.
          </p>
        )}
      </div>
      {problem && (
        <p role="alert" className="message message-error">
          {problem}
        </p>
      )}
      <div className="actions">
        <Button onPress={() => void check()} isPending={busy}>
          {busy ? 'Checking the chain…' : 'Check the chain now'}
        </Button>
      </div>
    </section>
  );
}
