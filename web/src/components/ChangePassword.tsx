// Changing my password on the account page: the current one, then the new one twice with the
// strength meter. The school's policy is the server's (POST /api/auth/password); its refusal is
// shown as given, beside the fields. A change ends every session, this one too, so the sign-in
// page follows with a note.
import { useState, type FormEvent } from 'react';
import { Button, FieldError, Input, Label, TextField } from 'react-aria-components';
import { api, ApiError, errorMessage } from '../api.ts';
import { useSessionApi } from '../session.tsx';
import { PasswordStrength } from './PasswordStrength.tsx';

export function ChangePassword() {
  const { ended } = useSessionApi();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<{ field: 'current' | 'new' | null; text: string } | null>(
    null,
  );
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setError(null);
    if (!current) {
      setError({ field: 'current', text: 'Enter your current password.' });
      return;
    }
    if (!next) {
      setError({ field: 'new', text: 'Enter a new password.' });
      return;
    }
    if (next !== again) {
      setError({ field: 'new', text: 'The two new passwords are not the same.' });
      return;
    }
    setBusy(true);
    try {
      await api<void>('POST', '/api/auth/password', {
        currentPassword: current,
        newPassword: next,
      });
      ended('Your password is changed and every session has been signed out. Sign in with it.');
    } catch (err) {
      const code = err instanceof ApiError ? err.code : '';
      setError({
        field: code === 'wrong_password' ? 'current' : code === 'too_many_attempts' ? null : 'new',
        text: errorMessage(err),
      });
      setBusy(false);
    }
  };

  return (
    <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
      <p>Changing your password signs you out everywhere, this browser included.</p>
      <TextField
        className="field"
        type="password"
        value={current}
        onChange={setCurrent}
        autoComplete="current-password"
        isInvalid={error?.field === 'current'}
      >
        <Label className="field-label">Current password</Label>
        <Input className="input" />
        <FieldError className="field-error">
          {error?.field === 'current' ? error.text : null}
        </FieldError>
      </TextField>
      <TextField
        className="field"
        type="password"
        value={next}
        onChange={setNext}
        autoComplete="new-password"
        isInvalid={error?.field === 'new'}
      >
        <Label className="field-label">New password</Label>
        <Input className="input" />
        <FieldError className="field-error">
          {error?.field === 'new' ? error.text : null}
        </FieldError>
      </TextField>
      <PasswordStrength password={next} />
      <TextField
        className="field"
        type="password"
        value={again}
        onChange={setAgain}
        autoComplete="new-password"
      >
        <Label className="field-label">New password again</Label>
        <Input className="input" />
      </TextField>
      <div role="alert" className={error ? 'message message-error' : 'visually-empty'}>
        {error?.text}
      </div>
      <div className="actions">
        <Button type="submit" className="button button-primary" isDisabled={busy}>
          Change password
        </Button>
      </div>
    </form>
  );
}
