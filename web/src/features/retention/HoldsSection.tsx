// Legal holds in force: what each covers, for which matter, why, and who placed it (a standing
// hold says Lantern placed it, for the public inquiry); a hold the server allows lifting has a
// form asking why. Below, a form to place a new hold. A reason typed and refused stays typed.
import { useEffect, useRef, useState } from 'react';
import { api } from '../../lib/api.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextArea } from '../../ui/TextField.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import { formatDay, formatWhen } from '../../lib/format.ts';
import { Notice } from '../../ui/Message.tsx';
import type { Hold, HoldList } from '../../../../src/shared/schemas/retention.ts';
import { MATTER_NAMES } from './words.ts';
import { PlaceHoldForm } from './PlaceHoldForm.tsx';

export function HoldsSection(p: { holds: HoldList; onChanged: () => void }) {
  // A lifted hold's card (and its form) goes: what happened is said here, and takes the focus.
  const [notice, setNotice] = useState<string | null>(null);
  const noticeRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (notice) noticeRef.current?.focus();
  }, [notice]);
  const lifted = (what: string) => {
    setNotice(`The hold on ${what.charAt(0).toLowerCase()}${what.slice(1)} was lifted.`);
    p.onChanged();
  };
  return (
    <section aria-labelledby="holds-heading" className="section">
      <h2 id="holds-heading">Legal holds in force</h2>
      <Notice text={notice} focusRef={noticeRef} />
      {p.holds.items.length === 0 ? (
        <p>No record is under a legal hold.</p>
      ) : (
        <ul className="retention-holds">
          {p.holds.items.map((hold) => (
            <li key={hold.id} className="card stack-tight">
              <h3>{covers(hold)}</h3>
              <p className="retention-hold-meta">
                {MATTER_NAMES[hold.matter]}. Placed by{' '}
                {hold.placedBy ? hold.placedBy.name : 'Lantern (standing hold)'} on{' '}
                {formatWhen(hold.placedAt)}.
              </p>
              <p className="retention-hold-meta">Reason: {hold.reason}</p>
              {hold.allowed.includes('lift') ? (
                <LiftForm hold={hold} onLifted={() => lifted(covers(hold))} />
              ) : (
                hold.standing && (
                  <p className="hint">Only the data-protection officer may lift this hold.</p>
                )
              )}
            </li>
          ))}
        </ul>
      )}
      {p.holds.allowed.includes('place') && <PlaceHoldForm onPlaced={p.onChanged} />}
    </section>
  );
}

export function covers(hold: Hold): string {
  switch (hold.scope) {
    case 'pupil':
      return `Every record about ${hold.pupil?.name ?? 'a pupil'}`;
    case 'category':
      return `Every record in ${hold.category?.name ?? 'a category'}`;
    case 'date_range':
      return `Every record from ${formatDay(hold.fromDate ?? '')} to ${formatDay(hold.toDate ?? '')}`;
    case 'record':
      return 'One record';
    default: {
      const never: never = hold.scope;
      return never;
    }
  }
}

function LiftForm({ hold, onLifted }: { hold: Hold; onLifted: () => void }) {
  const [reason, setReason] = useState('');
  const submit = useSubmit<'reason'>();
  const lift = async () => {
    if (!reason.trim()) {
      submit.invalid({ reason: 'Say why the hold is lifted.' }, 'Say why the hold is lifted.');
      return;
    }
    await api('POST', `/api/retention/holds/${hold.id}/lift`, { reason: reason.trim() });
    onLifted();
  };
  return (
    <Form
      submit={submit}
      onSubmit={lift}
      className="stack-tight"
      aria-label={`Lift: ${covers(hold)}`}
    >
      <TextArea
        name="reason"
        label="Why lift this hold?"
        rows={2}
        maxLength={2000}
        value={reason}
        onChange={setReason}
      />
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton variant="secondary">Lift hold</SubmitButton>
      </div>
    </Form>
  );
}
