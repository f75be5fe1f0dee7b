// My account's security: set up an authenticator app (AuthenticatorSetup.tsx: QR code, or the key
// typed by hand, then a first code; a recent second factor asked for in place when the server
// wants one) or remove it, see the ten recovery codes once, my security keys (SecurityKeys.tsx),
// how many recovery codes are left and replacing them, changing my password, and my active
// sessions with "Sign out everywhere".
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { api, ApiError, errorMessage } from '../api.ts';
import { useSession, useSessionApi } from '../session.tsx';
import { useLoad } from '../useLoad.ts';
import { PageHeading } from '../components/PageHeading.tsx';
import { formatWhen } from '../format.ts';
import { SecondFactorForm } from '../components/SecondFactorForm.tsx';
import { SecurityKeys } from '../components/SecurityKeys.tsx';
import { AuthenticatorSetup } from '../components/AuthenticatorSetup.tsx';
import { RecoveryCodeList, RecoveryCodesSection } from '../components/RecoveryCodes.tsx';
import { ChangePassword } from '../components/ChangePassword.tsx';

type SessionItem = {
  id: string;
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  userAgent: string | null;
};

function Authenticator() {
  const session = useSession();
  const { adopt } = useSessionApi();
  const [codes, setCodes] = useState<string[] | null>(null);

  if (codes) {
    return (
      <div className="stack">
        <p className="message message-success" role="status">
          Your authenticator app is set up.
        </p>
        {codes.length > 0 && <RecoveryCodeList codes={codes} away="your phone" />}
      </div>
    );
  }
  if (session.secondFactor?.totp) return <RemoveAuthenticator />;
  return (
    <AuthenticatorSetup
      onConfirmed={(next, recoveryCodes) => {
        setCodes(recoveryCodes ?? []);
        adopt(next);
      }}
    />
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
      <section aria-labelledby="codes-heading" className="section card">
        <h2 id="codes-heading">Recovery codes</h2>
        <RecoveryCodesSection />
      </section>
      <section aria-labelledby="password-heading" className="section card">
        <h2 id="password-heading">Password</h2>
        <ChangePassword />
      </section>
      <section aria-labelledby="sessions-heading" className="section card">
        <h2 id="sessions-heading">My sessions</h2>
        <Sessions />
      </section>
    </>
  );
}
