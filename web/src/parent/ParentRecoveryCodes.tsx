// A parent's recovery codes (issue 21): shown once with a clear instruction and an "I have saved
// these codes" step (after the first second factor, and when made anew); on the account page,
// how many are left and making new ones with a code from the authenticator app.
import { useState } from 'react';
import type {
  ParentRecoveryCodesLeft,
  ParentRecoveryCodesMade,
} from '../../../src/shared/schemas/parents.ts';
import { RecoveryCodeList } from '../features/identity/RecoveryCodes.tsx';
import { Checkbox } from '../ui/Field.tsx';
import { Button, SubmitButton } from '../ui/Button.tsx';
import { Form, FormError } from '../ui/Form.tsx';
import { TextField } from '../ui/TextField.tsx';
import { useSubmit } from '../lib/useSubmit.ts';
import { parentApi } from './api.ts';
import { useParentLoad } from './useParentLoad.ts';

/** The codes, once: write them down or print them, then say so to go on. */
export function SaveRecoveryCodes({
  codes,
  onSaved,
  level = 2,
}: {
  codes: string[];
  onSaved: () => void;
  level?: 2 | 3;
}) {
  const [saved, setSaved] = useState(false);
  const [nudge, setNudge] = useState(false);
  return (
    <div className="stack card">
      <RecoveryCodeList codes={codes} away="your phone" level={level} />
      <p>
        If you lose your phone, you can sign in with one of these codes in place of the code from
        your authenticator app. Write them down or print them now and keep them safe: Lantern cannot
        show them to you again.
      </p>
      <Checkbox
        checked={saved}
        onChange={(v) => {
          setSaved(v);
          setNudge(false);
        }}
      >
        I have saved these codes
      </Checkbox>
      {nudge && (
        <p className="message message-error" role="alert">
          Tick “I have saved these codes” once you have written them down or printed them.
        </p>
      )}
      <div className="actions">
        <Button variant="primary" onPress={() => (saved ? onSaved() : setNudge(true))}>
          Continue
        </Button>
      </div>
    </div>
  );
}

/** The account page's section: how many are left, and ten new ones with an authenticator code. */
export function ParentRecoveryCodesSection() {
  const left = useParentLoad<ParentRecoveryCodesLeft>('/api/parent/account/recovery-codes');
  const [codes, setCodes] = useState<string[] | null>(null);
  const [asking, setAsking] = useState(false);
  const [code, setCode] = useState('');
  const submit = useSubmit<'code'>();
  const make = async () => {
    const typed = code.replace(/\s/g, '');
    if (!/^\d{6}$/.test(typed)) {
      submit.invalid({ code: 'Enter the 6 digits your authenticator app shows.' });
      return;
    }
    const r = await parentApi<ParentRecoveryCodesMade>(
      'POST',
      '/api/parent/account/recovery-codes',
      { code: typed },
    );
    setCode('');
    setAsking(false);
    setCodes(r.codes);
  };
  return (
    <section aria-labelledby="recovery-heading" className="stack">
      <h2 id="recovery-heading">Recovery codes</h2>
      {codes ? (
        <>
          <p className="message message-success" role="status">
            New recovery codes are ready. The old ones no longer work.
          </p>
          <SaveRecoveryCodes
            codes={codes}
            level={3}
            onSaved={() => {
              setCodes(null);
              left.reload();
            }}
          />
        </>
      ) : (
        <>
          {left.status === 'loading' && <p role="status">Loading…</p>}
          {left.status === 'error' && (
            <p className="message message-error" role="alert">
              {left.message}
            </p>
          )}
          {left.status === 'ok' && (
            <p>
              {left.data.left === 1
                ? 'You have 1 unused recovery code left.'
                : `You have ${left.data.left} unused recovery codes left.`}{' '}
              {left.data.left <= 3 && 'Make new ones before they run out.'}
            </p>
          )}
          {asking ? (
            <Form submit={submit} onSubmit={make} className="stack">
              <p>Making new codes stops the old ones working.</p>
              <TextField
                label="Code from your authenticator app"
                name="code"
                value={code}
                onChange={setCode}
                inputMode="numeric"
                autoComplete="one-time-code"
              />
              <FormError />
              <div className="actions">
                <SubmitButton>Make new recovery codes</SubmitButton>
                <Button onPress={() => setAsking(false)}>Cancel</Button>
              </div>
            </Form>
          ) : (
            <div className="actions">
              <Button onPress={() => setAsking(true)}>Get new recovery codes</Button>
            </div>
          )}
        </>
      )}
    </section>
  );
}
