// Actions on a concern (and the dashboard's "My actions"): the list (overdue ones marked),
// completing one with its outcome, and adding one with a type, an assignee from the school's staff,
// a due date and a reminder. The server decides who may do this: Complete appears only on an
// action whose `allowed` says so; the add form only where the page was told it may.
import { useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../lib/api.ts';
import { formatWhen, labelOf } from '../../lib/format.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { refusedAs, useSubmit } from '../../lib/useSubmit.ts';
import { useSession } from '../../app/session.tsx';
import { Form, FormError } from '../../ui/Form.tsx';
import { TextArea } from '../../ui/TextField.tsx';
import { useDraft } from '../../lib/useDraft.ts';
import { DraftNotice } from '../../ui/DraftNotice.tsx';
import { DateField, Select } from '../../ui/Field.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import type { ConcernWithSeenPupils } from '../concerns/types.ts';
import type { StaffDirectory } from '../../../../src/shared/schemas/administration.ts';
import { ACTION_TYPES } from './labels.ts';
import type { ActionView } from '../../../../src/shared/schemas/actions.ts';
import '../../ui/records.css';

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
  const titleId = `${useId()}-title`;
  const [completing, setCompleting] = useState(false);
  const [outcome, setOutcome] = useState('');
  const submit = useSubmit<'outcome'>({ describe: refusedAs('The outcome was not saved') });
  const titleRef = useRef<HTMLHeadingElement>(null);
  const completeRef = useRef<HTMLButtonElement>(null);
  /** The form closes and its controls go; keep keyboard focus where the user was working. */
  const close = (focus: 'title' | 'button') => {
    setCompleting(false);
    requestAnimationFrame(() =>
      (focus === 'title' ? titleRef.current : completeRef.current)?.focus(),
    );
  };

  const complete = async () => {
    if (submit.invalid({ outcome: !outcome.trim() && 'Record the outcome.' })) return;
    await api<ActionView>('POST', `/api/actions/${a.id}/complete`, { outcome });
    close('title');
    onChanged('Action completed.');
  };

  return (
    <li>
      <Title id={titleId} ref={titleRef} tabIndex={-1} className="record-title">
        {labelOf(ACTION_TYPES, a.type)} for {a.pupil.name}
        {a.overdue && <span className="badge badge-overdue">Overdue</span>}
        {a.completedAt && <span className="badge badge-done">Completed</span>}
        {a.cancelledAt && <span className="badge badge-done">Cancelled</span>}
        {a.caseClosed && <span className="badge badge-overdue">Case closed</span>}
      </Title>
      {a.caseClosed && (
        <p className="hint">
          Its case was closed and this action was kept open: it is still yours to complete.
        </p>
      )}
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
        {a.cancelledAt && (
          <>
            <dt>Cancelled</dt>
            <dd>{formatWhen(a.cancelledAt)}</dd>
            <dt>Why</dt>
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
          <Form submit={submit} onSubmit={complete} className="stack-tight">
            <TextArea
              name="outcome"
              label="Outcome of this action"
              rows={3}
              inputClassName="input textarea textarea-short"
              value={outcome}
              onChange={setOutcome}
              // The field appears because the user asked to complete; take them to it.
              autoFocus
            />
            <FormError />
            <div className="actions">
              <SubmitButton>Save outcome</SubmitButton>
              <Button variant="quiet" onPress={() => close('button')}>
                Cancel
              </Button>
            </div>
          </Form>
        ) : (
          <Button
            ref={completeRef}
            variant="quiet"
            aria-describedby={titleId}
            onPress={() => setCompleting(true)}
          >
            Complete
          </Button>
        ))}
    </li>
  );
}

type Field = 'pupilId' | 'text' | 'assigneeId' | 'dueAt' | 'remindAt';

export function AddActionForm({
  concern,
  caseFor,
  onSaved,
  onCancel,
  onDraftRestored,
}: {
  concern: ConcernWithSeenPupils;
  /** The case an action about this pupil belongs to, if any. */
  caseFor: (pupilId: string) => string | null;
  onSaved: (message: string) => void;
  /** Fold the form (what was typed stays, and its draft). */
  onCancel: () => void;
  /** A kept draft came back into the form: the page opens it. */
  onDraftRestored: () => void;
}) {
  const session = useSession();
  const staff = useLoad<StaffDirectory>('/api/staff');
  const [pupilId, setPupilId] = useState(concern.pupils[0]?.id ?? '');
  const [type, setType] = useState('phone_call');
  const [text, setText] = useState('');
  const [assigneeId, setAssigneeId] = useState(session.user.id);
  const [dueAt, setDueAt] = useState('');
  const [remindAt, setRemindAt] = useState('');
  const submit = useSubmit<Field>({ describe: refusedAs('The action was not saved') });
  // Kept on the server while it is written (lib/useDraft.ts): a records window that ends, a
  // reload or a lost connection loses nothing.
  const draft = useDraft(
    `action-${concern.id}`,
    { pupilId, type, text, assigneeId, dueAt, remindAt },
    {
      worthKeeping: (f) => f.text.trim() !== '',
      restore: (f) => {
        if (typeof f.pupilId === 'string' && concern.pupils.some((x) => x.id === f.pupilId))
          setPupilId(f.pupilId);
        if (typeof f.type === 'string') setType(f.type);
        if (typeof f.text === 'string') setText(f.text);
        if (typeof f.assigneeId === 'string') setAssigneeId(f.assigneeId);
        if (typeof f.dueAt === 'string') setDueAt(f.dueAt);
        if (typeof f.remindAt === 'string') setRemindAt(f.remindAt);
      },
    },
  );
  // A kept draft opens the folded form (onDraftRestored is stable: it runs only when one comes).
  const restored = draft.restoredFrom !== null;
  useEffect(() => {
    if (restored) onDraftRestored();
  }, [restored, onDraftRestored]);
  const clear = () => {
    setText('');
    setDueAt('');
    setRemindAt('');
  };

  const add = async () => {
    const notADate = (v: string) => v !== '' && Number.isNaN(new Date(v).getTime());
    const wrong = submit.invalid({
      pupilId: !pupilId && 'Choose the pupil.',
      text: !text.trim() && 'Describe what needs doing.',
      assigneeId: !assigneeId && 'Choose who will do it.',
      dueAt: notADate(dueAt) && 'Enter a valid date.',
      remindAt: notADate(remindAt) && 'Enter a valid date.',
    });
    if (wrong) return;
    const caseId = caseFor(pupilId);
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
    clear();
    await draft.finished();
    onSaved('Action added.');
  };

  const people = staff.status === 'ok' ? staff.data.staff : [];
  return (
    <Form submit={submit} onSubmit={add} className="stack-tight follow-up-form">
      <DraftNotice draft={draft} onDiscard={clear} />
      {concern.pupils.length > 1 && (
        <Select name="pupilId" label="Pupil" value={pupilId} onChange={setPupilId}>
          {concern.pupils.map((x) => (
            <option key={x.id} value={x.id}>
              {x.name}
            </option>
          ))}
        </Select>
      )}
      <Select label="Type of action" value={type} onChange={setType}>
        {ACTION_TYPES.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </Select>
      <TextArea
        name="text"
        label="What needs doing"
        rows={3}
        maxLength={5000}
        inputClassName="input textarea textarea-short"
        value={text}
        onChange={setText}
      />
      <Select
        name="assigneeId"
        label="Assigned to"
        value={assigneeId}
        onChange={setAssigneeId}
        isDisabled={staff.status !== 'ok'}
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
      </Select>
      <DateField name="dueAt" label="Due" optional withTime value={dueAt} onChange={setDueAt} />
      <DateField
        name="remindAt"
        label="Remind the assignee"
        optional
        hint="When Lantern should remind them."
        withTime
        value={remindAt}
        onChange={setRemindAt}
      />
      <FormError />
      <div className="actions">
        <SubmitButton>Add action</SubmitButton>
        <Button variant="quiet" onPress={onCancel}>
          Cancel
        </Button>
      </div>
    </Form>
  );
}
