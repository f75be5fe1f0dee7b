// Destroying approved records (issue 15): a button that first asks for confirmation, naming how
// many records will be destroyed and that it cannot be undone, then destroys them as one batch.
// A refusal (a hold placed meanwhile, a record decided by someone else) is shown in the form and
// the confirmation stays open; a lapsed second factor is asked for in place, and the confirmation
// is still there afterwards to press again.
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import { useSession, useSessionApi } from '../../app/session.tsx';
import { SecondFactorForm, stepUpPrompt } from '../identity/SecondFactorForm.tsx';
import type { Destroyed } from '../../../../src/shared/schemas/retention.ts';

const records = (n: number) => (n === 1 ? '1 record' : `${n} records`);

export function DestroyForm(p: {
  reviewIds: readonly string[];
  /** What the batch is, for the form's name ("Destroy: Record of 5 May about Ava Smith"). */
  label: string;
  buttonLabel: string;
  onDestroyed: (message: string) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const submit = useSubmit({ ownStepUp: true });
  const session = useSession();
  const { adopt } = useSessionApi();
  const n = p.reviewIds.length;
  const destroy = async () => {
    const done = await api<Destroyed>('POST', '/api/retention/destructions', {
      reviews: p.reviewIds,
    });
    p.onDestroyed(
      `${records(done.records)} destroyed. A certificate of destruction was written (SHA-256 ${done.sha256.slice(0, 12)}…).`,
    );
  };
  if (!confirming)
    return (
      <div className="actions">
        <Button variant="secondary" onPress={() => setConfirming(true)}>
          {p.buttonLabel}
        </Button>
      </div>
    );
  return (
    <div className="card stack-tight retention-confirm">
      <Form submit={submit} onSubmit={destroy} className="stack-tight" aria-label={p.label}>
        <p>
          <strong>
            This destroys {records(n)} for good: {n === 1 ? 'its' : 'their'} text, versions,
            attachments, body maps, search entries, and the actions, referrals and conversations
            recorded against {n === 1 ? 'it' : 'them'}.
          </strong>{' '}
          It cannot be undone. A certificate of destruction is kept, with no content.
        </p>
        <FormError />
        <FormStatus />
        <div className="actions">
          <SubmitButton>Yes, destroy {records(n)}</SubmitButton>
          <Button
            variant="quiet"
            onPress={() => {
              submit.reset();
              setConfirming(false);
            }}
          >
            Cancel
          </Button>
        </div>
      </Form>
      {submit.code === 'step_up_required' && session.secondFactor?.enrolled && (
        <div className="stack-tight">
          <p>{stepUpPrompt(session.secondFactor, 'to destroy records')}</p>
          <SecondFactorForm
            methods={['totp', 'recovery_code']}
            submitLabel="Verify"
            onDone={(s) => {
              adopt(s);
              submit.reset();
            }}
          />
        </div>
      )}
    </div>
  );
}
