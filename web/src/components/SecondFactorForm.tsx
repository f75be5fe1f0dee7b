// Asks for the second factor: a 6-digit code from an authenticator app, a security key (or
// passkey), or a recovery code. Used to finish signing in and to step up to see records. Which
// ways are offered comes from the server: the sign-in answer's `methods`, or the signed-in
// session's `secondFactor` (so step-up prompts offer a security key to those who have one).
import { useState, type FormEvent } from 'react';
import { Button, Input, Label, TextField } from 'react-aria-components';
import { api, errorMessage, type SessionInfo } from '../api.ts';
import { useSessionApi } from '../session.tsx';
import { securityKeyProblem, verifyWithSecurityKey } from '../securityKey.ts';

/**
 * What a step-up prompt asks for, named as this user can give it: the authenticator app's code,
 * the security key, or either. `purpose` finishes the sentence ("to open records").
 */
export function stepUpPrompt(f: SessionInfo['secondFactor'], purpose: string): string {
  const key = (f?.webauthn ?? 0) > 0;
  if (key && f?.totp) {
    return `Give the code from your authenticator app, or use your security key, ${purpose}.`;
  }
  if (key) return `Use your security key ${purpose}.`;
  return `Give the code from your authenticator app ${purpose}.`;
}

type Props = {
  methods: string[];
  submitLabel: string;
  onDone: (session: SessionInfo) => void;
};

type CodeMode = 'totp' | 'recovery';

/** The ways this user can give a second factor, from the session when signed in. */
function useMethods(offered: string[]): string[] {
  const { state } = useSessionApi();
  const f = state.status === 'signed-in' ? state.session.secondFactor : undefined;
  if (!f || f.webauthn === undefined) return offered;
  const methods: string[] = [];
  if (f.totp) methods.push('totp');
  if (f.webauthn > 0) methods.push('webauthn');
  if ((f.recoveryCodesLeft ?? 0) > 0 || offered.includes('recovery_code'))
    methods.push('recovery_code');
  return methods;
}

export function SecondFactorForm({ methods: offered, submitLabel, onDone }: Props) {
  const methods = useMethods(offered);
  const hasTotp = methods.includes('totp');
  const hasKey = methods.includes('webauthn');
  const canRecover = methods.includes('recovery_code');
  // With no authenticator app, the code field appears only for a recovery code.
  const [mode, setMode] = useState<CodeMode | null>(hasTotp || !hasKey ? 'totp' : null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy || mode === null) return;
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

  const giveKey = async () => {
    if (busy) return;
    setError(null);
    setBusy(true);
    try {
      onDone(await verifyWithSecurityKey());
    } catch (err) {
      setError(securityKeyProblem(err));
    } finally {
      setBusy(false);
    }
  };

  const switchTo = (next: CodeMode | null) => {
    setMode(next);
    setCode('');
    setError(null);
  };
  // The way back from a recovery code: to the app's code if there is one, else to the key.
  const usual: CodeMode | null = hasTotp || !hasKey ? 'totp' : null;

  return (
    <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
      {mode !== null && (
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
      )}
      {error && (
        <p className="message message-error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        {mode !== null && (
          <Button type="submit" className="button button-primary">
            {submitLabel}
          </Button>
        )}
        {hasKey && (
          <Button
            className={mode === null ? 'button button-primary' : 'button'}
            isDisabled={busy}
            onPress={() => void giveKey()}
          >
            Use a security key
          </Button>
        )}
        {canRecover && (
          <Button
            className="button button-quiet"
            onPress={() => switchTo(mode === 'recovery' ? usual : 'recovery')}
          >
            {mode !== 'recovery'
              ? 'Use a recovery code instead'
              : usual === 'totp'
                ? 'Use an authentication code instead'
                : 'Use a security key instead'}
          </Button>
        )}
      </div>
    </form>
  );
}
