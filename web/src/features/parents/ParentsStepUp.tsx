// "Parents and forms" needs a second factor: the page asks for it in place, then loads again.
import { Link } from 'react-router';
import { useSession, useSessionApi } from '../../app/session.tsx';
import { SecondFactorForm, stepUpPrompt } from '../identity/SecondFactorForm.tsx';

export function ParentsStepUp({ onDone }: { onDone: () => void }) {
  const session = useSession();
  const { adopt } = useSessionApi();
  return (
    <section aria-labelledby="parents-step-up" className="section card">
      <h2 id="parents-step-up">Confirm it is you</h2>
      {session.secondFactor?.enrolled ? (
        <>
          <p>{stepUpPrompt(session.secondFactor, 'to open parents and forms')}</p>
          <SecondFactorForm
            methods={['totp', 'recovery_code']}
            submitLabel="Verify"
            onDone={(s) => {
              adopt(s);
              onDone();
            }}
          />
        </>
      ) : (
        <p>
          Parents and forms needs a second factor. Set one up on your{' '}
          <Link to="/account">account security</Link> page.
        </p>
      )}
    </section>
  );
}
