// Asked in place when the server wants a second factor before this area opens (issue 19).
import { Link } from 'react-router';
import { useSession, useSessionApi } from '../../app/session.tsx';
import { SecondFactorForm, stepUpPrompt } from '../identity/SecondFactorForm.tsx';

export function StepUp({ onDone }: { onDone: () => void }) {
  const session = useSession();
  const { adopt } = useSessionApi();
  return (
    <section aria-labelledby="staff-concerns-step-up" className="section card">
      <h2 id="staff-concerns-step-up">Confirm it is you</h2>
      {session.secondFactor?.enrolled ? (
        <>
          <p>{stepUpPrompt(session.secondFactor, 'to open concerns about adults')}</p>
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
          You need a second factor first. Set one up on your{' '}
          <Link to="/account">account security</Link> page.
        </p>
      )}
    </section>
  );
}
