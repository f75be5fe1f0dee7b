// Asked for under a form when the server wants the second factor before saving it (a records
// window ended while someone was writing): the form and what was typed stay where they are, the
// person gives their code or security key here, and the form is sent again (ui/Form.tsx).
import { useEffect, useId, useRef } from 'react';
import { Link } from 'react-router';
import { useSession, useSessionApi } from '../../app/session.tsx';
import { SecondFactorForm, stepUpPrompt } from './SecondFactorForm.tsx';

export function StepUpInPlace({ onDone }: { onDone: () => void }) {
  const session = useSession();
  const { adopt } = useSessionApi();
  const headingId = useId();
  const box = useRef<HTMLElement>(null);
  // The person's next step is here: take the focus to its first control.
  useEffect(() => {
    box.current?.querySelector<HTMLElement>('input, button')?.focus();
  }, []);
  return (
    <section ref={box} aria-labelledby={headingId} className="card step-up-in-place stack-tight">
      <h3 id={headingId}>Confirm it is you to carry on</h3>
      {session.secondFactor?.enrolled ? (
        <>
          <p>{stepUpPrompt(session.secondFactor, 'to send it again')}</p>
          <SecondFactorForm
            methods={['totp', 'recovery_code']}
            submitLabel="Verify and send again"
            onDone={(next) => {
              adopt(next);
              onDone();
            }}
          />
        </>
      ) : (
        <p>
          Sending this needs a second factor, and you have none yet. Set one up on your{' '}
          <Link to="/account" target="_blank">
            account security
          </Link>{' '}
          page (it opens in a new tab, so what you typed here stays), then send it again.
        </p>
      )}
    </section>
  );
}
