// Setting up an authenticator app: the server makes a key (a QR code, or typed by hand), the app's
// first code confirms it, and the server answers with an elevated session and — for a first
// factor — ten recovery codes, handed to `onConfirmed`. Used on the account page and at sign-in
// when the school requires a second factor. If the server wants a recent second factor first
// (adding an app when a security key is already set up: step_up_required), it is asked for here,
// in place, and the setting up carries on.
import { useState, type FormEvent } from 'react';
import { Button, Input, Label, TextField } from 'react-aria-components';
import { api, ApiError, errorMessage, type SessionInfo } from '../api.ts';
import { useSession, useSessionApi } from '../session.tsx';
import { SecondFactorForm, stepUpPrompt } from './SecondFactorForm.tsx';

type Enrolment = { qrSvg: string; manualKey: string };

function svgSrc(svg: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(svg)) binary += String.fromCharCode(byte);
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}

export function AuthenticatorSetup({
  onConfirmed,
}: {
  onConfirmed: (session: SessionInfo, recoveryCodes: string[] | null) => void;
}) {
  const session = useSession();
  const { adopt } = useSessionApi();
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [stepUp, setStepUp] = useState(false);
  const [busy, setBusy] = useState(false);

  const start = async () => {
    if (busy) return;
    setError(null);
    setBusy(true);
    try {
      setEnrolment(await api<Enrolment>('POST', '/api/auth/totp/enrol'));
      setStepUp(false);
    } catch (err) {
      setStepUp(err instanceof ApiError && err.code === 'step_up_required');
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const confirm = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setError(null);
    const typed = code.replace(/\s/g, '');
    if (!typed) {
      setError('Enter the 6-digit code your authenticator app shows.');
      return;
    }
    setBusy(true);
    try {
      const r = await api<{ session: SessionInfo; recoveryCodes: string[] | null }>(
        'POST',
        '/api/auth/totp/confirm',
        { code: typed },
      );
      onConfirmed(r.session, r.recoveryCodes);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  if (!enrolment) {
    return (
      <div className="stack">
        <p>
          An authenticator app on your phone gives the code Lantern asks for to open records. Any
          common app works (Microsoft Authenticator, Google Authenticator, Authy, 1Password…).
        </p>
        {error && (
          <p className="message message-error" role="alert">
            {error}
          </p>
        )}
        {stepUp ? (
          <div className="stack" role="group" aria-label="Confirm it is you">
            <p>{stepUpPrompt(session.secondFactor, 'to add an authenticator app')}</p>
            <SecondFactorForm
              methods={['totp', 'recovery_code']}
              submitLabel="Verify"
              onDone={(s) => {
                adopt(s);
                setStepUp(false);
                void start();
              }}
            />
          </div>
        ) : (
          <div className="actions">
            <Button
              className="button button-primary"
              isDisabled={busy}
              onPress={() => void start()}
            >
              Set up an authenticator app
            </Button>
          </div>
        )}
      </div>
    );
  }
  return (
    <form className="stack" onSubmit={(e) => void confirm(e)} noValidate>
      <p>Scan this code with your authenticator app, or type the key into it by hand.</p>
      <img className="qr" src={svgSrc(enrolment.qrSvg)} alt="QR code for your authenticator app" />
      <p>
        Key: <code aria-label="Key to type by hand">{enrolment.manualKey}</code>
      </p>
      <TextField
        className="field"
        value={code}
        onChange={setCode}
        isInvalid={error !== null}
        autoComplete="one-time-code"
        inputMode="numeric"
      >
        <Label className="field-label">Authentication code</Label>
        <Input className="input input-short" />
      </TextField>
      {error && (
        <p className="message message-error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <Button type="submit" className="button button-primary" isDisabled={busy}>
          Verify
        </Button>
      </div>
    </form>
  );
}
