// Signing in at /trust (issue 20): "Email address", "Password", "Sign in"; then the code from the
// trust member's authenticator app; a member with none sets one up first (required).
import { useEffect, useState } from 'react';
import type { TrustSessionInfo, TrustTotpEnrolment } from '../../../src/shared/schemas/trust.ts';
import { useSubmit } from '../lib/useSubmit.ts';
import { Form, FormError } from '../ui/Form.tsx';
import { TextField } from '../ui/TextField.tsx';
import { SubmitButton } from '../ui/Button.tsx';
import { svgSrc } from '../features/identity/AuthenticatorSetup.tsx';
import { setTrustCsrf, trustApi } from './api.ts';

type Stage = TrustSessionInfo['stage'];

export function TrustSignInPage({
  stage,
  notice,
  onSignedIn,
}: {
  stage: Stage | null;
  notice?: string;
  onSignedIn: (s: TrustSessionInfo) => void;
}) {
  const [step, setStep] = useState<Stage | null>(stage);
  const title =
    step === 'second_factor'
      ? 'Confirm it is you'
      : step === 'enrol'
        ? 'Set up your authenticator app'
        : 'Sign in';
  useEffect(() => {
    document.title = `${title} – Lantern for trusts`;
  }, [title]);
  const next = (s: TrustSessionInfo) => {
    setTrustCsrf(s.csrfToken);
    if (s.stage === 'full') onSignedIn(s);
    else setStep(s.stage);
  };
  return (
    <main id="main" className="page page-narrow">
      <p className="brand-name brand-standalone">Lantern for trusts</p>
      <h1 className="page-title">{title}</h1>
      {notice && step === null && (
        <p className="message message-info" role="status">
          {notice}
        </p>
      )}
      {step === null && <PasswordForm onDone={next} />}
      {step === 'second_factor' && (
        <>
          <p>Enter the 6-digit code from your authenticator app to finish signing in.</p>
          <CodeForm onDone={next} />
        </>
      )}
      {step === 'enrol' && <EnrolForm onDone={next} />}
    </main>
  );
}

function PasswordForm({ onDone }: { onDone: (s: TrustSessionInfo) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const submit = useSubmit();
  const signIn = async () => {
    if (!email.trim() || !password) {
      submit.invalid({}, 'Enter your email address and password.');
      return;
    }
    const out = await trustApi<TrustSessionInfo>('POST', '/api/trust/auth/sign-in', {
      email: email.trim(),
      password,
    });
    setPassword('');
    onDone(out);
  };
  return (
    <Form submit={submit} onSubmit={signIn} className="stack card">
      <TextField
        label="Email address"
        type="email"
        value={email}
        onChange={setEmail}
        autoComplete="username"
      />
      <TextField
        label="Password"
        type="password"
        value={password}
        onChange={setPassword}
        autoComplete="current-password"
      />
      <FormError />
      <div className="actions">
        <SubmitButton>Sign in</SubmitButton>
      </div>
    </Form>
  );
}

function CodeForm({
  onDone,
  label = 'Authentication code',
  button = 'Verify',
}: {
  onDone: (s: TrustSessionInfo) => void;
  label?: string;
  button?: string;
}) {
  const [code, setCode] = useState('');
  const submit = useSubmit<'code'>();
  const send = async () => {
    if (!/^\d{6}$/.test(code.replace(/\s/g, ''))) {
      submit.invalid({ code: 'Enter the 6 digits your authenticator app shows.' });
      return;
    }
    onDone(
      await trustApi<TrustSessionInfo>('POST', '/api/trust/auth/code', {
        code: code.replace(/\s/g, ''),
      }),
    );
  };
  return (
    <Form submit={submit} onSubmit={send} className="stack card">
      <TextField
        label={label}
        name="code"
        value={code}
        onChange={setCode}
        inputMode="numeric"
        autoComplete="one-time-code"
      />
      <FormError />
      <div className="actions">
        <SubmitButton>{button}</SubmitButton>
      </div>
    </Form>
  );
}

function EnrolForm({ onDone }: { onDone: (s: TrustSessionInfo) => void }) {
  const [enrolment, setEnrolment] = useState<TrustTotpEnrolment | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    trustApi<TrustTotpEnrolment>('POST', '/api/trust/auth/totp/enrol').then(
      setEnrolment,
      (err: unknown) => setProblem(err instanceof Error ? err.message : 'Something went wrong.'),
    );
  }, []);
  if (problem) {
    return (
      <p className="message message-error" role="alert">
        {problem}
      </p>
    );
  }
  if (!enrolment) return <p role="status">Preparing your code…</p>;
  return (
    <>
      <p>
        Every trust member uses an authenticator app. Scan this QR code with it, or type the key in
        by hand, then enter the 6-digit code it shows.
      </p>
      <img className="qr" src={svgSrc(enrolment.qrSvg)} alt="QR code for your authenticator app" />
      <p>
        Key: <code aria-label="Key to type by hand">{enrolment.manualKey}</code>
      </p>
      <CodeForm onDone={onDone} label="Code from your app" button="Confirm" />
    </>
  );
}
