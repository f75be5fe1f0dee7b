// Asks for the second factor: a 6-digit code from an authenticator app, or a recovery code. Used
// to finish signing in and to step up to see records. Security keys are offered by issue 3's UI.
import { useState, type FormEvent } from 'react';
import { Button, Input, Label, TextField } from 'react-aria-components';
import { api, errorMessage, type SessionInfo } from '../api.ts';

type Props = {
  methods: string[];
  submitLabel: string;
  onDone: (session: SessionInfo) => void;
};

export function SecondFactorForm({ methods, submitLabel, onDone }: Props) {
  const canRecover = methods.includes('recovery_code');
  const [mode, setMode] = useState<'totp' | 'recovery'>('totp');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setError(null);
    const trimmed = code.replace(/\s/g, '');
    if (!trimmed) {
      setError(
        mode === 'totp'
          ? 'Enter the 6-digit code from your authenticator app.'
          : 'Enter a recovery code.',
      );
      return;
    }
    setBusy(true);
    try {
      const url = mode === 'totp' ? '/api/auth/verify/totp' : '/api/auth/verify/recovery-code';
      onDone(await api<SessionInfo>('POST', url, { code: trimmed }));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
      <TextField
        className="field"
        value={code}
        onChange={setCode}
        isInvalid={error !== null}
        autoComplete="one-time-code"
        inputMode={mode === 'totp' ? 'numeric' : 'text'}
      >
        <Label className="field-label">
          {mode === 'totp' ? 'Authentication code' : 'Recovery code'}
        </Label>
        <Input className="input input-short" />
      </TextField>
      {error && (
        <p className="message message-error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <Button type="submit" className="button button-primary">
          {submitLabel}
        </Button>
        {canRecover && (
          <Button
            className="button button-quiet"
            onPress={() => {
              setMode(mode === 'totp' ? 'recovery' : 'totp');
              setCode('');
              setError(null);
            }}
          >
            {mode === 'totp' ? 'Use a recovery code instead' : 'Use an authentication code instead'}
          </Button>
        )}
      </div>
    </form>
  );
}
