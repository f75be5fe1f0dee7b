// The anchor code on the audit trail page (issue 20): whether the DPO is emailed each day's anchor
// code (the DPO chooses; everyone else with the trail sees the choice), and "Check a code": a code
// read back from an email is checked against the trail, which says whether it still matches.
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { Checkbox } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import { ANCHOR_CODE_EXAMPLE } from '../../../../src/shared/anchor-code.ts';
import type { AnchorCodeCheck, AnchorEmail } from '../../../../src/shared/schemas/audit-trail.ts';

export function AnchorCodeSection() {
  return (
    <section className="card stack" aria-labelledby="anchor-heading">
      <h2 id="anchor-heading">Anchor codes</h2>
      <p className="hint">
        Each day Lantern signs the trail’s latest entry and keeps it outside the database. Its short
        code can be emailed to the data-protection officer; read back later, it shows whether the
        trail has been cut short or rewritten since.
      </p>
      <EmailChoice />
      <CheckCode />
    </section>
  );
}

function EmailChoice() {
  const state = useLoad<AnchorEmail>('/api/audit/anchor-email');
  const submit = useSubmit();
  const [on, setOn] = useState<boolean | null>(null);
  if (state.status === 'loading') return <p role="status">Loading…</p>;
  if (state.status === 'error')
    return (
      <p role="alert" className="message message-error">
        {state.message}
      </p>
    );
  const chosen = on ?? state.data.emailCode;
  if (!state.data.allowed.includes('change'))
    return (
      <p>
        {state.data.emailCode
          ? 'The data-protection officer is emailed each day’s code.'
          : 'The data-protection officer has not chosen to be emailed the codes.'}
      </p>
    );
  return (
    <Form
      submit={submit}
      aria-label="Emailing the anchor code"
      onSubmit={async () => {
        await api('PUT', '/api/audit/anchor-email', { emailCode: chosen });
        return chosen ? 'You will be emailed each day’s code.' : 'The codes will not be emailed.';
      }}
    >
      <Checkbox checked={chosen} onChange={setOn}>
        Email me each day’s anchor code (the email holds the code and nothing else)
      </Checkbox>
      <FormError />
      <FormStatus submit={submit} />
      <div className="actions">
        <SubmitButton variant="secondary">Save my choice</SubmitButton>
      </div>
    </Form>
  );
}

function CheckCode() {
  const submit = useSubmit<'code'>();
  const [code, setCode] = useState('');
  const [result, setResult] = useState<AnchorCodeCheck | null>(null);
  return (
    <Form
      submit={submit}
      aria-label="Check a code"
      onSubmit={async () => {
        setResult(null);
        if (!code.trim()) {
          submit.invalid({ code: 'Enter the code from the email.' });
          return;
        }
        setResult(await api<AnchorCodeCheck>('POST', '/api/audit/anchor-code/check', { code }));
      }}
    >
      <h3>Check a code</h3>
      <TextField
        name="code"
        label="Anchor code"
        hint={`As in the email, such as ${ANCHOR_CODE_EXAMPLE}.`}
        value={code}
        onChange={setCode}
        spellCheck={false}
      />
      <FormError />
      <div role="status" aria-live="polite">
        {result && (
          <p className={result.matches ? 'message message-success' : 'message message-error'}>
            {result.matches ? '' : 'Does not match. '}
            {result.message}
          </p>
        )}
      </div>
      <div className="actions">
        <SubmitButton variant="secondary">Check the code</SubmitButton>
      </div>
    </Form>
  );
}
