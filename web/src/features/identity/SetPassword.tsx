// Emailed links (issue 3): "Forgotten password" asks for a link; the link (token in the URL's
// fragment, which browsers never send to a server) opens the set-password page, which shows the
// strength of the new password as it is typed and sends it with the token. The school's policy
// is enforced by the server; its message is shown as given.
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../lib/api.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import { PasswordStrength } from './PasswordStrength.tsx';

/** Reads the token from `#token=…` once and takes it out of the address bar and history. */
function useLinkToken(): string {
  const [token] = useState(() => new URLSearchParams(window.location.hash.slice(1)).get('token'));
  useEffect(() => {
    if (window.location.hash) window.history.replaceState(null, '', window.location.pathname);
  }, []);
  return token ?? '';
}

export function SetPasswordPage() {
  const token = useLinkToken();
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [done, setDone] = useState(false);
  const submit = useSubmit();

  const setNew = async () => {
    if (password !== again) {
      submit.invalid({}, 'The two passwords are not the same.');
      return;
    }
    await api<void>('POST', '/api/auth/set-password', { token, password });
    setDone(true);
  };

  return (
    <main id="main" className="page page-narrow">
      <h1 className="page-title">Set your password</h1>
      {!token ? (
        <p className="message message-error" role="alert">
          This page needs the link from your email.{' '}
          <Link to="/forgotten-password">Ask for a new link</Link>.
        </p>
      ) : done ? (
        <div className="stack">
          <p className="message message-success" role="status">
            Your password is set. Every other session has been signed out.
          </p>
          <p>
            <a href="/">Sign in with your new password</a>
          </p>
        </div>
      ) : (
        <Form submit={submit} onSubmit={setNew} className="stack card">
          <TextField
            label="New password"
            type="password"
            value={password}
            onChange={setPassword}
            autoComplete="new-password"
          />
          <PasswordStrength password={password} />
          <TextField
            label="New password again"
            type="password"
            value={again}
            onChange={setAgain}
            autoComplete="new-password"
          />
          <FormError />
          <div className="actions">
            <SubmitButton>Set password</SubmitButton>
          </div>
        </Form>
      )}
    </main>
  );
}

export function ForgottenPasswordPage() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const submit = useSubmit();
  const ask = async () => {
    await api<void>('POST', '/api/auth/forgotten-password', { email });
    setSent(true);
  };
  return (
    <main id="main" className="page page-narrow">
      <h1 className="page-title">Forgotten password</h1>
      {sent ? (
        <p className="message message-success" role="status">
          If that address has a Lantern account, a link to set a new password is on its way. It
          works once, for 30 minutes.
        </p>
      ) : (
        <Form submit={submit} onSubmit={ask} className="stack card">
          <TextField
            label="Email address"
            type="email"
            value={email}
            onChange={setEmail}
            autoComplete="email"
          />
          <FormError />
          <div className="actions">
            <SubmitButton>Email me a link</SubmitButton>
          </div>
        </Form>
      )}
      <p>
        <a href="/">Back to sign in</a>
      </p>
    </main>
  );
}
