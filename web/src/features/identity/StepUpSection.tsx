// An area that needs the second factor before it opens (the register, retention, concerns about
// adults, administration): asked for in place, then the area loads again. One section for every
// such area, so the wording and the methods offered stay the same everywhere.
import { useId } from 'react';
import { Link } from 'react-router';
import { useSession, useSessionApi } from '../../app/session.tsx';
import { SecondFactorForm, stepUpPrompt } from './SecondFactorForm.tsx';

export function StepUpSection({
  purpose,
  area,
  onDone,
}: {
  /** What verifying does, after "Enter … ": e.g. "to open retention and legal holds". */
  purpose: string;
  /** The area, starting a sentence: e.g. "Retention". */
  area: string;
  onDone: () => void;
}) {
  const session = useSession();
  const { adopt } = useSessionApi();
  const headingId = useId();
  return (
    <section aria-labelledby={headingId} className="section card">
      <h2 id={headingId}>Confirm it is you</h2>
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
          {area} needs a second factor. Set one up on your{' '}
          <Link to="/account">account security</Link> page.
        </p>
      )}
    </section>
  );
}
