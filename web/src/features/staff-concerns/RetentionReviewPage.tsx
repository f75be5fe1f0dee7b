// The area's retention review (finishing issue 19): the matters whose retention date has passed,
// for their own case managers only. Each can be kept until a new date with a reason, or destroyed
// by two of its case managers: the first approves, the second approves and destroys. What is left
// of each destroyed matter is listed: when, by whom, under which rule. The server decides what is
// listed and what may be done (`allowed`); nothing typed is cleared on a refusal.
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { api, ApiError } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { formatDay, formatWhen, toLocalInput } from '../../lib/format.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextArea } from '../../ui/TextField.tsx';
import { Checkbox, DateField } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import type {
  ApprovedDestruction,
  KeepMatter,
  StaffRetentionReview,
} from '../../../../src/shared/schemas/staff-concerns.ts';
import { AreaPage } from './AreaPage.tsx';
import { CLASSIFICATION_NAMES, OUTCOME_NAMES, SUBJECT_KIND_NAMES } from './words.ts';

type Item = StaffRetentionReview['items'][number];

export function StaffRetentionReviewPage() {
  const review = useLoad<StaffRetentionReview>('/api/staff-concerns/retention');
  const reload = () => void review.reload();
  return (
    <AreaPage title="Retention review" state={review}>
      {(r) => (
        <>
          <p>
            Matters whose retention date under the school’s rules has passed. Keep one until a new
            date, saying why, or destroy it: destroying needs two of its case managers — the first
            approves, the second approves and destroys.
          </p>
          <section aria-labelledby="due-heading" className="section">
            <h2 id="due-heading">Due for a decision</h2>
            {r.items.length === 0 ? (
              <p>No matters are due for a decision.</p>
            ) : (
              <ul className="stack" aria-label="Matters due for a decision">
                {r.items.map((item) => (
                  <li key={item.id} className="card stack-tight">
                    <DueMatter item={item} onDone={reload} />
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="destroyed-heading" className="section">
            <h2 id="destroyed-heading">Destroyed</h2>
            {r.destroyed.length === 0 ? (
              <p>No matters have been destroyed.</p>
            ) : (
              <ul className="stack-tight" aria-label="Destroyed matters">
                {r.destroyed.map((d) => (
                  <li key={d.matterId} className="card">
                    Matter {d.matterId.slice(0, 8)}: destroyed {formatWhen(d.destroyedAt)} by{' '}
                    {d.destroyedBy}, due {formatDay(d.dueOn)}. {d.rule}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </AreaPage>
  );
}

function DueMatter({ item, onDone }: { item: Item; onDone: () => void }) {
  const headingId = `due-${item.id}`;
  return (
    <>
      <h3 id={headingId}>
        <Link to={`/staff-concerns/${item.matterId}`}>Concern about {item.subjectName}</Link>
      </h3>
      <p>
        {SUBJECT_KIND_NAMES[item.subjectKind]}; raised {formatWhen(item.raisedAt)};{' '}
        {item.classification ? CLASSIFICATION_NAMES[item.classification] : 'not triaged'}
        {item.outcome ? `, ${OUTCOME_NAMES[item.outcome].toLowerCase()}` : ''}.
      </p>
      <p>
        {item.rule} Due {formatDay(item.dueOn)}.
      </p>
      {item.approvals.map((a) => (
        <p key={`${a.name}-${a.at}`}>
          Destruction approved by {a.name} on {formatWhen(a.at)}.
        </p>
      ))}
      {(item.allowed.includes('approve') || item.allowed.includes('destroy')) && (
        <ApproveForm item={item} onDone={onDone} />
      )}
      {item.allowed.includes('keep') && <KeepForm item={item} onDone={onDone} />}
    </>
  );
}

function ApproveForm({ item, onDone }: { item: Item; onDone: () => void }) {
  const last = item.allowed.includes('destroy');
  const [sure, setSure] = useState(false);
  const submit = useSubmit<'sure'>();
  const send = async () => {
    if (
      submit.invalid({
        sure: !sure && 'Tick the box to confirm: a destroyed matter cannot be brought back.',
      })
    )
      return;
    const done = await api<ApprovedDestruction>(
      'POST',
      `/api/staff-concerns/retention/${item.id}/approve`,
    );
    onDone();
    return done.destroyed
      ? 'Matter destroyed.'
      : 'Destruction approved. Another case manager must approve it too.';
  };
  const what = last ? 'Approve and destroy' : 'Approve destruction';
  return (
    <Form
      submit={submit}
      onSubmit={send}
      className="stack-tight"
      aria-label={`${what}: ${item.subjectName}`}
    >
      <Checkbox name="sure" checked={sure} onChange={setSure}>
        {last
          ? 'I understand this destroys the matter now: its text, linked pupils and LADO records go for good'
          : 'I approve destroying this matter; it goes when a second case manager approves'}
      </Checkbox>
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton variant={last ? 'primary' : 'secondary'}>{what}</SubmitButton>
      </div>
    </Form>
  );
}

function KeepForm({ item, onDone }: { item: Item; onDone: () => void }) {
  const today = useMemo(() => toLocalInput(new Date()).slice(0, 10), []);
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState('');
  const submit = useSubmit<'reason' | 'until'>({
    fieldOf: (err) => (err instanceof ApiError && err.code === 'bad_date' ? 'until' : null),
  });
  const send = async () => {
    const wrong = submit.invalid({
      reason: !reason.trim() && 'Say why the matter is kept past its date.',
      until: !until
        ? 'Enter the date it should be reviewed again.'
        : until <= today && 'The new review date must be after today.',
    });
    if (wrong) return;
    const body: KeepMatter = { reason: reason.trim(), until };
    await api('POST', `/api/staff-concerns/retention/${item.id}/keep`, body);
    onDone();
    return 'Matter kept.';
  };
  return (
    <Form
      submit={submit}
      onSubmit={send}
      className="stack-tight"
      aria-label={`Keep: ${item.subjectName}`}
    >
      <TextArea
        name="reason"
        label="Why it is kept"
        hint="For example, the person asked for a false allegation to stay on their file."
        rows={3}
        maxLength={2000}
        value={reason}
        onChange={setReason}
      />
      <DateField name="until" label="Review again on" value={until} onChange={setUntil} />
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton variant="secondary">Keep the matter</SubmitButton>
      </div>
    </Form>
  );
}
