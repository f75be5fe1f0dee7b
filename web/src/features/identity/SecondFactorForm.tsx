// Asks for the second factor: a 6-digit code from an authenticator app, a security key (or
// passkey), or a recovery code. Used to finish signing in and to step up to see records. Which
// ways are offered comes from the server: the sign-in answer's `methods`, or the signed-in
// session's `secondFactor` (so step-up prompts offer a security key to those who have one).
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import type { SessionInfo } from '../../../../src/shared/schemas/identity.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { securityKeyProblem, verifyWithSecurityKey } from '../../lib/securityKey.ts';
import { useSessionApi } from '../../app/session.tsx';
import { Form, FormError } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';

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
  // An API refusal reads as the server put it; a security key's failure as something to act on.
  const submit = useSubmit({ describe: securityKeyProblem });

  const giveCode = async () => {
    if (mode === null) return;
    const trimmed = code.replace(/\s/g, '');
    if (!trimmed) {
      submit.invalid(
        {},
        mode === 'totp'
          ? 'Enter the 6-digit code from your authenticator app.'
          : 'Enter a recovery code.',
      );
      return;
    }
    const url = mode === 'totp' ? '/api/auth/verify/totp' : '/api/auth/verify/recovery-code';
    onDone(await api<SessionInfo>('POST', url, { code: trimmed }));
  };

  const switchTo = (next: CodeMode | null) => {
    setMode(next);
    setCode('');
    submit.reset();
  };
  // The way back from a recovery code: to the app's code if there is one, else to the key.
  const usual: CodeMode | null = hasTotp || !hasKey ? 'totp' : null;

  return (
    <Form submit={submit} onSubmit={giveCode}>
      {mode !== null && (
        <TextField
          label={mode === 'totp' ? 'Authentication code' : 'Recovery code'}
          value={code}
          onChange={setCode}
          isInvalid={submit.error !== null}
          autoComplete="one-time-code"
          inputMode={mode === 'totp' ? 'numeric' : 'text'}
          inputClassName="input input-short"
        />
      )}
      <FormError />
      <div className="actions">
        {mode !== null && <SubmitButton>{submitLabel}</SubmitButton>}
        {hasKey && (
          <Button
            variant={mode === null ? 'primary' : 'secondary'}
            isPending={submit.pending}
            onPress={() => void submit.run(async () => onDone(await verifyWithSecurityKey()))}
          >
            Use a security key
          </Button>
        )}
        {canRecover && (
          <Button
            variant="quiet"
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
    </Form>
  );
}
