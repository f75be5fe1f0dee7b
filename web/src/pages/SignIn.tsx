// Signing in: email and password, then (when the school asks) the second factor.
import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Button, Input, Label, TextField } from 'react-aria-components';
import {
  api,
  ApiError,
  errorMessage,
  setCsrfToken,
  type PendingSignIn,
  type SessionInfo,
} from '../api.ts';
import { useSessionApi } from '../session.tsx';
import { SecondFactorForm } from '../components/SecondFactorForm.tsx';

function isPending(v: SessionInfo | PendingSignIn): v is PendingSignIn {
  return 'secondFactorRequired' in v && v.secondFactorRequired === true;
}

function factorPrompt(methods: string[]): string {
  const app = methods.includes('totp');
  const key = methods.includes('webauthn');
  if (app && key) {
    return 'Enter the code from your authenticator app, or use your security key, to finish signing in.';
  }
  if (key) return 'Use your security key to finish signing in.';
  return 'Enter the code from your authenticator app to finish signing in.';
}

export function SignInPage({ notice }: { notice?: string }) {
  const { adopt } = useSessionApi();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [expired, setExpired] = useState(false);
  const [busy, setBusy] = useState(false);
  const [pending, setPending] = useState<PendingSignIn | null>(null);

  useEffect(() => {
    document.title = 'Sign in – Lantern';
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setError(null);
    setExpired(false);
    if (!email.trim() || !password) {
      setError('Enter your email address and password.');
      return;
    }
    setBusy(true);
    try {
      const out = await api<SessionInfo | PendingSignIn>('POST', '/api/auth/sign-in', {
        email: email.trim(),
        password,
      });
      setPassword('');
      if (isPending(out)) {
        setCsrfToken(out.csrfToken);
        setPending(out);
      } else adopt(out);
    } catch (err) {
      setError(errorMessage(err));
      // An expired password (the school's policy): the way on is a new one, by emailed link.
      setExpired(err instanceof ApiError && err.code === 'password_expired');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="page page-narrow">
      <p className="brand-name brand-standalone">Lantern</p>
      <h1 className="page-title">{pending ? 'Confirm it is you' : 'Sign in'}</h1>
      {notice && !pending && (
        <p className="message message-info" role="status">
          {notice}
        </p>
      )}
      {pending ? (
        <>
          <p>{factorPrompt(pending.methods)}</p>
          <SecondFactorForm methods={pending.methods} submitLabel="Verify" onDone={adopt} />
        </>
      ) : (
        <form className="stack card" onSubmit={(e) => void submit(e)} noValidate>
          <TextField
            className="field"
            type="email"
            value={email}
            onChange={setEmail}
            autoComplete="username"
          >
            <Label className="field-label">Email address</Label>
            <Input className="input" />
          </TextField>
          <TextField
            className="field"
            type="password"
            value={password}
            onChange={setPassword}
            autoComplete="current-password"
          >
            <Label className="field-label">Password</Label>
            <Input className="input" />
          </TextField>
          <div role="alert" className={error ? 'message message-error' : 'visually-empty'}>
            {error}
            {expired && (
              <>
                {' '}
                <Link to="/forgotten-password">Set a new password</Link>
              </>
            )}
          </div>
          <div className="actions">
            <Button type="submit" className="button button-primary">
              Sign in
            </Button>
          </div>
          <p>
            <Link to="/forgotten-password">Forgotten password?</Link>
          </p>
        </form>
      )}
    </main>
  );
}
