// Signing in: email and password, then (when the school asks) the second factor.
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, setCsrfToken } from '../../lib/api.ts';
import type { PendingInfo, SignedIn } from '../../../../src/shared/schemas/identity.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { useSessionApi } from '../../app/session.tsx';
import { Form, FormError } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import { SecondFactorForm } from './SecondFactorForm.tsx';

function isPending(v: SignedIn): v is PendingInfo {
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
  const [pending, setPending] = useState<PendingInfo | null>(null);
  const submit = useSubmit();
  // An expired password (the school's policy): the way on is a new one, by emailed link.
  const expired = submit.code === 'password_expired';

  useEffect(() => {
    document.title = 'Sign in – Lantern';
  }, []);

  const signIn = async () => {
    if (!email.trim() || !password) {
      submit.invalid({}, 'Enter your email address and password.');
      return;
    }
    const out = await api<SignedIn>('POST', '/api/auth/sign-in', {
      email: email.trim(),
      password,
    });
    setPassword('');
    if (isPending(out)) {
      setCsrfToken(out.csrfToken);
      setPending(out);
    } else adopt(out);
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
          <FormError>
            {expired && (
              <>
                {' '}
                <Link to="/forgotten-password">Set a new password</Link>
              </>
            )}
          </FormError>
          <div className="actions">
            <SubmitButton>Sign in</SubmitButton>
          </div>
          <p>
            <Link to="/forgotten-password">Forgotten password?</Link>
          </p>
        </Form>
      )}
    </main>
  );
}
