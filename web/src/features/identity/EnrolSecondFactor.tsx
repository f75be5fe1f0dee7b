// "Set up your second factor" (issue 3): shown straight after the password when the school
// requires a second factor of this member and they have none. The server lets such a session do
// nothing else (second_factor_enrolment_required), so this page offers only an authenticator app
// (QR code or the key typed by hand, then a code) or a security key, then the recovery codes,
// once, and only then continues into Lantern with the new, elevated session.
import { useEffect, useRef, useState } from 'react';
import { browserSupportsWebAuthn } from '@simplewebauthn/browser';
import type { SessionInfo } from '../../../../src/shared/schemas/identity.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { useSession, useSessionApi } from '../../app/session.tsx';
import { Form, FormError } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import { AuthenticatorSetup } from './AuthenticatorSetup.tsx';
import { RecoveryCodeList } from './RecoveryCodes.tsx';
import { registerSecurityKey, securityKeyProblem } from '../../lib/securityKey.ts';

type Done = { session: SessionInfo; codes: string[] | null; way: 'app' | 'key' };

function KeySetup({
  onAdded,
}: {
  onAdded: (session: SessionInfo, codes: string[] | null) => void;
}) {
  const [label, setLabel] = useState('');
  const submit = useSubmit({ describe: securityKeyProblem });
  const add = async () => {
    const added = await registerSecurityKey(label.trim() || 'Security key');
    if (!added.session)
      throw new Error('The security key was added, but signing in did not finish. Sign in again.');
    onAdded(added.session, added.recoveryCodes);
  };
  return (
    <Form submit={submit} onSubmit={add}>
      <p>A security key (such as a YubiKey) or a passkey on this phone or computer.</p>
      <TextField
        label="Name for the key"
        hint="So you can tell your keys apart, for example “Blue key on my lanyard”."
        value={label}
        onChange={setLabel}
        maxLength={100}
      />
      <FormError />
      <div className="actions">
        <SubmitButton>Use a security key</SubmitButton>
      </div>
    </Form>
  );
}

export function EnrolSecondFactorPage() {
  const session = useSession();
  const { adopt, signOut } = useSessionApi();
  const [done, setDone] = useState<Done | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const supported = browserSupportsWebAuthn();

  useEffect(() => {
    document.title = done
      ? 'Your second factor is set up – Lantern'
      : 'Set up your second factor – Lantern';
    heading.current?.focus();
  }, [done]);

  return (
    <main id="main" className="page page-narrow">
      <p className="brand-name brand-standalone">Lantern</p>
      <h1 className="page-title" ref={heading} tabIndex={-1}>
        {done ? 'Your second factor is set up' : 'Set up your second factor'}
      </h1>
      {done ? (
        <div className="stack">
          {done.codes && done.codes.length > 0 && (
            <RecoveryCodeList
              codes={done.codes}
              away={done.way === 'app' ? 'your phone' : 'your key'}
              level={2}
            />
          )}
          <div className="actions">
            <Button variant="primary" onPress={() => adopt(done.session)}>
              Continue to Lantern
            </Button>
          </div>
        </div>
      ) : (
        <>
          <p>
            {session.school.name} asks everyone who signs in to{' '}
            {session.capabilitiesWhenElevated?.some((c) => c === 'records.view')
              ? 'see safeguarding records'
              : 'use Lantern'}{' '}
            to confirm it is them with a second factor as well as the password. Set one up now; you
            will use it each time you sign in.
          </p>
          <section aria-labelledby="enrol-app-heading" className="section card">
            <h2 id="enrol-app-heading">Authenticator app</h2>
            <AuthenticatorSetup
              onConfirmed={(next, codes) => setDone({ session: next, codes, way: 'app' })}
            />
          </section>
          {supported && (
            <section aria-labelledby="enrol-key-heading" className="section card">
              <h2 id="enrol-key-heading">Security key</h2>
              <KeySetup onAdded={(next, codes) => setDone({ session: next, codes, way: 'key' })} />
            </section>
          )}
          <div className="actions">
            <Button variant="quiet" onPress={() => void signOut()}>
              Sign out
            </Button>
          </div>
        </>
      )}
    </main>
  );
}
