// One referral to an outside agency: to whom, their contact and reference, when it was made and
// when a response is expected, its status (the server says when it is overdue), the follow-up
// letters and calls, a form to add one, and recording the agency's response or closing it. Which
// of these appear is the server's `allowed` (src/features/referrals/policy.ts), never worked out here.
import { useMemo, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, errorMessage } from '../../lib/api.ts';
import { formatWhen, labelOf, toLocalInput } from '../../lib/format.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { refusedAs, useSubmit } from '../../lib/useSubmit.ts';
import { useSession } from '../../app/session.tsx';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import { Notice } from '../../ui/Message.tsx';
import { Form, FormError } from '../../ui/Form.tsx';
import { TextArea } from '../../ui/TextField.tsx';
import { DateField, Select } from '../../ui/Field.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import { FOLLOWUP_KINDS, referralStatusLabel } from './labels.ts';
import type { ReferralDetail } from '../../../../src/shared/schemas/referrals.ts';
import '../../ui/records.css';

export function ReferralPage() {
  const { id = '' } = useParams();
  const state = useLoad<ReferralDetail>(`/api/referrals/${encodeURIComponent(id)}`);
  const [updated, setUpdated] = useState<ReferralDetail | null>(null);
  const [said, setSaid] = useState<string | null>(null);
  if (state.status === 'loading') {
    return (
      <>
        <PageHeading title="Referral">Referral</PageHeading>
        <p role="status">Loading…</p>
      </>
    );
  }
  if (state.status === 'error') return <LoadProblem title="The referral" state={state} />;
  const r = updated?.id === state.data.id ? updated : state.data;
  const changed = (view: ReferralDetail, message: string) => {
    setUpdated(view);
    setSaid(message);
  };
  return (
    <>
      <PageHeading title={`Referral to ${r.agency}`}>Referral to {r.agency}</PageHeading>
      <Notice text={said} />
      {r.overdue && (
        <p className="message message-error">
          <strong>Overdue:</strong> the agency&rsquo;s response was expected by{' '}
          {r.dueAt ? formatWhen(r.dueAt) : 'now'}. Chase it and record the follow-up below.
        </p>
      )}
      <ReferralFacts r={r} />
      <section aria-labelledby="followups-heading" className="section card">
        <h2 id="followups-heading">Follow-ups</h2>
        {r.followups.length === 0 ? (
          <p className="muted">No letters, calls or other follow-ups recorded yet.</p>
        ) : (
          <ol className="record-list" aria-label="Follow-ups">
            {r.followups.map((f) => (
              <li key={f.id}>
                <h3 className="record-title">{labelOf(FOLLOWUP_KINDS, f.kind)}</h3>
                <p className="muted">
                  <time dateTime={f.at}>{formatWhen(f.at)}</time> by {f.by}
                </p>
                <p className="entry-text">{f.note}</p>
              </li>
            ))}
          </ol>
        )}
        {r.allowed.includes('add_followup') && <AddFollowUp r={r} onDone={changed} />}
      </section>
      {(r.allowed.includes('record_response') || r.allowed.includes('close')) && (
        <ChangeStatus r={r} onDone={changed} />
      )}
      <p>
        <Link to="/">Back to the dashboard</Link>
      </p>
    </>
  );
}

function ReferralFacts({ r }: { r: ReferralDetail }) {
  const session = useSession();
  return (
    <section aria-labelledby="referral-heading" className="section card">
      <h2 id="referral-heading">Details</h2>
      <dl className="facts facts-stack">
        <dt>Pupil</dt>
        <dd>
          {session.has('pupil.chronology') ? (
            <Link to={`/pupils/${r.pupil.id}`}>{r.pupil.name}</Link>
          ) : (
            r.pupil.name
          )}
        </dd>
        <dt>Agency</dt>
        <dd>{r.agency}</dd>
        <dt>Contact</dt>
        <dd>{r.contact ?? 'Not recorded'}</dd>
        <dt>Reference</dt>
        <dd>{r.reference ?? 'Not recorded'}</dd>
        <dt>Referred</dt>
        <dd>{formatWhen(r.referredAt)}</dd>
        <dt>Response expected by</dt>
        <dd>{r.dueAt ? formatWhen(r.dueAt) : 'No expected response time'}</dd>
        <dt>Status</dt>
        <dd>
          {referralStatusLabel(r.status)}
          {r.overdue && <span className="badge badge-overdue">Overdue</span>}
        </dd>
        {r.respondedAt && (
          <>
            <dt>Response received</dt>
            <dd>{formatWhen(r.respondedAt)}</dd>
          </>
        )}
        {r.closedAt && (
          <>
            <dt>Closed</dt>
            <dd>{formatWhen(r.closedAt)}</dd>
          </>
        )}
        {r.details && (
          <>
            <dt>Details</dt>
            <dd className="entry-text">{r.details}</dd>
          </>
        )}
        {r.concernId && (
          <>
            <dt>From</dt>
            <dd>
              <Link to={`/concerns/${r.concernId}`}>The concern</Link>
            </dd>
          </>
        )}
        {r.caseId && (
          <>
            <dt>Case</dt>
            <dd>
              <Link to={`/cases/${r.caseId}`}>Open the case</Link>
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}

type Done = (view: ReferralDetail, message: string) => void;

function AddFollowUp({ r, onDone }: { r: ReferralDetail; onDone: Done }) {
  const now = useMemo(() => toLocalInput(new Date()), []);
  const [kind, setKind] = useState('call');
  const [at, setAt] = useState(now);
  const [note, setNote] = useState('');
  const submit = useSubmit<'at' | 'note'>({ describe: refusedAs('The follow-up was not saved') });
  const record = async () => {
    const when = new Date(at);
    const wrong = submit.invalid({
      at:
        !at || Number.isNaN(when.getTime())
          ? 'Enter when it happened.'
          : when.getTime() > Date.now() + 60_000 && 'When it happened cannot be in the future.',
      note: !note.trim() && 'Write what was said or sent.',
    });
    if (wrong) return;
    const view = await api<ReferralDetail>('POST', `/api/referrals/${r.id}/followups`, {
      kind,
      at: when.toISOString(),
      note,
    });
    setNote('');
    onDone(view, 'Follow-up recorded.');
  };
  return (
    <Form submit={submit} onSubmit={record} className="stack-tight follow-up-form">
      <h3>Record a follow-up</h3>
      <Select label="Kind of follow-up" value={kind} onChange={setKind}>
        {FOLLOWUP_KINDS.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </Select>
      <DateField name="at" label="When" withTime max={now} value={at} onChange={setAt} />
      <TextArea
        name="note"
        label="What was said or sent"
        rows={3}
        maxLength={10_000}
        inputClassName="input textarea textarea-short"
        value={note}
        onChange={setNote}
      />
      <FormError />
      <div className="actions">
        <SubmitButton>Save follow-up</SubmitButton>
      </div>
    </Form>
  );
}

function ChangeStatus({ r, onDone }: { r: ReferralDetail; onDone: Done }) {
  const submit = useSubmit({
    describe: (err) => `The referral was not changed. ${errorMessage(err)}`,
  });
  const headingRef = useRef<HTMLHeadingElement>(null);
  const set = (status: 'responded' | 'closed') =>
    submit.run(async () => {
      const view = await api<ReferralDetail>('POST', `/api/referrals/${r.id}/status`, { status });
      onDone(view, status === 'responded' ? 'Response recorded.' : 'Referral closed.');
      // The button pressed may be gone now; keep keyboard users in this section.
      headingRef.current?.focus();
    });
  return (
    <section aria-labelledby="status-heading" className="section card stack-tight">
      <h2 id="status-heading" ref={headingRef} tabIndex={-1}>
        Change the status
      </h2>
      <FormError submit={submit} />
      <div className="actions">
        {r.allowed.includes('record_response') && (
          <Button
            variant="primary"
            isPending={submit.pending}
            onPress={() => void set('responded')}
          >
            Response received
          </Button>
        )}
        {r.allowed.includes('close') && (
          <Button variant="quiet" isPending={submit.pending} onPress={() => void set('closed')}>
            Close the referral
          </Button>
        )}
      </div>
    </section>
  );
}
