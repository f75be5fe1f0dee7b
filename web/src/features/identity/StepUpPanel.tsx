// Asked in place when the server wants a second factor before an area opens: the code (or a
// recovery code), then the page loads again. One panel for every area (`purpose` finishes the
// sentence "Give the code from your authenticator app …"); the older per-area copies
// (administration, data protection, concerns about adults) can move to it.
import { Link } from 'react-router';
import { useSession, useSessionApi } from '../../app/session.tsx';
import { SecondFactorForm, stepUpPrompt } from './SecondFactorForm.tsx';

export function StepUpPanel({
  id,
  purpose,
  onDone,
}: {
  /** The heading's id, unique on the page. */
  id: string;
  /** Why: "to open parents and forms". */
  purpose: string;
  onDone: () => void;
}) {
  const session = useSession();
  const { adopt } = useSessionApi();
  return (
    <section aria-labelledby={id} className="section card">
      <h2 id={id}>Confirm it is you</h2>
      {session.secondFactor?.enrolled ? (
        <>
          <p>{stepUpPrompt(session.secondFactor, purpose)}</p>
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
