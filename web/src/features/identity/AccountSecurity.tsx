// My account's security: set up an authenticator app (AuthenticatorSetup.tsx: QR code, or the key
// typed by hand, then a first code; a recent second factor asked for in place when the server
// wants one) or remove it, see the ten recovery codes once, my security keys (SecurityKeys.tsx),
// how many recovery codes are left and replacing them, changing my password, and my active
// sessions with "Sign out everywhere".
import { forgetLocalData } from '../../lib/forgetLocal.ts';
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import type { SessionList } from '../../../../src/shared/schemas/identity.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { formatWhen } from '../../lib/format.ts';
import { useSession, useSessionApi } from '../../app/session.tsx';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { FormError } from '../../ui/Form.tsx';
import { Button } from '../../ui/Button.tsx';
import { WhenLoaded } from '../../ui/Message.tsx';
import { SecondFactorForm } from './SecondFactorForm.tsx';
import { SecurityKeys } from './SecurityKeys.tsx';
import { AuthenticatorSetup } from './AuthenticatorSetup.tsx';
import { RecoveryCodeList, RecoveryCodesSection } from './RecoveryCodes.tsx';
import { ChangePassword } from './ChangePassword.tsx';

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
  const submit = useSubmit({ ownStepUp: true });
  const stepUp = submit.code === 'step_up_required';
  const remove = () =>
    submit.run(async () => {
      await api<void>('POST', '/api/auth/totp/remove');
      setConfirming(false);
      await refresh();
    });
  return (
    <div className="stack">
      <p>An authenticator app is set up for your account.</p>
      <FormError submit={submit} />
      {stepUp && (
        <SecondFactorForm
          methods={['totp', 'recovery_code']}
          submitLabel="Verify"
          onDone={(s) => {
            adopt(s);
            submit.reset();
          }}
        />
      )}
      {confirming ? (
        <div className="stack" role="group" aria-label="Remove the authenticator app">
          <p>Remove the authenticator app? Its codes will no longer work for your account.</p>
          <div className="actions">
            <Button variant="primary" isPending={submit.pending} onPress={() => void remove()}>
              Remove the authenticator app
            </Button>
            <Button onPress={() => setConfirming(false)}>Cancel</Button>
          </div>
        </div>
      ) : (
        <div className="actions">
          <Button variant="quiet" onPress={() => setConfirming(true)}>
            Remove authenticator app
          </Button>
        </div>
      )}
    </div>
  );
}

function Sessions() {
  const { refresh } = useSessionApi();
  const list = useLoad<SessionList>('/api/auth/sessions');
  const submit = useSubmit();
  const everywhere = () =>
    submit.run(async () => {
      await api<void>('POST', '/api/auth/sign-out-everywhere');
      forgetLocalData();
      await refresh();
    });
  return (
    <div className="stack">
      <WhenLoaded state={list}>
        {(data) => (
          <ul aria-label="Active sessions">
            {data.items.map((s) => (
              <li key={s.id}>
                {s.userAgent ? s.userAgent.slice(0, 80) : 'Unknown browser'} — signed in{' '}
                {formatWhen(s.createdAt)}, last used {formatWhen(s.lastSeenAt)}
                {s.current && <strong> (this one)</strong>}
              </li>
            ))}
          </ul>
        )}
      </WhenLoaded>
      <FormError submit={submit} />
      <div className="actions">
        <Button isPending={submit.pending} onPress={() => void everywhere()}>
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
