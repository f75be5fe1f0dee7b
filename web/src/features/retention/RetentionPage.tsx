// Retention (issue 15): the school's retention schedule and its legal holds, for the DPO, the DSL
// team and the headteacher. The page asks for a second factor when the server wants one; the
// server decides every action (`allowed`), the page only offers what it is told it may.
import { useLoad } from '../../lib/useLoad.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import { StepUpSection } from '../identity/StepUpSection.tsx';
import type {
  CertificateList,
  HoldList,
  RetentionSchedule,
  ReviewList,
} from '../../../../src/shared/schemas/retention.ts';
import { QueueSection } from './QueueSection.tsx';
import { ScheduleSection } from './ScheduleSection.tsx';
import { HoldsSection } from './HoldsSection.tsx';
import { CertificatesSection } from './CertificatesSection.tsx';
import './retention.css';

const TITLE = 'Retention and legal holds';

export function RetentionPage() {
  const schedule = useLoad<RetentionSchedule>('/api/retention/schedule');
  const holds = useLoad<HoldList>('/api/retention/holds');
  const queue = useLoad<ReviewList>('/api/retention/reviews');
  const certificates = useLoad<CertificateList>('/api/retention/certificates');
  const reload = () => {
    void schedule.reload();
    void holds.reload();
    void queue.reload();
    void certificates.reload();
  };
  if (
    schedule.status === 'loading' ||
    holds.status === 'loading' ||
    queue.status === 'loading' ||
    certificates.status === 'loading'
  )
    return (
      <>
        <PageHeading title={TITLE}>{TITLE}</PageHeading>
        <p role="status">Loading…</p>
      </>
    );
  if (schedule.status === 'error') {
    if (schedule.code === 'step_up_required') return <StepUp onDone={reload} />;
    return <LoadProblem title={TITLE} state={schedule} />;
  }
  if (holds.status === 'error') return <LoadProblem title={TITLE} state={holds} />;
  if (queue.status === 'error') return <LoadProblem title={TITLE} state={queue} />;
  if (certificates.status === 'error') return <LoadProblem title={TITLE} state={certificates} />;
  return (
    <>
      <PageHeading title={TITLE}>{TITLE}</PageHeading>
      <p>
        The records due for review, the legal holds that stop any record they cover from being
        destroyed or anonymised, the certificates of the records destroyed, and how long each kind
        of record is kept.
      </p>
      <QueueSection queue={queue.data} onChanged={reload} />
      <HoldsSection holds={holds.data} onChanged={reload} />
      <CertificatesSection certificates={certificates.data} />
      <ScheduleSection schedule={schedule.data} onChanged={() => void schedule.reload()} />
    </>
  );
}

function StepUp({ onDone }: { onDone: () => void }) {
  return (
    <>
      <PageHeading title={TITLE}>{TITLE}</PageHeading>
      <StepUpSection purpose="to open retention and legal holds" area="Retention" onDone={onDone} />
    </>
  );
}
