// Changing my password on the account page: the current one, then the new one twice with the
// strength meter. The school's policy is the server's (POST /api/auth/password); its refusal is
// shown as given, beside the fields. A change ends every session, this one too, so the sign-in
// page follows with a note.
import { useState } from 'react';
import { api, ApiError } from '../../lib/api.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { useSessionApi } from '../../app/session.tsx';
import { Form, FormError } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import { PasswordStrength } from './PasswordStrength.tsx';

type Field = 'current' | 'new';

/** Which password a refusal is about: a wrong current one, or the new one (the policy's). */
function fieldOf(err: unknown): Field | null {
  const code = err instanceof ApiError ? err.code : '';
  return code === 'wrong_password' ? 'current' : code === 'too_many_attempts' ? null : 'new';
}

export function ChangePassword() {
  const { ended } = useSessionApi();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const submit = useSubmit<Field>({ fieldOf });

  const change = async () => {
    const problem: [Field, string] | null = !current
      ? ['current', 'Enter your current password.']
      : !next
        ? ['new', 'Enter a new password.']
        : next !== again
          ? ['new', 'The two new passwords are not the same.']
          : null;
    if (problem) {
      submit.invalid({ [problem[0]]: problem[1] }, problem[1]);
      return;
    }
    await api<void>('POST', '/api/auth/password', { currentPassword: current, newPassword: next });
    ended('Your password is changed and every session has been signed out. Sign in with it.');
  };

  return (
    <Form submit={submit} onSubmit={change}>
      <p>Changing your password signs you out everywhere, this browser included.</p>
      <TextField
        name="current"
        label="Current password"
        type="password"
        value={current}
        onChange={setCurrent}
        autoComplete="current-password"
      />
      <TextField
        name="new"
        label="New password"
        type="password"
        value={next}
        onChange={setNext}
        autoComplete="new-password"
      />
      <PasswordStrength password={next} />
      <TextField
        label="New password again"
        type="password"
        value={again}
        onChange={setAgain}
        autoComplete="new-password"
      />
      <FormError />
      <div className="actions">
        <SubmitButton>Change password</SubmitButton>
      </div>
    </Form>
  );
}
