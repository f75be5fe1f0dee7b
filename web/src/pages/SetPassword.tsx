// Emailed links (issue 3): "Forgotten password" asks for a link; the link (token in the URL's
// fragment, which browsers never send to a server) opens the set-password page, which shows the
// strength of the new password as it is typed and sends it with the token. The school's policy
// is enforced by the server; its message is shown as given.
import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Button, Input, Label, TextField } from 'react-aria-components';
import { api, errorMessage } from '../api.ts';
import { PasswordStrength } from '../components/PasswordStrength.tsx';

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
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (password !== again) {
      setError('The two passwords are not the same.');
      return;
    }
    try {
      await api<void>('POST', '/api/auth/set-password', { token, password });
      setDone(true);
    } catch (err) {
      setError(errorMessage(err));
    }
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
        <form className="stack card" onSubmit={(e) => void submit(e)} noValidate>
          <TextField
            className="field"
            type="password"
            value={password}
            onChange={setPassword}
            autoComplete="new-password"
          >
            <Label className="field-label">New password</Label>
            <Input className="input" />
          </TextField>
          <PasswordStrength password={password} />
          <TextField
            className="field"
            type="password"
            value={again}
            onChange={setAgain}
            autoComplete="new-password"
          >
            <Label className="field-label">New password again</Label>
            <Input className="input" />
          </TextField>
          <div role="alert" className={error ? 'message message-error' : 'visually-empty'}>
            {error}
          </div>
          <div className="actions">
            <Button type="submit" className="button button-primary">
              Set password
            </Button>
          </div>
        </form>
      )}
    </main>
  );
}

export function ForgottenPasswordPage() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api<void>('POST', '/api/auth/forgotten-password', { email });
      setSent(true);
    } catch (err) {
      setError(errorMessage(err));
    }
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
        <form className="stack card" onSubmit={(e) => void submit(e)} noValidate>
          <TextField
            className="field"
            type="email"
            value={email}
            onChange={setEmail}
            autoComplete="email"
          >
            <Label className="field-label">Email address</Label>
            <Input className="input" />
          </TextField>
          <div role="alert" className={error ? 'message message-error' : 'visually-empty'}>
            {error}
          </div>
          <div className="actions">
            <Button type="submit" className="button button-primary">
              Email me a link
            </Button>
          </div>
        </form>
      )}
      <p>
        <a href="/">Back to sign in</a>
      </p>
    </main>
  );
}
