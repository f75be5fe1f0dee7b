// Actions on a concern (and the dashboard's "My actions"): the list (overdue ones marked),
// completing one with its outcome, and adding one with a type, an assignee from the school's staff,
// a due date and a reminder. The server decides who may do this: Complete appears only on an
// action whose `allowed` says so; the add form only where the page was told it may.
import { useId, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Button } from 'react-aria-components';
import { api, ApiError, errorMessage, type ConcernWithSeenPupils } from '../api.ts';
import { formatWhen } from '../format.ts';
import { ACTION_TYPES, labelOf, type ActionView, type StaffDirectory } from '../caseWork.ts';
import { useLoad } from '../useLoad.ts';
import { useSession } from '../session.tsx';
import { FormField, focusFirstError } from './FormField.tsx';
import '../case-work.css';

const refused = (what: string, err: unknown) =>
  err instanceof ApiError && err.status === 400
    ? `${what} was not saved: ${err.message}`
    : `${what} was not saved. ${errorMessage(err)}`;

export function ActionList({
  actions,
  onChanged,
  label = 'Actions',
  empty = 'No actions yet.',
  titleLevel = 4,
  linkConcern = false,
}: {
  actions: ActionView[];
  onChanged: (message: string) => void;
  label?: string;
  empty?: string;
  /** The heading level of each action's title, under the section that lists them. */
  titleLevel?: 3 | 4;
  /** Link each action to the concern it follows (where the list is not on that concern). */
  linkConcern?: boolean;
}) {
  if (actions.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ul className="record-list" aria-label={label}>
      {actions.map((a) => (
        <ActionItem
          key={a.id}
          action={a}
          onChanged={onChanged}
          titleLevel={titleLevel}
          linkConcern={linkConcern}
        />
      ))}
    </ul>
  );
}

function ActionItem({
  action: a,
  onChanged,
  titleLevel,
  linkConcern,
}: {
  action: ActionView;
  onChanged: (message: string) => void;
  titleLevel: 3 | 4;
  linkConcern: boolean;
}) {
  const Title = titleLevel === 3 ? 'h3' : 'h4';
  const uid = useId();
  const titleId = `${uid}-title`;
  const outcomeId = `${uid}-outcome`;
  const [completing, setCompleting] = useState(false);
  const [outcome, setOutcome] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const titleRef = useRef<HTMLHeadingElement>(null);
  const completeRef = useRef<HTMLButtonElement>(null);
  /** The form closes and its controls go; keep keyboard focus where the user was working. */
  const close = (focus: 'title' | 'button') => {
    setCompleting(false);
    requestAnimationFrame(() =>
      (focus === 'title' ? titleRef.current : completeRef.current)?.focus(),
    );
  };

  const complete = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setServerError(null);
    if (!outcome.trim()) {
      setError('Record the outcome.');
      document.getElementById(outcomeId)?.focus();
      return;
    }
    setError(null);
    setBusy(true);
    try {
      await api<ActionView>('POST', `/api/actions/${a.id}/complete`, { outcome });
      close('title');
      onChanged('Action completed.');
    } catch (err) {
      setServerError(refused('The outcome', err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <li>
      <Title id={titleId} ref={titleRef} tabIndex={-1} className="record-title">
        {labelOf(ACTION_TYPES, a.type)} for {a.pupil.name}
        {a.overdue && <span className="badge badge-overdue">Overdue</span>}
        {a.completedAt && <span className="badge badge-done">Completed</span>}
      </Title>
      <p className="entry-text">{a.text}</p>
      <dl className="facts facts-stack">
        <dt>Assigned to</dt>
        <dd>{a.assignee.name}</dd>
        <dt>Due</dt>
        <dd>{a.dueAt ? formatWhen(a.dueAt) : 'No due date'}</dd>
        {a.remindAt && (
          <>
            <dt>Reminder</dt>
            <dd>{formatWhen(a.remindAt)}</dd>
          </>
        )}
        {a.completedAt && (
          <>
            <dt>Completed</dt>
            <dd>{formatWhen(a.completedAt)}</dd>
            <dt>Outcome</dt>
            <dd className="entry-text">{a.outcome}</dd>
          </>
        )}
      </dl>
      {linkConcern && a.concernId && (
        <p>
          <Link to={`/concerns/${a.concernId}`}>Open the concern</Link>
        </p>
      )}
      {a.allowed.includes('complete') &&
        (completing ? (
          <form className="stack-tight" onSubmit={(e) => void complete(e)} noValidate>
            <FormField id={outcomeId} label="Outcome of this action" error={error}>
              {(p) => (
                <textarea
                  {...p}
                  className="input textarea textarea-short"
                  rows={3}
                  value={outcome}
                  onChange={(e) => setOutcome(e.target.value)}
                  // The field appears because the user asked to complete; take them to it.
                  autoFocus
                />
              )}
            </FormField>
            <div role="alert" className={serverError ? 'message message-error' : 'visually-empty'}>
              {serverError}
            </div>
            <div className="actions">
              <Button type="submit" className="button button-primary">
                Save outcome
              </Button>
              <Button className="button button-quiet" onPress={() => close('button')}>
                Cancel
              </Button>
            </div>
          </form>
        ) : (
          <Button
            ref={completeRef}
            className="button button-quiet"
            aria-describedby={titleId}
            onPress={() => setCompleting(true)}
          >
            Complete
          </Button>
        ))}
    </li>
  );
}

type Field = 'pupil' | 'text' | 'assignee' | 'dueAt' | 'remindAt';
type Errors = Partial<Record<Field, string>>;

export function AddActionForm({
  concern,
  caseFor,
  onSaved,
}: {
  concern: ConcernWithSeenPupils;
  /** The case an action about this pupil belongs to, if any. */
  caseFor: (pupilId: string) => string | null;
  onSaved: (message: string) => void;
}) {
  const session = useSession();
  const uid = useId();
  const ids: Record<Field, string> = {
    pupil: `${uid}-pupil`,
    text: `${uid}-text`,
    assignee: `${uid}-assignee`,
    dueAt: `${uid}-due`,
    remindAt: `${uid}-remind`,
  };
  const staff = useLoad<StaffDirectory>('/api/staff');
  const [pupilId, setPupilId] = useState(concern.pupils[0]?.id ?? '');
  const [type, setType] = useState('phone_call');
  const [text, setText] = useState('');
  const [assigneeId, setAssigneeId] = useState(session.user.id);
  const [dueAt, setDueAt] = useState('');
  const [remindAt, setRemindAt] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setServerError(null);
    const found: Errors = {};
    if (!pupilId) found.pupil = 'Choose the pupil.';
    if (!text.trim()) found.text = 'Describe what needs doing.';
    if (!assigneeId) found.assignee = 'Choose who will do it.';
    if (dueAt && Number.isNaN(new Date(dueAt).getTime())) found.dueAt = 'Enter a valid date.';
    if (remindAt && Number.isNaN(new Date(remindAt).getTime()))
      found.remindAt = 'Enter a valid date.';
    setErrors(found);
    if (focusFirstError(ids, found)) return;
    const caseId = caseFor(pupilId);
    setBusy(true);
    try {
      await api<ActionView>('POST', '/api/actions', {
        pupilId,
        concernId: concern.id,
        ...(caseId ? { caseId } : {}),
        type,
        text,
        assigneeId,
        ...(dueAt ? { dueAt: new Date(dueAt).toISOString() } : {}),
        ...(remindAt ? { remindAt: new Date(remindAt).toISOString() } : {}),
      });
      setText('');
      setDueAt('');
      setRemindAt('');
      onSaved('Action added.');
    } catch (err) {
      setServerError(refused('The action', err));
    } finally {
      setBusy(false);
    }
  };

  const people = staff.status === 'ok' ? staff.data.staff : [];
  return (
    <form className="stack-tight follow-up-form" onSubmit={(e) => void submit(e)} noValidate>
      <h4 className="record-title">Add an action</h4>
      {concern.pupils.length > 1 && (
        <FormField id={ids.pupil} label="Pupil" error={errors.pupil}>
          {(p) => (
            <select
              {...p}
              className="input"
              value={pupilId}
              onChange={(e) => setPupilId(e.target.value)}
            >
              {concern.pupils.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
          )}
        </FormField>
      )}
      <FormField id={`${uid}-type`} label="Type of action">
        {(p) => (
          <select {...p} className="input" value={type} onChange={(e) => setType(e.target.value)}>
            {ACTION_TYPES.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        )}
      </FormField>
      <FormField id={ids.text} label="What needs doing" error={errors.text}>
        {(p) => (
          <textarea
            {...p}
            className="input textarea textarea-short"
            rows={3}
            maxLength={5000}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        )}
      </FormField>
      <FormField id={ids.assignee} label="Assigned to" error={errors.assignee}>
        {(p) => (
          <select
            {...p}
            className="input"
            value={assigneeId}
            onChange={(e) => setAssigneeId(e.target.value)}
            disabled={staff.status !== 'ok'}
          >
            {staff.status === 'loading' && <option value={assigneeId}>Loading staff…</option>}
            {staff.status === 'error' && (
              <option value={assigneeId}>{session.user.name} (staff list unavailable)</option>
            )}
            {people.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
                {s.dsl ? ' (DSL team)' : ''}
              </option>
            ))}
          </select>
        )}
      </FormField>
      <FormField id={ids.dueAt} label="Due" optional error={errors.dueAt}>
        {(p) => (
          <input
            {...p}
            className="input input-short"
            type="datetime-local"
            value={dueAt}
            onChange={(e) => setDueAt(e.target.value)}
          />
        )}
      </FormField>
      <FormField
        id={ids.remindAt}
        label="Remind the assignee"
        optional
        hint="When Lantern should remind them."
        error={errors.remindAt}
      >
        {(p) => (
          <input
            {...p}
            className="input input-short"
            type="datetime-local"
            value={remindAt}
            onChange={(e) => setRemindAt(e.target.value)}
          />
        )}
      </FormField>
      <div role="alert" className={serverError ? 'message message-error' : 'visually-empty'}>
        {serverError}
      </div>
      <div className="actions">
        <Button type="submit" className="button button-primary">
          Add action
        </Button>
      </div>
    </form>
  );
}
