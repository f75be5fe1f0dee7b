// The register of rights requests (issue 17): open requests with their due dates, and the
// "Record a request" form. The server works out every due date; the page shows what it is told.
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useLoad } from '../../lib/useLoad.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import { Button } from '../../ui/Button.tsx';
import type { RequestList } from '../../../../src/shared/schemas/data-protection.ts';
import { StepUpSection } from '../identity/StepUpSection.tsx';
import { NewRequestForm } from './NewRequestForm.tsx';
import { KIND_NAMES, STATUS_NAMES, formatDay } from './words.ts';

const TITLE = 'Rights requests';

export function RequestsPage() {
  const list = useLoad<RequestList>('/api/data-protection/requests');
  // "Record a request" on the Data protection page opens the form here (?record=1).
  const [recording, setRecording] = useState(useSearchParams()[0].get('record') === '1');
  const navigate = useNavigate();
  if (list.status === 'loading')
    return (
      <>
        <PageHeading title={TITLE}>{TITLE}</PageHeading>
        <p role="status">Loading…</p>
      </>
    );
  if (list.status === 'error') {
    if (list.code === 'step_up_required')
      return (
        <>
          <PageHeading title={TITLE}>{TITLE}</PageHeading>
          <StepUpSection
            purpose="to open the data-protection register"
            area="The register"
            onDone={() => void list.reload()}
          />
        </>
      );
    return <LoadProblem title={TITLE} state={list} />;
  }
  return (
    <>
      <PageHeading title={TITLE}>{TITLE}</PageHeading>
      <p>
        <Link to="/data-protection">Data protection</Link>
      </p>
      {list.data.allowed.includes('record') &&
        (recording ? (
          <NewRequestForm
            onRecorded={(id) => void navigate(`/data-protection/requests/${id}`)}
            onCancel={() => setRecording(false)}
          />
        ) : (
          <div className="toolbar">
            <Button variant="primary" onPress={() => setRecording(true)}>
              Record a request
            </Button>
          </div>
        ))}
      <section aria-labelledby="dp-open-requests" className="section">
        <h2 id="dp-open-requests">Open requests</h2>
        {list.data.items.length === 0 ? (
          <p>No open requests.</p>
        ) : (
          <ul className="stack-tight">
            {list.data.items.map((r) => (
              <li key={r.id} className="card">
                <Link to={`/data-protection/requests/${r.id}`}>
                  {KIND_NAMES[r.kind]} from {r.requester}, received {formatDay(r.receivedOn)}
                </Link>
                <p>
                  {r.dueOn
                    ? `Due ${formatDay(r.dueOn)}${r.overdue ? ' (overdue)' : ''}`
                    : r.clock === 'paused_clarification'
                      ? 'Clock paused: waiting for clarification'
                      : "Enter next year's term dates to work out the due date"}
                  {' · '}
                  {STATUS_NAMES[r.status]}
                  {' · '}
                  About {r.subjects.map((s) => s.name).join(', ')}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
