// One referral to an outside agency: to whom, their contact and reference, when it was made and
// when a response is expected, its status (the server says when it is overdue), the follow-up
// letters and calls, a form to add one, and recording the agency's response or closing it. Which
// of these appear is the server's `allowed` (src/referrals/policy.ts), never worked out here.
import { useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { Button } from 'react-aria-components';
import { api, ApiError, errorMessage } from '../api.ts';
import { formatWhen, toLocalInput } from '../format.ts';
import { FOLLOWUP_KINDS, labelOf, referralStatusLabel, type ReferralDetail } from '../caseWork.ts';
import { useLoad } from '../useLoad.ts';
import { useSession } from '../session.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { LoadProblem } from '../components/LoadProblem.tsx';
import { FormField, focusFirstError } from '../components/FormField.tsx';
import '../case-work.css';

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
      <div role="status" className={said ? 'message message-success' : 'visually-empty'}>
        {said}
      </div>
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
type Field = 'at' | 'note';

function AddFollowUp({ r, onDone }: { r: ReferralDetail; onDone: Done }) {
  const uid = useId();
  const ids: Record<Field, string> = { at: `${uid}-at`, note: `${uid}-note` };
  const now = useMemo(() => toLocalInput(new Date()), []);
  const [kind, setKind] = useState('call');
  const [at, setAt] = useState(now);
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setServerError(null);
    const found: Partial<Record<Field, string>> = {};
    const when = new Date(at);
    if (!at || Number.isNaN(when.getTime())) found.at = 'Enter when it happened.';
    else if (when.getTime() > Date.now() + 60_000)
      found.at = 'When it happened cannot be in the future.';
    if (!note.trim()) found.note = 'Write what was said or sent.';
    setErrors(found);
    if (focusFirstError(ids, found)) return;
    setBusy(true);
    try {
      const view = await api<ReferralDetail>('POST', `/api/referrals/${r.id}/followups`, {
        kind,
        at: when.toISOString(),
        note,
      });
      setNote('');
      onDone(view, 'Follow-up recorded.');
    } catch (err) {
      setServerError(
        err instanceof ApiError && err.status === 400
          ? `The follow-up was not saved: ${err.message}`
          : `The follow-up was not saved. ${errorMessage(err)}`,
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="stack-tight follow-up-form" onSubmit={(e) => void submit(e)} noValidate>
      <h3>Record a follow-up</h3>
      <FormField id={`${uid}-kind`} label="Kind of follow-up">
        {(p) => (
          <select {...p} className="input" value={kind} onChange={(e) => setKind(e.target.value)}>
            {FOLLOWUP_KINDS.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        )}
      </FormField>
      <FormField id={ids.at} label="When" error={errors.at}>
        {(p) => (
          <input
            {...p}
            className="input input-short"
            type="datetime-local"
            max={now}
            value={at}
            onChange={(e) => setAt(e.target.value)}
          />
        )}
      </FormField>
      <FormField id={ids.note} label="What was said or sent" error={errors.note}>
        {(p) => (
          <textarea
            {...p}
            className="input textarea textarea-short"
            rows={3}
            maxLength={10_000}
            value={note}
            onChange={(e) => setNote(e.target.value)}
          />
        )}
      </FormField>
      <div role="alert" className={serverError ? 'message message-error' : 'visually-empty'}>
        {serverError}
      </div>
      <div className="actions">
        <Button type="submit" className="button button-primary">
          Save follow-up
        </Button>
      </div>
    </form>
  );
}

function ChangeStatus({ r, onDone }: { r: ReferralDetail; onDone: Done }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const set = async (status: 'responded' | 'closed') => {
    if (busy) return;
    setError(null);
    setBusy(true);
    try {
      const view = await api<ReferralDetail>('POST', `/api/referrals/${r.id}/status`, { status });
      onDone(view, status === 'responded' ? 'Response recorded.' : 'Referral closed.');
      // The button pressed may be gone now; keep keyboard users in this section.
      headingRef.current?.focus();
    } catch (err) {
      setError(`The referral was not changed. ${errorMessage(err)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="status-heading" className="section card stack-tight">
      <h2 id="status-heading" ref={headingRef} tabIndex={-1}>
        Change the status
      </h2>
      <div role="alert" className={error ? 'message message-error' : 'visually-empty'}>
        {error}
      </div>
      <div className="actions">
        {r.allowed.includes('record_response') && (
          <Button className="button button-primary" onPress={() => void set('responded')}>
            Response received
          </Button>
        )}
        {r.allowed.includes('close') && (
          <Button className="button button-quiet" onPress={() => void set('closed')}>
            Close the referral
          </Button>
        )}
      </div>
    </section>
  );
}
