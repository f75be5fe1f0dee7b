// "Reset second factor" for an accepted parent who lost their phone or passkey (issue 21): a
// reason kept for staff (the audit trail), never sent to the parent; the parent's sessions end,
// their password goes, and they are emailed that it happened (no detail) and a new invitation.
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { RadioGroup } from '../../ui/Field.tsx';
import { FACTOR_RESET_OPTIONS } from '../administration/factorResetOptions.ts';
import type { FactorResetReason } from '../../../../src/shared/factor-reset.ts';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import type { InvitationRow } from '../../../../src/shared/schemas/parents.ts';

export function ResetFactor({
  row,
  onDone,
}: {
  row: InvitationRow;
  /** Told what was done: the page says it, as this form goes with the account's new state. */
  onDone: (message: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<FactorResetReason | ''>('');
  const submit = useSubmit<'reason'>();
  const who = `${row.contactName}, ${row.pupilName}`;
  const reset = async () => {
    if (!reason) {
      submit.invalid({ reason: 'Say why the second factor is being reset.' });
      return;
    }
    const r = await api<{ sessionsEnded: number }>(
      'POST',
      `/api/parents/invitations/${row.invitationId}/reset-second-factor`,
      { reason },
    );
    setReason('');
    setOpen(false);
    onDone(
      `${row.contactName}’s second factor and password have been reset (${r.sessionsEnded} session${r.sessionsEnded === 1 ? '' : 's'} ended). They have been emailed a new invitation link: with it and their child’s date of birth they choose a new password and set up a new second factor.`,
    );
    return undefined;
  };
  if (!open) {
    return (
      <>
        <FormStatus submit={submit} />
        <Button onPress={() => setOpen(true)} aria-label={`Reset second factor: ${who}`}>
          Reset second factor
        </Button>
      </>
    );
  }
  return (
    <Form
      submit={submit}
      onSubmit={reset}
      className="stack-tight"
      aria-label={`Reset second factor: ${who}`}
    >
      <p>
        Check who is asking first: in person, or by calling them back on a number the school holds.
      </p>
      <RadioGroup
        name="reason"
        legend="Why? (kept for staff, never sent to the parent)"
        value={reason}
        onChange={setReason}
        options={FACTOR_RESET_OPTIONS}
      />
      <FormError />
      <div className="actions">
        <SubmitButton>Reset second factor</SubmitButton>
        <Button onPress={() => setOpen(false)}>Cancel</Button>
      </div>
    </Form>
  );
}
