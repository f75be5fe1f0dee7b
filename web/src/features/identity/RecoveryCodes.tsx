// Ten recovery codes, shown once (after the first factor is set up, or when they are replaced).
// The server keeps only keyed hashes of them, so this is the only time they can be read.
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import type { RecoveryCodes } from '../../../../src/shared/schemas/identity.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { useSession, useSessionApi } from '../../app/session.tsx';
import { FormError } from '../../ui/Form.tsx';
import { Button } from '../../ui/Button.tsx';
import { SecondFactorForm, stepUpPrompt } from './SecondFactorForm.tsx';

export function RecoveryCodeList({
  codes,
  away,
  level = 3,
}: {
  codes: string[];
  /** What to keep them apart from: "your phone", "your key". */
  away: string;
  level?: 2 | 3;
}) {
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <div className="stack">
      <Heading>Recovery codes</Heading>
      <p>
        Keep these somewhere safe, away from {away}. Each works once if you lose it. They will not
        be shown again.
      </p>
      <ul className="recovery-codes" aria-label="Recovery codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * How many recovery codes are left, and replacing them with ten new ones (shown once). The
 * server wants a recent second factor for that (step_up_required), asked for here in place.
 */
export function RecoveryCodesSection() {
  const session = useSession();
  const { adopt, refresh } = useSessionApi();
  const [confirming, setConfirming] = useState(false);
  const [codes, setCodes] = useState<string[] | null>(null);
  const submit = useSubmit({ ownStepUp: true });
  const stepUp = submit.code === 'step_up_required';
  const f = session.secondFactor;
  const left = f?.recoveryCodesLeft ?? 0;

  const replace = () =>
    submit.run(async () => {
      const r = await api<RecoveryCodes>('POST', '/api/auth/recovery-codes');
      setCodes(r.codes);
      setConfirming(false);
      await refresh();
    });

  if (!f?.enrolled) {
    return <p>Recovery codes come with your first second factor (an app or a security key).</p>;
  }
  return (
    <div className="stack">
      {codes ? (
        <>
          <p className="message message-success" role="status">
            New recovery codes are ready. The old ones no longer work.
          </p>
          <RecoveryCodeList codes={codes} away="your phone and your keys" />
        </>
      ) : (
        <p>
          {left === 1
            ? 'You have 1 unused recovery code left.'
            : `You have ${left} unused recovery codes left.`}{' '}
          {left <= 3 && 'Replace them before they run out.'}
        </p>
      )}
      {!stepUp && <FormError submit={submit} />}
      {stepUp && (
        <div className="stack" role="group" aria-label="Confirm it is you">
          <p>{stepUpPrompt(f, 'to replace your recovery codes')}</p>
          <SecondFactorForm
            methods={['totp', 'recovery_code']}
            submitLabel="Verify"
            onDone={(s) => {
              adopt(s);
              void replace();
            }}
          />
        </div>
      )}
      {confirming && !stepUp ? (
        <div className="stack" role="group" aria-label="Replace recovery codes">
          <p>Replace your recovery codes? The ones you have now will stop working.</p>
          <div className="actions">
            <Button variant="primary" isPending={submit.pending} onPress={() => void replace()}>
              Replace my recovery codes
            </Button>
            <Button onPress={() => setConfirming(false)}>Cancel</Button>
          </div>
        </div>
      ) : (
        !stepUp && (
          <div className="actions">
            <Button onPress={() => setConfirming(true)}>Get new recovery codes</Button>
          </div>
        )
      )}
    </div>
  );
}
