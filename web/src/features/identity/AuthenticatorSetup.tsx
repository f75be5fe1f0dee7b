// Setting up an authenticator app: the server makes a key (a QR code, or typed by hand), the app's
// first code confirms it, and the server answers with an elevated session and — for a first
// factor — ten recovery codes, handed to `onConfirmed`. Used on the account page and at sign-in
// when the school requires a second factor. If the server wants a recent second factor first
// (adding an app when a security key is already set up: step_up_required), it is asked for here,
// in place, and the setting up carries on. On a phone, the app is opened from a link (otpauth://,
// which authenticator apps register for) or the key is copied; at a desk, the QR code is scanned;
// the key is shown in groups of four (as the server sends it) for typing by hand.
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import type {
  SessionInfo,
  TotpConfirmed,
  TotpEnrolment,
} from '../../../../src/shared/schemas/identity.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { useSession, useSessionApi } from '../../app/session.tsx';
import { Form, FormError } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import { SecondFactorForm, stepUpPrompt } from './SecondFactorForm.tsx';

export function svgSrc(svg: string): string {
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
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [code, setCode] = useState('');
  const [copied, setCopied] = useState('');
  const submit = useSubmit({ ownStepUp: true });
  const stepUp = submit.code === 'step_up_required';

  const start = () =>
    submit.run(async () => {
      setEnrolment(await api<TotpEnrolment>('POST', '/api/auth/totp/enrol'));
    });

  const confirm = async () => {
    const typed = code.replace(/\s/g, '');
    if (!typed) {
      submit.invalid({}, 'Enter the 6-digit code your authenticator app shows.');
      return;
    }
    const r = await api<TotpConfirmed>('POST', '/api/auth/totp/confirm', { code: typed });
    onConfirmed(r.session, r.recoveryCodes);
  };

  if (!enrolment) {
    return (
      <div className="stack">
        <p>
          An authenticator app on your phone gives the code Lantern asks for to open records. Any
          common app works (Microsoft Authenticator, Google Authenticator, Authy, 1Password…).
        </p>
        <FormError submit={submit} />
        {stepUp ? (
          <div className="stack" role="group" aria-label="Confirm it is you">
            <p>{stepUpPrompt(session.secondFactor, 'to add an authenticator app')}</p>
            <SecondFactorForm
              methods={['totp', 'recovery_code']}
              submitLabel="Verify"
              onDone={(s) => {
                adopt(s);
                void start();
              }}
            />
          </div>
        ) : (
          <div className="actions">
            <Button variant="primary" isPending={submit.pending} onPress={() => void start()}>
              Set up an authenticator app
            </Button>
          </div>
        )}
      </div>
    );
  }
  return (
    <Form submit={submit} onSubmit={confirm}>
      <p>
        On this phone, open the key in your authenticator app. On another device, scan the QR code
        with the app, or type the key into it by hand.
      </p>
      <div className="actions">
        <a className="button button-primary" href={enrolment.otpauthUri}>
          Open in authenticator app
        </a>
        <Button
          onPress={() =>
            void navigator.clipboard.writeText(enrolment.manualKey.replace(/\s/g, '')).then(
              () => setCopied('Key copied. Paste it into your authenticator app.'),
              () => setCopied('The key could not be copied: type it in by hand.'),
            )
          }
        >
          Copy the key
        </Button>
      </div>
      <p role="status" className={copied ? 'hint' : 'visually-empty'}>
        {copied}
      </p>
      <img className="qr" src={svgSrc(enrolment.qrSvg)} alt="QR code for your authenticator app" />
      <p>
        Key: <code aria-label="Key to type by hand">{enrolment.manualKey}</code>
      </p>
      <TextField
        label="Authentication code"
        value={code}
        onChange={setCode}
        isInvalid={submit.error !== null}
        autoComplete="one-time-code"
        inputMode="numeric"
        inputClassName="input input-short"
      />
      <FormError />
      <div className="actions">
        <SubmitButton>Verify</SubmitButton>
      </div>
    </Form>
  );
}
