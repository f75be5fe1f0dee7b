// The school's switch for sharing its figures with its trust (issue 20), a section of the school
// policies page: "Share figures with the trust". Only administrators may change it (the server
// says so in `allowed.change`); each change is audited in the school's chain.
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { Checkbox } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import { WhenLoaded } from '../../ui/Message.tsx';
import type { TrustSharing } from '../../../../src/shared/schemas/trust.ts';
import { formatWhen } from '../../lib/format.ts';

export function TrustSharingSection() {
  const state = useLoad<TrustSharing>('/api/trust-sharing');
  return (
    <section aria-labelledby="trust-sharing-heading" className="stack">
      <h2 id="trust-sharing-heading">Share figures with the trust</h2>
      <WhenLoaded state={state}>{(s) => <SharingForm initial={s} />}</WhenLoaded>
      <p>
        A pupil’s record reaches the trust only when the DSL team gives a named trust member access
        for a time: <Link to="/trust-access">Trust access to records</Link>.
      </p>
    </section>
  );
}

function SharingForm({ initial }: { initial: TrustSharing }) {
  const [view, setView] = useState(initial);
  const [sharing, setSharing] = useState(initial.sharing);
  const submit = useSubmit();
  if (!view.trust) return <p>This school does not belong to a trust.</p>;
  const save = async () => {
    const next = await api<TrustSharing>('PUT', '/api/trust-sharing', { sharing });
    setView(next);
    setSharing(next.sharing);
    return next.sharing
      ? `${next.trust} can now see the school’s figures (counts only, small numbers hidden).`
      : `${next.trust} can no longer see the school’s figures.`;
  };
  return (
    <Form submit={submit} onSubmit={save} className="stack card">
      <p>
        {view.sharing
          ? `The school’s report figures are shared with ${view.trust}${view.since ? ` since ${formatWhen(view.since)}` : ''}.`
          : `The school’s report figures are not shared with ${view.trust}.`}{' '}
        The trust sees counts only, with any count under 5 hidden; never a pupil’s name or record.
      </p>
      <Checkbox
        name="sharing"
        checked={sharing}
        onChange={setSharing}
        isDisabled={!view.allowed.change}
        hint="Turning this off hides the figures from the trust at once."
      >
        Share this school’s figures with {view.trust}
      </Checkbox>
      <FormError />
      <FormStatus submit={submit} />
      {view.allowed.change && (
        <div className="actions">
          <SubmitButton>Save sharing</SubmitButton>
        </div>
      )}
    </Form>
  );
}
