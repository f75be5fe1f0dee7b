// One case: whom it is about, who owns it, its status and review date, the concerns in it and its
// whole history (opened, concerns added, new owner or review date, closed, reopened — who, when
// and why). An open case gets a new owner or review date, and is closed, or marked "no further
// action", only with an outcome and a written rationale; a closed one is reopened with a reason.
// Which of these forms appear is the server's `allowed`; the server enforces the rules, and the
// page says them first.
import { useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, errorMessage } from '../../lib/api.ts';
import { formatDay, formatWhen } from '../../lib/format.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { refusedAs, useSubmit } from '../../lib/useSubmit.ts';
import {
  MAX_OUTCOME_LENGTH,
  MAX_RATIONALE_LENGTH,
  MIN_RATIONALE_LENGTH,
} from '../../../../src/shared/limits.ts';
import { useSession } from '../../app/session.tsx';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import { Notice } from '../../ui/Message.tsx';
import { ErrorSummary, Form, FormError } from '../../ui/Form.tsx';
import { TextArea, TextField } from '../../ui/TextField.tsx';
import { useDraft } from '../../lib/useDraft.ts';
import { DraftNotice } from '../../ui/DraftNotice.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import { CaseOwnerFields, reviewDateProblem, type OwnerField } from './CaseOwnerFields.tsx';
import { caseEventLabel, caseStatusLabel } from './labels.ts';
import {
  CaseWork,
  OpenWorkQuestions,
  openItems,
  openWorkBody,
  openWorkProblems,
  type Answer,
  type Answers,
} from './OpenWork.tsx';
import type {
  CaseEventView,
  CaseOwnerList,
  CaseView,
} from '../../../../src/shared/schemas/cases.ts';
import type { Chronology } from '../../../../src/shared/schemas/chronology.ts';
import '../../ui/records.css';

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
      <Notice text={said} focusRef={saidRef} />
      <CaseFacts c={c} />
      <CaseConcerns c={c} />
      <CaseWork
        c={c}
        onChanged={(message) => {
          setSaid(message);
          setUpdated(null);
          void state.reload();
        }}
      />
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
  const chron = useLoad<Chronology>(
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
/** The outcome, the rationale, and a choice (and reason) for each open action or referral. */
type CloseField = string;
/** A refusal the server explains (a rule, or the case changed meanwhile) reads as its reason. */
const notChanged = refusedAs('The case was not changed', [400, 409]);

function CloseCase({ c, onDone }: { c: CaseView; onDone: Done }) {
  const [outcome, setOutcome] = useState('');
  const [rationale, setRationale] = useState('');
  const [answers, setAnswers] = useState<Answers>({});
  const items = openItems(c);
  const submit = useSubmit<CloseField>({ describe: notChanged });
  const canClose = c.allowed.includes('close');
  const canNfa = c.allowed.includes('no_further_action');
  // The rationale is long writing: kept on the server while it is written (lib/useDraft.ts).
  const draft = useDraft(
    `case-close-${c.id}`,
    { outcome, rationale, answers },
    {
      worthKeeping: (f) =>
        f.outcome.trim() !== '' ||
        f.rationale.trim() !== '' ||
        Object.values(f.answers).some((a) => a.choice !== '' || a.reason.trim() !== ''),
      restore: (f) => {
        if (typeof f.outcome === 'string') setOutcome(f.outcome);
        if (typeof f.rationale === 'string') setRationale(f.rationale);
        // What was chosen for each open action or referral, for those still open.
        if (f.answers && typeof f.answers === 'object') {
          const kept: Answers = {};
          for (const item of items) {
            const a = (f.answers as Record<string, unknown>)[item.id] as
              Partial<Answer> | undefined;
            if (a && typeof a.choice === 'string' && typeof a.reason === 'string')
              kept[item.id] = { choice: a.choice, reason: a.reason };
          }
          setAnswers(kept);
        }
      },
    },
  );

  const decide = async (kind: 'close' | 'no-further-action') => {
    const wrong = submit.invalid({
      outcome: !outcome.trim() && 'Record the outcome.',
      rationale:
        rationale.trim().length < MIN_RATIONALE_LENGTH &&
        `Write the rationale for this decision (at least ${MIN_RATIONALE_LENGTH} characters).`,
      ...openWorkProblems(items, answers),
    });
    if (wrong) return;
    const view = await api<CaseView>('POST', `/api/cases/${c.id}/${kind}`, {
      outcome,
      rationale,
      ...(items.length > 0 ? { openWork: openWorkBody(items, answers) } : {}),
    });
    await draft.finished();
    onDone(view, kind === 'close' ? 'Case closed.' : 'Case marked no further action.');
  };

  return (
    <section aria-labelledby="close-heading" className="section card">
      <h2 id="close-heading">Close the case</h2>
      <Form submit={submit} onSubmit={() => decide(canClose ? 'close' : 'no-further-action')}>
        <p className="hint">
          Closing the case or deciding on no further action needs an outcome and a written
          rationale. Both stay in the case history.
        </p>
        <ErrorSummary>The case is not closed yet: check the fields marked below.</ErrorSummary>
        <DraftNotice
          draft={draft}
          onDiscard={() => {
            setOutcome('');
            setRationale('');
            setAnswers({});
          }}
        />
        <TextField
          name="outcome"
          label="Outcome"
          maxLength={MAX_OUTCOME_LENGTH}
          autoComplete="off"
          value={outcome}
          onChange={setOutcome}
        />
        <TextArea
          name="rationale"
          label="Rationale"
          hint="Why this decision is right for the child: what was done, what changed, who agreed."
          rows={5}
          maxLength={MAX_RATIONALE_LENGTH}
          value={rationale}
          onChange={setRationale}
        />
        <OpenWorkQuestions items={items} answers={answers} onChange={setAnswers} />
        <FormError />
        <div className="actions">
          {canClose && <SubmitButton>Close case</SubmitButton>}
          {canNfa && (
            <Button
              variant="quiet"
              isPending={submit.pending}
              onPress={() => void submit.run(() => decide('no-further-action'))}
            >
              No further action
            </Button>
          )}
        </div>
      </Form>
    </section>
  );
}

function ReopenCase({ c, onDone }: { c: CaseView; onDone: Done }) {
  const [reason, setReason] = useState('');
  const submit = useSubmit<'reason'>({
    describe: (err) => `The case was not reopened. ${errorMessage(err)}`,
  });
  const reopen = async () => {
    if (submit.invalid({ reason: !reason.trim() && 'Say why the case is being reopened.' })) return;
    const view = await api<CaseView>('POST', `/api/cases/${c.id}/reopen`, { reason });
    onDone(view, 'Case reopened.');
  };
  return (
    <section aria-labelledby="reopen-heading" className="section card">
      <h2 id="reopen-heading">Reopen the case</h2>
      <Form submit={submit} onSubmit={reopen}>
        <TextArea
          name="reason"
          label="Why it is being reopened"
          rows={3}
          maxLength={MAX_RATIONALE_LENGTH}
          inputClassName="input textarea textarea-short"
          value={reason}
          onChange={setReason}
        />
        <FormError />
        <div className="actions">
          <SubmitButton>Reopen case</SubmitButton>
        </div>
      </Form>
    </section>
  );
}

/** A new owner or review date for an open case; each change goes into the history. */
function ChangeCase({ c, onDone }: { c: CaseView; onDone: Done }) {
  const owners = useLoad<CaseOwnerList>('/api/case-owners');
  const [ownerId, setOwnerId] = useState(c.owner.id);
  const [reviewOn, setReviewOn] = useState(c.reviewOn ?? '');
  const submit = useSubmit<OwnerField>({ describe: notChanged });
  const save = async () => {
    const unchanged = reviewOn === (c.reviewOn ?? '');
    if (submit.invalid({ reviewOn: !unchanged && reviewDateProblem(reviewOn) })) return;
    const change = {
      ...(ownerId !== c.owner.id ? { ownerId } : {}),
      ...(!unchanged ? { reviewOn: reviewOn || null } : {}),
    };
    if (Object.keys(change).length === 0) {
      submit.invalid({}, 'Nothing has changed: choose a new owner or review date first.');
      return;
    }
    const view = await api<CaseView>('PATCH', `/api/cases/${c.id}`, change);
    onDone(view, 'Case updated.');
  };
  return (
    <section aria-labelledby="change-heading" className="section card">
      <h2 id="change-heading">Owner and review date</h2>
      <Form submit={submit} onSubmit={save}>
        <CaseOwnerFields
          owners={owners}
          ownerId={ownerId}
          onOwner={setOwnerId}
          reviewOn={reviewOn}
          onReviewOn={setReviewOn}
          current={c.owner}
        />
        <FormError />
        <div className="actions">
          <SubmitButton>Save owner and review date</SubmitButton>
        </div>
      </Form>
    </section>
  );
}
