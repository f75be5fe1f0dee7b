// One case: whom it is about, who owns it, its status and review date, the concerns in it and its
// whole history (opened, concerns added, new owner or review date, closed, reopened — who, when
// and why). An open case gets a new owner or review date, and is closed, or marked "no further
// action", only with an outcome and a written rationale; a closed one is reopened with a reason.
// Which of these forms appear is the server's `allowed`; the server enforces the rules, and the
// page says them first.
import { useId, useRef, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { Button } from 'react-aria-components';
import { api, ApiError, errorMessage } from '../api.ts';
import { formatWhen } from '../format.ts';
import {
  caseEventLabel,
  caseStatusLabel,
  formatDay,
  type CaseEventView,
  type CaseView,
  type Ref,
} from '../caseWork.ts';
import { useLoad } from '../useLoad.ts';
import { useSession } from '../session.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { LoadProblem } from '../components/LoadProblem.tsx';
import { FormField, focusFirstError } from '../components/FormField.tsx';
import {
  CaseOwnerFields,
  reviewDateProblem,
  type OwnerField,
} from '../components/CaseOwnerFields.tsx';
import '../case-work.css';

/** The server's minimum for a written rationale (src/records/domain.ts). */
const MIN_RATIONALE = 20;

type ConcernEntry = { id: string; happenedAt: string; title: string };

export function CasePage() {
  const { id = '' } = useParams();
  const state = useLoad<CaseView>(`/api/cases/${encodeURIComponent(id)}`);
  const [updated, setUpdated] = useState<CaseView | null>(null);
  const [said, setSaid] = useState<string | null>(null);
  const saidRef = useRef<HTMLDivElement>(null);
  if (state.status === 'loading') {
    return (
      <>
        <PageHeading title="Case">Case</PageHeading>
        <p role="status">Loading…</p>
      </>
    );
  }
  if (state.status === 'error') return <LoadProblem title="The case" state={state} />;
  const c = updated?.id === state.data.id ? updated : state.data;
  const decided = (view: CaseView, message: string) => {
    setUpdated(view);
    setSaid(message);
    // The form just used is replaced by another; take focus to the confirmation instead.
    requestAnimationFrame(() => saidRef.current?.focus());
  };
  return (
    <>
      <PageHeading title={`Case – ${c.pupil.name}`}>Case: {c.pupil.name}</PageHeading>
      <div
        ref={saidRef}
        tabIndex={-1}
        role="status"
        className={said ? 'message message-success' : 'visually-empty'}
      >
        {said}
      </div>
      <CaseFacts c={c} />
      <CaseConcerns c={c} />
      <section aria-labelledby="history-heading" className="section card">
        <h2 id="history-heading">History</h2>
        <ol className="record-list">
          {c.events.map((e) => (
            <HistoryItem key={e.id} e={e} />
          ))}
        </ol>
      </section>
      {c.allowed.includes('edit') && <ChangeCase key={c.id} c={c} onDone={decided} />}
      {(c.allowed.includes('close') || c.allowed.includes('no_further_action')) && (
        <CloseCase c={c} onDone={decided} />
      )}
      {c.allowed.includes('reopen') && <ReopenCase c={c} onDone={decided} />}
      <p>
        <Link to="/">Back to the dashboard</Link>
      </p>
    </>
  );
}

function CaseFacts({ c }: { c: CaseView }) {
  const session = useSession();
  return (
    <section aria-labelledby="case-heading" className="section card">
      <h2 id="case-heading">About this case</h2>
      <dl className="facts facts-stack">
        <dt>Pupil</dt>
        <dd>
          {session.has('pupil.chronology') ? (
            <Link to={`/pupils/${c.pupil.id}`}>{c.pupil.name}</Link>
          ) : (
            c.pupil.name
          )}
        </dd>
        <dt>Owner</dt>
        <dd>{c.owner.name}</dd>
        <dt>Status</dt>
        <dd>{caseStatusLabel(c.status)}</dd>
        <dt>Review date</dt>
        <dd>
          {c.reviewOn ? formatDay(c.reviewOn) : 'None set'}
          {c.reviewDue && <span className="badge badge-overdue">Due for review</span>}
        </dd>
        <dt>Opened</dt>
        <dd>{formatWhen(c.openedAt)}</dd>
        {c.outcome && (
          <>
            <dt>Outcome</dt>
            <dd className="entry-text">{c.outcome}</dd>
          </>
        )}
        {c.rationale && (
          <>
            <dt>Rationale</dt>
            <dd className="entry-text">{c.rationale}</dd>
          </>
        )}
      </dl>
    </section>
  );
}

function CaseConcerns({ c }: { c: CaseView }) {
  // The pupil's chronology names each concern (when, categories); the case only has their ids.
  const chron = useLoad<{ entries: ConcernEntry[] }>(
    c.concernIds.length > 0 ? `/api/pupils/${c.pupil.id}/chronology?kinds=concern` : null,
  );
  const named = new Map(chron.status === 'ok' ? chron.data.entries.map((e) => [e.id, e]) : []);
  return (
    <section aria-labelledby="concerns-heading" className="section card">
      <h2 id="concerns-heading">Concerns in this case</h2>
      {c.concernIds.length === 0 ? (
        <p className="muted">No concerns have been added to this case.</p>
      ) : (
        <ul>
          {c.concernIds.map((cid, i) => {
            const e = named.get(cid);
            return (
              <li key={cid}>
                <Link to={`/concerns/${cid}`}>
                  {e ? `${formatWhen(e.happenedAt)}: ${e.title}` : `Concern ${i + 1}`}
                </Link>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function HistoryItem({ e }: { e: CaseEventView }) {
  return (
    <li>
      <h3 className="record-title">{caseEventLabel(e.kind)}</h3>
      <p className="muted">
        <time dateTime={e.at}>{formatWhen(e.at)}</time> by {e.by.name}
      </p>
      {e.concernId && e.kind === 'joined' && (
        <p>
          <Link to={`/concerns/${e.concernId}`}>The concern added</Link>
        </p>
      )}
      {(e.kind === 'opened' || e.kind === 'owner_changed' || e.kind === 'review_date_changed') && (
        <dl className="facts facts-stack">
          {e.owner && (
            <>
              <dt>Owner</dt>
              <dd>{e.owner.name}</dd>
            </>
          )}
          {(e.reviewOn || e.kind === 'review_date_changed') && (
            <>
              <dt>Review date</dt>
              <dd>{e.reviewOn ? formatDay(e.reviewOn) : 'None'}</dd>
            </>
          )}
        </dl>
      )}
      {(e.outcome || e.rationale) && (
        <dl className="facts facts-stack">
          {e.outcome && (
            <>
              <dt>Outcome</dt>
              <dd className="entry-text">{e.outcome}</dd>
            </>
          )}
          {e.rationale && (
            <>
              <dt>{e.kind === 'reopened' ? 'Reason' : 'Rationale'}</dt>
              <dd className="entry-text">{e.rationale}</dd>
            </>
          )}
        </dl>
      )}
    </li>
  );
}

type Done = (view: CaseView, message: string) => void;
type CloseField = 'outcome' | 'rationale';

function CloseCase({ c, onDone }: { c: CaseView; onDone: Done }) {
  const uid = useId();
  const ids: Record<CloseField, string> = { outcome: `${uid}-outcome`, rationale: `${uid}-why` };
  const [outcome, setOutcome] = useState('');
  const [rationale, setRationale] = useState('');
  const [errors, setErrors] = useState<Partial<Record<CloseField, string>>>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const decide = async (kind: 'close' | 'no-further-action') => {
    if (busy) return;
    setServerError(null);
    const found: Partial<Record<CloseField, string>> = {};
    if (!outcome.trim()) found.outcome = 'Record the outcome.';
    if (rationale.trim().length < MIN_RATIONALE)
      found.rationale = `Write the rationale for this decision (at least ${MIN_RATIONALE} characters).`;
    setErrors(found);
    if (focusFirstError(ids, found)) return;
    setBusy(true);
    try {
      const view = await api<CaseView>('POST', `/api/cases/${c.id}/${kind}`, {
        outcome,
        rationale,
      });
      onDone(view, kind === 'close' ? 'Case closed.' : 'Case marked no further action.');
    } catch (err) {
      setBusy(false);
      setServerError(
        err instanceof ApiError && (err.status === 400 || err.status === 409)
          ? `The case was not changed: ${err.message}`
          : `The case was not changed. ${errorMessage(err)}`,
      );
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void decide(canClose ? 'close' : 'no-further-action');
  };

  const canClose = c.allowed.includes('close');
  const canNfa = c.allowed.includes('no_further_action');
  return (
    <section aria-labelledby="close-heading" className="section card">
      <h2 id="close-heading">Close the case</h2>
      <form className="stack" onSubmit={submit} noValidate>
        <p className="hint">
          Closing the case or deciding on no further action needs an outcome and a written
          rationale. Both stay in the case history.
        </p>
        {Object.keys(errors).length > 0 && (
          <div className="message message-error" role="alert">
            The case is not closed yet: check the fields marked below.
          </div>
        )}
        <FormField id={ids.outcome} label="Outcome" error={errors.outcome}>
          {(p) => (
            <input
              {...p}
              className="input"
              type="text"
              maxLength={500}
              autoComplete="off"
              value={outcome}
              onChange={(e) => setOutcome(e.target.value)}
            />
          )}
        </FormField>
        <FormField
          id={ids.rationale}
          label="Rationale"
          hint="Why this decision is right for the child: what was done, what changed, who agreed."
          error={errors.rationale}
        >
          {(p) => (
            <textarea
              {...p}
              className="input textarea"
              rows={5}
              maxLength={5000}
              value={rationale}
              onChange={(e) => setRationale(e.target.value)}
            />
          )}
        </FormField>
        <div role="alert" className={serverError ? 'message message-error' : 'visually-empty'}>
          {serverError}
        </div>
        <div className="actions">
          {canClose && (
            <Button type="submit" className="button button-primary">
              Close case
            </Button>
          )}
          {canNfa && (
            <Button
              className="button button-quiet"
              onPress={() => void decide('no-further-action')}
            >
              No further action
            </Button>
          )}
        </div>
      </form>
    </section>
  );
}

function ReopenCase({ c, onDone }: { c: CaseView; onDone: Done }) {
  const uid = useId();
  const reasonId = `${uid}-reason`;
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setServerError(null);
    if (!reason.trim()) {
      setError('Say why the case is being reopened.');
      document.getElementById(reasonId)?.focus();
      return;
    }
    setError(null);
    setBusy(true);
    try {
      const view = await api<CaseView>('POST', `/api/cases/${c.id}/reopen`, { reason });
      onDone(view, 'Case reopened.');
    } catch (err) {
      setBusy(false);
      setServerError(`The case was not reopened. ${errorMessage(err)}`);
    }
  };
  return (
    <section aria-labelledby="reopen-heading" className="section card">
      <h2 id="reopen-heading">Reopen the case</h2>
      <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
        <FormField id={reasonId} label="Why it is being reopened" error={error}>
          {(p) => (
            <textarea
              {...p}
              className="input textarea textarea-short"
              rows={3}
              maxLength={5000}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
            />
          )}
        </FormField>
        <div role="alert" className={serverError ? 'message message-error' : 'visually-empty'}>
          {serverError}
        </div>
        <div className="actions">
          <Button type="submit" className="button button-primary">
            Reopen case
          </Button>
        </div>
      </form>
    </section>
  );
}

/** A new owner or review date for an open case; each change goes into the history. */
function ChangeCase({ c, onDone }: { c: CaseView; onDone: Done }) {
  const uid = useId();
  const ids: Record<OwnerField, string> = { owner: `${uid}-owner`, reviewOn: `${uid}-review` };
  const owners = useLoad<{ items: Ref[] }>('/api/case-owners');
  const [ownerId, setOwnerId] = useState(c.owner.id);
  const [reviewOn, setReviewOn] = useState(c.reviewOn ?? '');
  const [errors, setErrors] = useState<Partial<Record<OwnerField, string>>>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setServerError(null);
    const found: Partial<Record<OwnerField, string>> = {};
    const problem = reviewOn === (c.reviewOn ?? '') ? null : reviewDateProblem(reviewOn);
    if (problem) found.reviewOn = problem;
    setErrors(found);
    if (focusFirstError(ids, found)) return;
    const change = {
      ...(ownerId !== c.owner.id ? { ownerId } : {}),
      ...(reviewOn !== (c.reviewOn ?? '') ? { reviewOn: reviewOn || null } : {}),
    };
    if (Object.keys(change).length === 0) {
      setServerError('Nothing has changed: choose a new owner or review date first.');
      return;
    }
    setBusy(true);
    try {
      const view = await api<CaseView>('PATCH', `/api/cases/${c.id}`, change);
      onDone(view, 'Case updated.');
    } catch (err) {
      setServerError(
        err instanceof ApiError && (err.status === 400 || err.status === 409)
          ? `The case was not changed: ${err.message}`
          : `The case was not changed. ${errorMessage(err)}`,
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="change-heading" className="section card">
      <h2 id="change-heading">Owner and review date</h2>
      <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
        <CaseOwnerFields
          ids={ids}
          owners={owners}
          ownerId={ownerId}
          onOwner={setOwnerId}
          reviewOn={reviewOn}
          onReviewOn={setReviewOn}
          errors={errors}
          current={c.owner}
        />
        <div role="alert" className={serverError ? 'message message-error' : 'visually-empty'}>
          {serverError}
        </div>
        <div className="actions">
          <Button type="submit" className="button button-primary">
            Save owner and review date
          </Button>
        </div>
      </form>
    </section>
  );
}
