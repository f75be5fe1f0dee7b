// The breach register (issue 17): every breach with its 72-hour clock and, opened, what is known
// (a draft from Lantern's signals or the hosting operator's incident notice says how it came),
// and recording a new one.
// The server refuses a breach without the time the school became aware, and a late one without
// its reason; the page keeps what was typed and shows the server's message.
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { formatWhen } from '../../lib/format.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextArea } from '../../ui/TextField.tsx';
import { DateField } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import type {
  BreachDetail,
  BreachList,
  BreachSummary,
  NewBreach,
} from '../../../../src/shared/schemas/data-protection.ts';
import { StepUpSection } from '../identity/StepUpSection.tsx';

const TITLE = 'Breaches';

export function BreachesPage() {
  const list = useLoad<BreachList>('/api/data-protection/breaches');
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
      {list.data.allowed.includes('record') && <NewBreachForm onDone={() => void list.reload()} />}
      <section aria-labelledby="dp-breaches" className="section">
        <h2 id="dp-breaches">The register</h2>
        {list.data.items.length === 0 ? (
          <p>No breaches recorded.</p>
        ) : (
          <ul className="stack-tight">
            {list.data.items.map((b) => (
              <BreachItem key={b.id} breach={b} />
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

/** Who opened a draft: Lantern from one of its own signals, or the hosting operator's notice. */
const draftWords = (b: BreachSummary) =>
  b.source === 'operator_incident'
    ? 'Draft from your hosting operator’s incident notice'
    : 'Draft opened by Lantern';

/** One breach: its clock, and what is known, read (and audited) only when opened. */
function BreachItem({ breach: b }: { breach: BreachSummary }) {
  const [open, setOpen] = useState(false);
  const detail = useLoad<BreachDetail>(open ? `/api/data-protection/breaches/${b.id}` : null);
  return (
    <li className="card">
      <p>
        {b.status === 'draft' ? draftWords(b) : 'Breach'}: aware {formatWhen(b.becameAwareAt)}; the
        ICO to be told by {formatWhen(b.icoDueAt)}
        {b.overdue ? ' (past the 72 hours, no decision yet)' : ''} · {b.status}
      </p>
      <details onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>What is known</summary>
        {!open ? null : detail.status === 'loading' ? (
          <p role="status">Loading…</p>
        ) : detail.status === 'error' ? (
          <p role="alert">{detail.message}</p>
        ) : (
          <dl className="facts">
            <dt>How the school became aware</dt>
            <dd>
              {detail.data.howAware.split('\n\n').map((para, i) => (
                <p key={i}>{para}</p>
              ))}
            </dd>
            {detail.data.occurredFrom && (
              <>
                <dt>When it happened</dt>
                <dd>
                  from {formatWhen(detail.data.occurredFrom)}
                  {detail.data.occurredTo
                    ? ` to ${formatWhen(detail.data.occurredTo)}`
                    : ', not yet ended'}
                </dd>
              </>
            )}
            <dt>Kind</dt>
            <dd>{detail.data.types.join(', ')}</dd>
            {detail.data.peopleApprox !== null && (
              <>
                <dt>People affected, about</dt>
                <dd>{detail.data.peopleApprox}</dd>
              </>
            )}
            {detail.data.recordsApprox !== null && (
              <>
                <dt>Records affected, about</dt>
                <dd>{detail.data.recordsApprox}</dd>
              </>
            )}
          </dl>
        )}
      </details>
    </li>
  );
}

type Field = 'becameAwareAt' | 'howAware' | 'lateReason';

function NewBreachForm({ onDone }: { onDone: () => void }) {
  const [aware, setAware] = useState('');
  const [howAware, setHowAware] = useState('');
  const [lateReason, setLateReason] = useState('');
  const submit = useSubmit<Field>();
  const record = async () => {
    if (!howAware.trim()) {
      submit.invalid(
        { howAware: 'Say how the school became aware.' },
        'Some details are missing: see below.',
      );
      return;
    }
    const body: NewBreach = {
      howAware: howAware.trim(),
      ...(aware ? { becameAwareAt: new Date(aware).toISOString() } : {}),
      ...(lateReason.trim() ? { lateReason: lateReason.trim() } : {}),
    };
    await api('POST', '/api/data-protection/breaches', body);
    setHowAware('');
    setLateReason('');
    onDone();
    return 'The breach was recorded.';
  };
  return (
    <Form
      submit={submit}
      onSubmit={record}
      className="card stack-tight"
      aria-label="Record a breach"
    >
      <h2>Record a breach</h2>
      <DateField
        name="becameAwareAt"
        label="When the school became aware"
        withTime
        value={aware}
        onChange={setAware}
      />
      <TextArea
        name="howAware"
        label="How the school became aware"
        rows={3}
        maxLength={4000}
        value={howAware}
        onChange={setHowAware}
      />
      <TextArea
        name="lateReason"
        label="Reason for recording it late"
        optional
        rows={2}
        maxLength={2000}
        value={lateReason}
        onChange={setLateReason}
      />
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton>Record breach</SubmitButton>
      </div>
    </Form>
  );
}
