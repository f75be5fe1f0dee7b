// Signing in at /parent: "Email address", "Password", "Sign in"; then the code from the parent's
// authenticator app; a parent with none sets one up first (required: nothing else is reachable).
import { useEffect, useState } from 'react';
import type {
  ParentSessionInfo,
  ParentStage,
  ParentTotpEnrolment,
} from '../../../src/shared/schemas/parents.ts';
import { useSubmit } from '../lib/useSubmit.ts';
import { Form, FormError, FormStatus, SubmitScope } from '../ui/Form.tsx';
import { TextField } from '../ui/TextField.tsx';
import { Button, SubmitButton } from '../ui/Button.tsx';
import { securityKeyProblem } from '../lib/securityKey.ts';
import { answerWithPasskey } from './passkey.ts';
import { svgSrc } from '../features/identity/AuthenticatorSetup.tsx';
import { parentApi, setParentCsrf } from './api.ts';
import { SaveRecoveryCodes } from './ParentRecoveryCodes.tsx';

type Props = {
  /** The session's stage when signed in part-way, else null (signed out). */
  stage: ParentStage | null;
  notice?: string;
  onSignedIn: (s: ParentSessionInfo) => void;
};

export function ParentSignInPage({ stage, notice, onSignedIn }: Props) {
  // The parent app remounts this page (its key) when the session's stage changes.
  const [step, setStep] = useState<ParentStage | null>(stage);
  // A first second factor just set up: its recovery codes, shown once before going on.
  const [withCodes, setWithCodes] = useState<ParentSessionInfo | null>(null);
  const [useRecovery, setUseRecovery] = useState(false);
  const title = withCodes
    ? 'Save your recovery codes'
    : step === 'second_factor'
      ? 'Confirm it is you'
      : step === 'enrol'
        ? 'Set up your authenticator app'
        : 'Sign in';
  useEffect(() => {
    document.title = `${title} – Lantern for parents`;
  }, [title]);

  const next = (s: ParentSessionInfo) => {
    setParentCsrf(s.csrfToken);
    if (s.stage === 'full' && s.recoveryCodes?.length) setWithCodes(s);
    else if (s.stage === 'full') onSignedIn(s);
    else setStep(s.stage);
  };

  return (
    <main id="main" className="page page-narrow parent">
      <p className="brand-name brand-standalone">Lantern for parents and carers</p>
      <h1 className="page-title">{title}</h1>
      {notice && step === null && (
        <p className="message message-info" role="status">
          {notice}
        </p>
      )}
      {withCodes ? (
        <SaveRecoveryCodes
          codes={withCodes.recoveryCodes ?? []}
          onSaved={() => onSignedIn({ ...withCodes, recoveryCodes: undefined })}
        />
      ) : (
        <>
          {step === null && <PasswordForm onDone={next} />}
          {step === 'second_factor' && !useRecovery && (
            <>
              <p>Enter the 6-digit code from your authenticator app to finish signing in.</p>
              <CodeForm onDone={next} />
              <PasskeyButton enrolling={false} onDone={next} />
              <div className="actions">
                <Button variant="quiet" onPress={() => setUseRecovery(true)}>
                  Use a recovery code
                </Button>
              </div>
            </>
          )}
          {step === 'second_factor' && useRecovery && (
            <>
              <p>
                Enter one of the recovery codes you saved when you set up your authenticator app.
                Each code works once.
              </p>
              <RecoveryCodeForm onDone={next} />
              <div className="actions">
                <Button variant="quiet" onPress={() => setUseRecovery(false)}>
                  Use your authenticator app instead
                </Button>
              </div>
            </>
          )}
          {step === 'enrol' && <EnrolForm onDone={next} />}
        </>
      )}
    </main>
  );
}

function PasswordForm({ onDone }: { onDone: (s: ParentSessionInfo) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const submit = useSubmit();
  const signIn = async () => {
    if (!email.trim() || !password) {
      submit.invalid({}, 'Enter your email address and password.');
      return;
    }
    const out = await parentApi<ParentSessionInfo>('POST', '/api/parent/auth/sign-in', {
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
  onDone: (s: ParentSessionInfo) => void;
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
    const out = await parentApi<ParentSessionInfo>('POST', '/api/parent/auth/code', {
      code: code.replace(/\s/g, ''),
    });
    onDone(out);
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

function RecoveryCodeForm({ onDone }: { onDone: (s: ParentSessionInfo) => void }) {
  const [code, setCode] = useState('');
  const submit = useSubmit<'code'>();
  const send = async () => {
    const typed = code.trim();
    if (typed.replace(/[\s-]/g, '').length !== 12) {
      submit.invalid({ code: 'Enter the 12 letters and numbers of one recovery code.' });
      return;
    }
    const out = await parentApi<ParentSessionInfo>('POST', '/api/parent/auth/recovery-code', {
      code: typed,
    });
    onDone(out);
  };
  return (
    <Form submit={submit} onSubmit={send} className="stack card">
      <TextField
        label="Recovery code"
        name="code"
        value={code}
        onChange={setCode}
        autoComplete="off"
        spellCheck={false}
      />
      <FormError />
      <div className="actions">
        <SubmitButton>Sign in with this code</SubmitButton>
      </div>
    </Form>
  );
}

function EnrolForm({ onDone }: { onDone: (s: ParentSessionInfo) => void }) {
  const [enrolment, setEnrolment] = useState<ParentTotpEnrolment | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    parentApi<ParentTotpEnrolment>('POST', '/api/parent/auth/totp/enrol').then(
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
        To keep your family’s information safe, every parent uses an authenticator app (such as
        Google Authenticator or Microsoft Authenticator). Scan this QR code with it, or type the key
        in by hand, then enter the 6-digit code it shows.
      </p>
      <img className="qr" src={svgSrc(enrolment.qrSvg)} alt="QR code for your authenticator app" />
      <p>
        Key: <code aria-label="Key to type by hand">{enrolment.manualKey}</code>
      </p>
      <CodeForm onDone={onDone} label="Code from your app" button="Confirm" />
      <p>Or, on a phone or computer that supports passkeys:</p>
      <PasskeyButton enrolling onDone={onDone} />
    </>
  );
}

function PasskeyButton({
  enrolling,
  onDone,
}: {
  enrolling: boolean;
  onDone: (s: ParentSessionInfo) => void;
}) {
  const submit = useSubmit({ describe: securityKeyProblem });
  const go = () =>
    void submit.run(async () => {
      onDone(await answerWithPasskey(enrolling));
    });
  return (
    <SubmitScope submit={submit}>
      <FormStatus submit={submit} />
      <FormError />
      <div className="actions">
        <Button onPress={go} isPending={submit.pending}>
          {enrolling ? 'Set up a passkey instead' : 'Use a passkey'}
        </Button>
      </div>
    </SubmitScope>
  );
}
