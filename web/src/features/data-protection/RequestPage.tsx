// One rights request (issue 17): its clock and due date as the server worked them out, and the
// forms the server allows now — extending it inside the first month, recording the child's voice,
// and closing it with its outcome. Each form keeps what was typed after a refusal.
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextArea } from '../../ui/TextField.tsx';
import { RadioGroup, Select } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import {
  REQUEST_OUTCOMES,
  type RequestDetail,
  type RequestOutcome,
} from '../../../../src/shared/schemas/data-protection.ts';
import { StepUpSection } from '../identity/StepUpSection.tsx';
import { SarWorkbench } from './SarWorkbench.tsx';
import { RightsPanel } from './rights/RightsPanel.tsx';
import { CHANNEL_NAMES, KIND_NAMES, RELATIONSHIP_NAMES, STATUS_NAMES, formatDay } from './words.ts';

const TITLE = 'Rights request';

export function RequestPage() {
  const { id } = useParams();
  const one = useLoad<RequestDetail>(`/api/data-protection/requests/${id ?? ''}`);
  if (one.status === 'loading')
    return (
      <>
        <PageHeading title={TITLE}>{TITLE}</PageHeading>
        <p role="status">Loading…</p>
      </>
    );
  if (one.status === 'error') {
    if (one.code === 'step_up_required')
      return (
        <>
          <PageHeading title={TITLE}>{TITLE}</PageHeading>
          <StepUpSection
            purpose="to open the data-protection register"
            area="The register"
            onDone={() => void one.reload()}
          />
        </>
      );
    return <LoadProblem title={TITLE} state={one} />;
  }
  const r = one.data;
  const reload = () => void one.reload();
  const heading = `${KIND_NAMES[r.kind]} request`;
  return (
    <>
      <PageHeading title={heading}>{heading}</PageHeading>
      <p>
        <Link to="/data-protection/requests">All requests</Link>
      </p>
      <dl className="card">
        <dt>Due date</dt>
        <dd>
          {r.dueOn
            ? `${formatDay(r.dueOn)}${r.overdue ? ' (overdue)' : ''}`
            : r.clock === 'paused_clarification'
              ? 'Paused: waiting for clarification'
              : "Enter next year's term dates"}
        </dd>
        {r.extension && (
          <>
            <dt>Extended</dt>
            <dd>
              From {r.originalDueOn ? formatDay(r.originalDueOn) : '—'} to{' '}
              {formatDay(r.extension.to)}: {r.extension.reason}
            </dd>
          </>
        )}
        <dt>Status</dt>
        <dd>{STATUS_NAMES[r.status]}</dd>
        <dt>Requester</dt>
        <dd>
          {r.requester} ({RELATIONSHIP_NAMES[r.relationship]}), by {CHANNEL_NAMES[r.channel]}
        </dd>
        <dt>Received</dt>
        <dd>{formatDay(r.receivedOn)}</dd>
        <dt>About</dt>
        <dd>{r.subjects.map((s) => s.name).join(', ')}</dd>
        {r.childVoiceNeeded && (
          <>
            <dt>The child&apos;s voice</dt>
            <dd>{r.childVoice ? `Recorded by ${r.childVoice.by}` : 'Needed before release'}</dd>
          </>
        )}
        {r.restrictedRequester && (
          <>
            <dt>Restricted requester</dt>
            <dd>{r.dslReview ? `Reviewed by ${r.dslReview.by}` : 'The DSL must review first'}</dd>
          </>
        )}
      </dl>
      <RightsPanel id={r.id} kind={r.kind} />
      {r.allowed.includes('extend') && <ExtendForm id={r.id} onDone={reload} />}
      {r.allowed.includes('child_voice') && <ChildVoiceForm id={r.id} onDone={reload} />}
      {RELEASING.includes(r.kind) && <SarWorkbench id={r.id} onDone={reload} />}
      {r.allowed.includes('close') && (
        <CloseForm
          id={r.id}
          mayRelease={r.allowed.includes('release')}
          releasing={RELEASING.includes(r.kind)}
          onDone={reload}
        />
      )}
    </>
  );
}

function ExtendForm({ id, onDone }: { id: string; onDone: () => void }) {
  const [months, setMonths] = useState<'1' | '2'>('2');
  const [reason, setReason] = useState('');
  const [notice, setNotice] = useState('');
  const submit = useSubmit<'reason' | 'notice'>();
  const extend = async () => {
    const problems: Partial<Record<'reason' | 'notice', string>> = {};
    if (!reason.trim()) problems.reason = 'Say why the request needs longer.';
    if (!notice.trim()) problems.notice = 'Paste the notice sent to the requester.';
    if (Object.keys(problems).length > 0) {
      submit.invalid(problems, 'Some details are missing: see below.');
      return;
    }
    await api('POST', `/api/data-protection/requests/${id}/extension`, {
      months: Number(months),
      reason: reason.trim(),
      notice: notice.trim(),
    });
    onDone();
    return 'The request was extended.';
  };
  return (
    <Form
      submit={submit}
      onSubmit={extend}
      className="card stack-tight"
      aria-label="Extend the request"
    >
      <h2>Extend the request</h2>
      <RadioGroup
        legend="Extend by"
        value={months}
        onChange={setMonths}
        options={[
          ['1', 'One month'],
          ['2', 'Two months'],
        ]}
      />
      <TextArea
        name="reason"
        label="Reason for the extension"
        rows={2}
        maxLength={2000}
        value={reason}
        onChange={setReason}
      />
      <TextArea
        name="notice"
        label="Notice sent to the requester"
        rows={4}
        maxLength={8000}
        value={notice}
        onChange={setNotice}
      />
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton>Extend</SubmitButton>
      </div>
    </Form>
  );
}

function ChildVoiceForm({ id, onDone }: { id: string; onDone: () => void }) {
  const [competence, setCompetence] = useState('');
  const [views, setViews] = useState('');
  const submit = useSubmit<'competence' | 'views'>();
  const save = async () => {
    await api('POST', `/api/data-protection/requests/${id}/child-voice`, { competence, views });
    onDone();
    return "The child's voice was recorded.";
  };
  return (
    <Form
      submit={submit}
      onSubmit={save}
      className="card stack-tight"
      aria-label="The child's voice"
    >
      <h2>The child&apos;s voice</h2>
      <TextArea
        name="competence"
        label="Assessment of the child's competence"
        rows={3}
        maxLength={4000}
        value={competence}
        onChange={setCompetence}
      />
      <TextArea
        name="views"
        label="The child's views"
        rows={3}
        maxLength={4000}
        value={views}
        onChange={setViews}
      />
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton>Record the child&apos;s voice</SubmitButton>
      </div>
    </Form>
  );
}

const OUTCOME_NAMES: Record<RequestOutcome, string> = {
  released: 'Released',
  completed: 'Completed',
  refused: 'Refused',
  withdrawn: 'Withdrawn',
};

// The kinds that release data: while the child's voice or the DSL's review is missing, such a
// request may only be refused or withdrawn ('completed' would be a release by another name).
const RELEASING: readonly string[] = ['subject_access', 'educational_record', 'portability'];

function CloseForm(p: { id: string; mayRelease: boolean; releasing: boolean; onDone: () => void }) {
  const outcomes = REQUEST_OUTCOMES.filter((o) =>
    o === 'released' ? p.mayRelease : o === 'completed' ? p.mayRelease || !p.releasing : true,
  );
  const [outcome, setOutcome] = useState<RequestOutcome>(outcomes[0] ?? 'refused');
  const [note, setNote] = useState('');
  const submit = useSubmit<'note'>();
  const close = async () => {
    await api('POST', `/api/data-protection/requests/${p.id}/close`, { outcome, note });
    p.onDone();
    return 'The request was closed.';
  };
  return (
    <Form
      submit={submit}
      onSubmit={close}
      className="card stack-tight"
      aria-label="Close the request"
    >
      <h2>Close the request</h2>
      <Select
        name="outcome"
        label="Outcome"
        value={outcome}
        onChange={(v) => setOutcome(outcomes.find((o) => o === v) ?? 'refused')}
      >
        {outcomes.map((o) => (
          <option key={o} value={o}>
            {OUTCOME_NAMES[o]}
          </option>
        ))}
      </Select>
      <TextArea
        name="note"
        label="What was done"
        rows={3}
        maxLength={8000}
        value={note}
        onChange={setNote}
      />
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton>Close request</SubmitButton>
      </div>
    </Form>
  );
}
