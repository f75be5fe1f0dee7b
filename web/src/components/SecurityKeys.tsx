// The account page's "Security keys": my registered keys and passkeys, adding one under a name,
// and removing one. The server decides what needs a recent second factor (adding a key when I
// already have a factor, removing any) and answers step_up_required; this section then asks for
// the factor in place and lets me try again. A school that requires a second factor refuses the
// removal of my last one, and its message is shown as it comes.
import { useState, type FormEvent } from 'react';
import { Button, Input, Label, Text, TextField } from 'react-aria-components';
import { browserSupportsWebAuthn } from '@simplewebauthn/browser';
import { api, ApiError, errorMessage } from '../api.ts';
import { useSessionApi } from '../session.tsx';
import { useLoad } from '../useLoad.ts';
import { formatWhen } from '../format.ts';
import { registerSecurityKey, securityKeyProblem } from '../securityKey.ts';
import { SecondFactorForm } from './SecondFactorForm.tsx';
import { RecoveryCodeList } from './RecoveryCodes.tsx';

type SecurityKey = { id: string; label: string; createdAt: string; lastUsedAt: string | null };
type Notice = { kind: 'success' | 'error'; text: string } | null;

const isStepUp = (err: unknown) => err instanceof ApiError && err.code === 'step_up_required';

export function SecurityKeys() {
  const { adopt, refresh } = useSessionApi();
  const [reload, setReload] = useState(0);
  const list = useLoad<{ items: SecurityKey[] }>('/api/auth/security-keys', reload);
  const [label, setLabel] = useState('');
  const [confirming, setConfirming] = useState<SecurityKey | null>(null);
  const [stepUp, setStepUp] = useState(false);
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState(false);
  const [codes, setCodes] = useState<string[] | null>(null);
  const supported = browserSupportsWebAuthn();

  const changed = async (text: string) => {
    setNotice({ kind: 'success', text });
    setReload((n) => n + 1);
    await refresh();
  };

  const run = async (work: () => Promise<string>, describe: (err: unknown) => string) => {
    if (busy) return;
    setNotice(null);
    setBusy(true);
    try {
      await changed(await work());
    } catch (err) {
      if (isStepUp(err)) setStepUp(true);
      setNotice({ kind: 'error', text: describe(err) });
    } finally {
      setBusy(false);
    }
  };

  const add = (e: FormEvent) => {
    e.preventDefault();
    const name = label.trim();
    void run(async () => {
      const added = await registerSecurityKey(name || 'Security key');
      setLabel('');
      setCodes(added.recoveryCodes);
      // A first factor replaces the session with an elevated one (new CSRF token).
      if (added.session) adopt(added.session);
      return `Security key “${name || 'Security key'}” added.`;
    }, securityKeyProblem);
  };

  const remove = (key: SecurityKey) =>
    void run(async () => {
      await api<void>('POST', `/api/auth/security-keys/${key.id}/remove`);
      setConfirming(null);
      return `Security key “${key.label}” removed.`;
    }, errorMessage);

  return (
    <div className="stack">
      <p>
        A security key (such as a YubiKey) or a passkey on your phone or computer can be used
        instead of a code from an authenticator app.
      </p>
      {list.status === 'loading' && <p role="status">Loading…</p>}
      {list.status === 'error' && (
        <p className="message message-error" role="alert">
          {list.message}
        </p>
      )}
      {list.status === 'ok' && list.data.items.length === 0 && (
        <p>No security keys are registered for your account.</p>
      )}
      {list.status === 'ok' && list.data.items.length > 0 && (
        <ul aria-label="Security keys" className="stack-tight">
          {list.data.items.map((k) => (
            <li key={k.id}>
              <strong>{k.label}</strong> — added {formatWhen(k.createdAt)},{' '}
              {k.lastUsedAt ? `last used ${formatWhen(k.lastUsedAt)}` : 'not used yet'}{' '}
              {confirming?.id !== k.id && (
                <Button
                  className="button button-quiet"
                  aria-label={`Remove security key ${k.label}`}
                  onPress={() => {
                    setNotice(null);
                    setConfirming(k);
                  }}
                >
                  Remove
                </Button>
              )}
              {confirming?.id === k.id && (
                <div className="stack" role="group" aria-label={`Remove ${k.label}`}>
                  <p>
                    Remove “{k.label}”? It will no longer work for signing in or opening records.
                  </p>
                  <div className="actions">
                    <Button
                      className="button button-primary"
                      isDisabled={busy}
                      onPress={() => remove(k)}
                    >
                      Remove this key
                    </Button>
                    <Button className="button" onPress={() => setConfirming(null)}>
                      Cancel
                    </Button>
                  </div>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {notice && (
        <p
          className={`message message-${notice.kind}`}
          role={notice.kind === 'error' ? 'alert' : 'status'}
        >
          {notice.text}
        </p>
      )}
      {codes && codes.length > 0 && <RecoveryCodeList codes={codes} away="your key" />}
      {stepUp && (
        <div className="stack">
          <p>Confirm it is you with your second factor, then try again.</p>
          <SecondFactorForm
            methods={['totp', 'recovery_code']}
            submitLabel="Verify"
            onDone={(s) => {
              adopt(s);
              setStepUp(false);
              setNotice({ kind: 'success', text: 'Confirmed. You can now try again.' });
            }}
          />
        </div>
      )}
      {supported ? (
        <form className="stack" onSubmit={add} noValidate>
          <TextField className="field" value={label} onChange={setLabel} maxLength={100}>
            <Label className="field-label">Name for a new key</Label>
            <Text slot="description" className="hint">
              So you can tell your keys apart, for example “Blue key on my lanyard”.
            </Text>
            <Input className="input" />
          </TextField>
          <div className="actions">
            <Button type="submit" className="button button-primary" isDisabled={busy}>
              Add a security key
            </Button>
          </div>
        </form>
      ) : (
        <p>
          This browser cannot use security keys. Try a current version of Edge, Chrome, Firefox or
          Safari.
        </p>
      )}
    </div>
  );
}
