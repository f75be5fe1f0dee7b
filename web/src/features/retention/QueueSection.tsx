// The review queue: records whose retention date is near, soonest first, each with its date, its
// pupils and categories (never its content), any hold on it and who placed it, the approvals it
// has, and the decisions the server allows: approve destruction, keep until a new date with a
// reason, or hold — and, once approved, destroy (one record, or every approved record at once,
// each after a confirmation naming how many). A refusal (a hold, the same person twice) is shown
// beside the decision.
import { useEffect, useRef, useState } from 'react';
import { api } from '../../lib/api.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextArea } from '../../ui/TextField.tsx';
import { DateField, Select } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import { formatDay } from '../../lib/format.ts';
import { Notice } from '../../ui/Message.tsx';
import { HOLD_MATTERS, type HoldMatter } from '../../../../src/shared/retention.ts';
import type { Review, ReviewList } from '../../../../src/shared/schemas/retention.ts';
import { ACTION_NAMES, CAPACITY_NAMES, MATTER_NAMES } from './words.ts';
import { DestroyForm } from './DestroyForm.tsx';

export function QueueSection(p: { queue: ReviewList; onChanged: () => void }) {
  // A record kept or held leaves the queue with its forms: what happened is said here instead.
  const [notice, setNotice] = useState<string | null>(null);
  const noticeRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (notice) noticeRef.current?.focus();
  }, [notice]);
  const decided = (message: string) => {
    setNotice(message);
    p.onChanged();
  };
  const destroyable = p.queue.items.filter((r) => r.allowed.includes('destroy'));
  return (
    <section aria-labelledby="queue-heading" className="section">
      <h2 id="queue-heading">Review queue</h2>
      <Notice text={notice} focusRef={noticeRef} />
      {destroyable.length > 1 && (
        <DestroyForm
          reviewIds={destroyable.map((r) => r.id)}
          label={`Destroy all ${destroyable.length} approved records`}
          buttonLabel={`Destroy all ${destroyable.length} approved records…`}
          onDestroyed={decided}
        />
      )}
      {p.queue.items.length === 0 ? (
        <p>No record is due for review in the next 30 days.</p>
      ) : (
        <ul className="retention-holds">
          {p.queue.items.map((r) => (
            <ReviewCard key={r.id} review={r} onChanged={p.onChanged} onDecided={decided} />
          ))}
        </ul>
      )}
    </section>
  );
}

export const reviewTitle = (r: Review) =>
  `Record of ${formatDay(r.happenedOn)} about ${r.pupils.join(', ') || 'no pupil'}`;

type Decided = (message: string) => void;

function ReviewCard({
  review: r,
  onChanged,
  onDecided,
}: {
  review: Review;
  onChanged: () => void;
  onDecided: Decided;
}) {
  const title = reviewTitle(r);
  return (
    <li className="card stack-tight">
      <h3>{title}</h3>
      <p className="retention-hold-meta">
        {r.categories.join(', ')}. {ACTION_NAMES[r.action]} due {formatDay(r.dueOn)}.{' '}
        {r.status === 'approved' ? 'Destruction approved; waiting to be destroyed.' : ''}
      </p>
      {r.holds.map((h) => (
        <p key={h.holdId} className="retention-hold-meta">
          <strong>Under a legal hold</strong>: {MATTER_NAMES[h.matter]}, placed by{' '}
          {h.placedBy ?? 'Lantern (standing hold)'}. It cannot be destroyed while the hold lasts.
        </p>
      ))}
      {r.approvals.length > 0 && (
        <p className="retention-hold-meta">
          Approved by{' '}
          {r.approvals.map((a) => `${a.name} (${CAPACITY_NAMES[a.capacity]})`).join(' and ')}.
        </p>
      )}
      {r.allowed.includes('approve') && <ApproveForm review={r} onChanged={onChanged} />}
      {r.allowed.includes('destroy') && (
        <DestroyForm
          reviewIds={[r.id]}
          label={`Destroy: ${title}`}
          buttonLabel="Destroy…"
          onDestroyed={onDecided}
        />
      )}
      {r.allowed.includes('keep') && <KeepForm review={r} onDecided={onDecided} />}
      {r.allowed.includes('hold') && <HoldForm review={r} onDecided={onDecided} />}
    </li>
  );
}

function ApproveForm({ review: r, onChanged }: { review: Review; onChanged: () => void }) {
  const submit = useSubmit();
  const approve = async () => {
    const done = await api<{ complete: boolean }>('POST', `/api/retention/reviews/${r.id}/approve`);
    onChanged();
    return done.complete
      ? 'Approved: the record has both approvals it needs.'
      : 'Approved: it now needs the second approval.';
  };
  return (
    <Form
      submit={submit}
      onSubmit={approve}
      className="stack-tight"
      aria-label={`Approve: ${reviewTitle(r)}`}
    >
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton>Approve destruction</SubmitButton>
      </div>
    </Form>
  );
}

function KeepForm({ review: r, onDecided }: { review: Review; onDecided: Decided }) {
  const [until, setUntil] = useState('');
  const [reason, setReason] = useState('');
  const submit = useSubmit<'until' | 'reason'>();
  const keep = async () => {
    const problems: { until?: string; reason?: string } = {};
    if (!until) problems.until = 'Enter the date to keep it until.';
    if (!reason.trim()) problems.reason = 'Say why it is kept.';
    if (submit.invalid(problems, 'Some details are missing: see below.')) return;
    await api('POST', `/api/retention/reviews/${r.id}/keep`, { until, reason: reason.trim() });
    onDecided(`${reviewTitle(r)}: kept until ${formatDay(until)}.`);
  };
  return (
    <Form
      submit={submit}
      onSubmit={keep}
      className="stack-tight"
      aria-label={`Keep: ${reviewTitle(r)}`}
    >
      <div className="retention-rule-fields">
        <DateField name="until" label="Keep until" value={until} onChange={setUntil} />
      </div>
      <TextArea
        name="reason"
        label="Why keep it?"
        rows={2}
        maxLength={2000}
        value={reason}
        onChange={setReason}
      />
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton variant="secondary">Keep</SubmitButton>
      </div>
    </Form>
  );
}

function HoldForm({ review: r, onDecided }: { review: Review; onDecided: Decided }) {
  const [matter, setMatter] = useState<HoldMatter>('litigation');
  const [reason, setReason] = useState('');
  const submit = useSubmit<'matter' | 'reason'>();
  const hold = async () => {
    if (!reason.trim()) {
      submit.invalid({ reason: 'Say why it must be kept.' }, 'Say why it must be kept.');
      return;
    }
    await api('POST', `/api/retention/reviews/${r.id}/hold`, { matter, reason: reason.trim() });
    onDecided(`${reviewTitle(r)}: held (${MATTER_NAMES[matter]}).`);
  };
  return (
    <Form
      submit={submit}
      onSubmit={hold}
      className="stack-tight"
      aria-label={`Hold: ${reviewTitle(r)}`}
    >
      <Select
        name="matter"
        label="Hold for"
        value={matter}
        onChange={(v) => setMatter(HOLD_MATTERS.find((m) => m === v) ?? 'other')}
      >
        {HOLD_MATTERS.map((m) => (
          <option key={m} value={m}>
            {MATTER_NAMES[m]}
          </option>
        ))}
      </Select>
      <TextArea
        name="reason"
        label="Why hold it?"
        rows={2}
        maxLength={2000}
        value={reason}
        onChange={setReason}
      />
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton variant="secondary">Hold</SubmitButton>
      </div>
    </Form>
  );
}
