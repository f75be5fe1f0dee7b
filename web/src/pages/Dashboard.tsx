// The dashboard: begin logging a concern, my concerns, and (for those the server lets see the
// school's records) recent concerns with each pupil linked to their chronology.
import { useLocation, useNavigate } from 'react-router';
import { Button } from 'react-aria-components';
import type { ConcernView } from '../api.ts';
import { SEE_RECORDS, useSession, useSessionApi } from '../session.tsx';
import { useLoad } from '../useLoad.ts';
import { PageHeading } from '../components/PageHeading.tsx';
import { ConcernList } from '../components/ConcernList.tsx';
import { SecondFactorForm } from '../components/SecondFactorForm.tsx';

function flashOf(state: unknown): string | null {
  if (typeof state !== 'object' || state === null || !('flash' in state)) return null;
  const f = state.flash;
  return typeof f === 'string' ? f : null;
}

export function DashboardPage() {
  const session = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const flash = flashOf(location.state);
  const seesRecords = SEE_RECORDS.some((c) => session.has(c));
  const mine = useLoad<{ items: ConcernView[] }>('/api/concerns?mine=true');
  const recent = useLoad<{ items: ConcernView[] }>(seesRecords ? '/api/concerns' : null);

  return (
    <>
      <PageHeading title="Dashboard">Dashboard</PageHeading>
      <div role="status" className={flash ? 'message message-success' : 'visually-empty'}>
        {flash}
      </div>
      <div className="toolbar">
        {session.has('concern.create') && (
          <Button
            className="button button-primary button-large"
            onPress={() => void navigate('/concerns/new')}
          >
            Log a concern
          </Button>
        )}
      </div>
      <StepUpPanel />
      <section aria-labelledby="mine-heading" className="section">
        <h2 id="mine-heading">My concerns</h2>
        <ConcernList
          state={mine}
          linkPupils={session.has('pupil.chronology')}
          empty="You have not logged any concerns yet."
        />
      </section>
      {seesRecords && (
        <section aria-labelledby="recent-heading" className="section">
          <h2 id="recent-heading">Recent concerns</h2>
          <ConcernList
            state={recent}
            linkPupils={session.has('pupil.chronology')}
            empty="No concerns have been logged yet."
          />
        </section>
      )}
    </>
  );
}

/** Offered when the server says the user could see records after giving a second factor. */
function StepUpPanel() {
  const session = useSession();
  const { adopt } = useSessionApi();
  const later = session.capabilitiesWhenElevated ?? [];
  const couldSee = SEE_RECORDS.some((c) => later.includes(c) && !session.has(c));
  if (!couldSee) return null;
  return (
    <section aria-labelledby="step-up-heading" className="section card">
      <h2 id="step-up-heading">See the school&rsquo;s records</h2>
      {session.secondFactor?.enrolled ? (
        <>
          <p>
            Confirm it is you with the code from your authenticator app to see records and
            chronologies.
          </p>
          <SecondFactorForm
            methods={['totp', 'recovery_code']}
            submitLabel="Verify"
            onDone={adopt}
          />
        </>
      ) : (
        <p>
          To see records you need a second factor (an authenticator app or a security key). Ask your
          school administrator to help you set one up.
        </p>
      )}
    </section>
  );
}
