// The complaints register (issue 17): each complaint sent through the public form, when it must
// be acknowledged by (30 days), and its dated response.
import { Link } from 'react-router';
import { useLoad } from '../../lib/useLoad.ts';
import { formatWhen } from '../../lib/format.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import type { ComplaintList } from '../../../../src/shared/schemas/data-protection.ts';
import { StepUpSection } from '../identity/StepUpSection.tsx';
import { formatDay } from './words.ts';
import { PublicComplaintLink } from './complaints/PublicComplaintLink.tsx';

const TITLE = 'Complaints';

export function ComplaintsPage() {
  const list = useLoad<ComplaintList>('/api/data-protection/complaints');
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
      <PublicComplaintLink />
      {list.data.items.length === 0 ? (
        <p>No complaints received.</p>
      ) : (
        <ul className="stack-tight">
          {list.data.items.map((c) => (
            <li key={c.id} className="card">
              <p>
                From {c.complainant} ({c.contact}), received {formatWhen(c.receivedAt)}
              </p>
              <p>{c.details}</p>
              <p>
                {c.acknowledgedOn
                  ? `Acknowledged ${formatDay(c.acknowledgedOn)}`
                  : `Acknowledge by ${formatDay(c.acknowledgeBy)}${c.overdue ? ' (overdue)' : ''}`}
                {c.respondedOn ? ` · Answered ${formatDay(c.respondedOn)}` : ''}
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
