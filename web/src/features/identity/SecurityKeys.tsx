// The account page's "Security keys": my registered keys and passkeys, adding one under a name,
// and removing one. The server decides what needs a recent second factor (adding a key when I
// already have a factor, removing any) and answers step_up_required; this section then asks for
// the factor in place and lets me try again. A school that requires a second factor refuses the
// removal of my last one, and its message is shown as it comes.
import { useState } from 'react';
import { browserSupportsWebAuthn } from '@simplewebauthn/browser';
import { api } from '../../lib/api.ts';
import type { SecurityKey, SecurityKeyList } from '../../../../src/shared/schemas/identity.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { formatWhen } from '../../lib/format.ts';
import { registerSecurityKey, securityKeyProblem } from '../../lib/securityKey.ts';
import { useSessionApi } from '../../app/session.tsx';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import { WhenLoaded } from '../../ui/Message.tsx';
import { SecondFactorForm } from './SecondFactorForm.tsx';
import { RecoveryCodeList } from './RecoveryCodes.tsx';

export function SecurityKeys() {
  const { adopt, refresh } = useSessionApi();
  const list = useLoad<SecurityKeyList>('/api/auth/security-keys');
  const [label, setLabel] = useState('');
  const [confirming, setConfirming] = useState<SecurityKey | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  // An API refusal reads as the server put it; a security key's failure as something to act on.
  const submit = useSubmit({ describe: securityKeyProblem, ownStepUp: true });
  const stepUp = submit.code === 'step_up_required';
  const supported = browserSupportsWebAuthn();

  /** Each change: the work, then the list and the session again, then what happened. */
  const change = async (work: () => Promise<string>) => {
    const said = await work();
    void list.reload();
    await refresh();
    return said;
  };

  // The form runs this through its submit state (busy, messages).
  const add = () => {
    const name = label.trim();
    return change(async () => {
      const added = await registerSecurityKey(name || 'Security key');
      setLabel('');
      setCodes(added.recoveryCodes);
      // A first factor replaces the session with an elevated one (new CSRF token).
      if (added.session) adopt(added.session);
      return `Security key “${name || 'Security key'}” added.`;
    });
  };

  const remove = (key: SecurityKey) =>
    void submit.run(() =>
      change(async () => {
        await api<void>('POST', `/api/auth/security-keys/${key.id}/remove`);
        setConfirming(null);
        return `Security key “${key.label}” removed.`;
      }),
    );

  return (
    <div className="stack">
      <p>
        A security key (such as a YubiKey) or a passkey on your phone or computer can be used
        instead of a code from an authenticator app.
      </p>
      <WhenLoaded state={list}>
        {({ items }) =>
          items.length === 0 ? (
            <p>No security keys are registered for your account.</p>
          ) : (
            <ul aria-label="Security keys" className="stack-tight">
              {items.map((k) => (
                <li key={k.id}>
                  <strong>{k.label}</strong> — added {formatWhen(k.createdAt)},{' '}
                  {k.lastUsedAt ? `last used ${formatWhen(k.lastUsedAt)}` : 'not used yet'}{' '}
                  {confirming?.id !== k.id && (
                    <Button
                      variant="quiet"
                      aria-label={`Remove security key ${k.label}`}
                      onPress={() => {
                        submit.reset();
                        setConfirming(k);
                      }}
                    >
                      Remove
                    </Button>
                  )}
                  {confirming?.id === k.id && (
                    <div className="stack" role="group" aria-label={`Remove ${k.label}`}>
                      <p>
                        Remove “{k.label}”? It will no longer work for signing in or opening
                        records.
                      </p>
                      <div className="actions">
                        <Button
                          variant="primary"
                          isPending={submit.pending}
                          onPress={() => remove(k)}
                        >
                          Remove this key
                        </Button>
                        <Button onPress={() => setConfirming(null)}>Cancel</Button>
                      </div>
                    </div>
                  )}
                </li>
              ))}
            </ul>
          )
        }
      </WhenLoaded>
      <FormError submit={submit} />
      <FormStatus submit={submit} />
      {codes && codes.length > 0 && <RecoveryCodeList codes={codes} away="your key" />}
      {stepUp && (
        <div className="stack">
          <p>Confirm it is you with your second factor, then try again.</p>
          <SecondFactorForm
            methods={['totp', 'recovery_code']}
            submitLabel="Verify"
            onDone={(s) => {
              adopt(s);
              submit.confirm('Confirmed. You can now try again.');
            }}
          />
        </div>
      )}
      {supported ? (
        <Form submit={submit} onSubmit={add}>
          <TextField
            label="Name for a new key"
            hint="So you can tell your keys apart, for example “Blue key on my lanyard”."
            value={label}
            onChange={setLabel}
            maxLength={100}
          />
          <div className="actions">
            <SubmitButton>Add a security key</SubmitButton>
          </div>
        </Form>
      ) : (
        <p>
          This browser cannot use security keys. Try a current version of Edge, Chrome, Firefox or
          Safari.
        </p>
      )}
    </div>
  );
}
