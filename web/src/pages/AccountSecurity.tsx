// My account's security: set up an authenticator app (QR code, or the key typed by hand, then a
// first code) or remove it, see the ten recovery codes once, my security keys (SecurityKeys.tsx),
// and my active sessions with "Sign out everywhere".
import { useState, type FormEvent } from 'react';
import { Button, Input, Label, TextField } from 'react-aria-components';
import { api, ApiError, errorMessage, type SessionInfo } from '../api.ts';
import { useSession, useSessionApi } from '../session.tsx';
import { useLoad } from '../useLoad.ts';
import { PageHeading } from '../components/PageHeading.tsx';
import { formatWhen } from '../format.ts';
import { SecondFactorForm } from '../components/SecondFactorForm.tsx';
import { SecurityKeys } from '../components/SecurityKeys.tsx';

type Enrolment = { qrSvg: string; manualKey: string };
type SessionItem = {
  id: string;
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  userAgent: string | null;
};

function svgSrc(svg: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(svg)) binary += String.fromCharCode(byte);
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}

function Authenticator() {
  const session = useSession();
  const { adopt } = useSessionApi();
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);

  const start = async () => {
    setError(null);
    try {
      setEnrolment(await api<Enrolment>('POST', '/api/auth/totp/enrol'));
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const confirm = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api<{ session: SessionInfo; recoveryCodes: string[] | null }>(
        'POST',
        '/api/auth/totp/confirm',
        { code: code.replace(/\s/g, '') },
      );
      setCodes(r.recoveryCodes ?? []);
      setEnrolment(null);
      adopt(r.session);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  if (codes) {
    return (
      <div className="stack">
        <p className="message message-success" role="status">
          Your authenticator app is set up.
        </p>
        {codes.length > 0 && (
          <>
            <h3>Recovery codes</h3>
            <p>
              Keep these somewhere safe, away from your phone. Each works once if you lose your
              authenticator. They will not be shown again.
            </p>
            <ul className="recovery-codes" aria-label="Recovery codes">
              {codes.map((c) => (
                <li key={c}>
                  <code>{c}</code>
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    );
  }
  if (session.secondFactor?.totp) return <RemoveAuthenticator />;
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
        <div className="actions">
          <Button className="button button-primary" onPress={() => void start()}>
            Set up an authenticator app
          </Button>
        </div>
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
        <Button type="submit" className="button button-primary">
          Verify
        </Button>
      </div>
    </form>
  );
}

/** Removing my authenticator app: confirmed first; the server may ask for a second factor. */
function RemoveAuthenticator() {
  const { adopt, refresh } = useSessionApi();
  const [confirming, setConfirming] = useState(false);
  const [stepUp, setStepUp] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const remove = async () => {
    if (busy) return;
    setError(null);
    setBusy(true);
    try {
      await api<void>('POST', '/api/auth/totp/remove');
      setConfirming(false);
      await refresh();
    } catch (err) {
      setStepUp(err instanceof ApiError && err.code === 'step_up_required');
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="stack">
      <p>An authenticator app is set up for your account.</p>
      {error && (
        <p className="message message-error" role="alert">
          {error}
        </p>
      )}
      {stepUp && (
        <SecondFactorForm
          methods={['totp', 'recovery_code']}
          submitLabel="Verify"
          onDone={(s) => {
            adopt(s);
            setStepUp(false);
            setError(null);
          }}
        />
      )}
      {confirming ? (
        <div className="stack" role="group" aria-label="Remove the authenticator app">
          <p>Remove the authenticator app? Its codes will no longer work for your account.</p>
          <div className="actions">
            <Button
              className="button button-primary"
              isDisabled={busy}
              onPress={() => void remove()}
            >
              Remove the authenticator app
            </Button>
            <Button className="button" onPress={() => setConfirming(false)}>
              Cancel
            </Button>
          </div>
        </div>
      ) : (
        <div className="actions">
          <Button className="button button-quiet" onPress={() => setConfirming(true)}>
            Remove authenticator app
          </Button>
        </div>
      )}
    </div>
  );
}

function Sessions() {
  const { refresh } = useSessionApi();
  const list = useLoad<{ items: SessionItem[] }>('/api/auth/sessions');
  const [error, setError] = useState<string | null>(null);
  const everywhere = async () => {
    try {
      await api<void>('POST', '/api/auth/sign-out-everywhere');
    } catch (err) {
      setError(errorMessage(err));
      return;
    }
    await refresh();
  };
  return (
    <div className="stack">
      {list.status === 'loading' && <p role="status">Loading…</p>}
      {list.status === 'error' && (
        <p className="message message-error" role="alert">
          {list.message}
        </p>
      )}
      {list.status === 'ok' && (
        <ul aria-label="Active sessions">
          {list.data.items.map((s) => (
            <li key={s.id}>
              {s.userAgent ? s.userAgent.slice(0, 80) : 'Unknown browser'} — signed in{' '}
              {formatWhen(s.createdAt)}, last used {formatWhen(s.lastSeenAt)}
              {s.current && <strong> (this one)</strong>}
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p className="message message-error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <Button className="button" onPress={() => void everywhere()}>
          Sign out everywhere
        </Button>
      </div>
    </div>
  );
}

export function AccountSecurityPage() {
  return (
    <>
      <PageHeading title="Account security">Account security</PageHeading>
      <section aria-labelledby="factor-heading" className="section card">
        <h2 id="factor-heading">Authenticator app</h2>
        <Authenticator />
      </section>
      <section aria-labelledby="keys-heading" className="section card">
        <h2 id="keys-heading">Security keys</h2>
        <SecurityKeys />
      </section>
      <section aria-labelledby="sessions-heading" className="section card">
        <h2 id="sessions-heading">My sessions</h2>
        <Sessions />
      </section>
    </>
  );
}
