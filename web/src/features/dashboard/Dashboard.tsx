// The dashboard: begin logging a concern; my alerts, my actions, open cases and overdue referrals
// (one /api/dashboard answer, filtered by the server); my concerns; and (for those the server lets
// see the school's records) recent concerns with each pupil linked to their chronology.
import { Link, useLocation, useNavigate } from 'react-router';
import { useLoad } from '../../lib/useLoad.ts';
import { SEE_RECORDS, useSession, useSessionApi } from '../../app/session.tsx';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { Button } from '../../ui/Button.tsx';
import { Notice } from '../../ui/Message.tsx';
import type { ConcernList as Concerns } from '../../../../src/shared/schemas/concerns.ts';
import type { Dashboard } from '../../../../src/shared/schemas/dashboard.ts';
import { ConcernList } from '../concerns/ConcernList.tsx';
import { SecondFactorForm, stepUpPrompt } from '../identity/SecondFactorForm.tsx';
import { DashboardWork } from './DashboardWork.tsx';
import { RisingPupils } from '../patterns/RisingPupils.tsx';
import { TransfersRegion } from '../transfers/TransfersRegion.tsx';

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
  // Stepping up changes what the server sends (actions in full, not just how many): load again.
  const work = useLoad<Dashboard>('/api/dashboard', { reloadOn: session.elevated ?? false });
  const mine = useLoad<Concerns>('/api/concerns?mine=true');
  const recent = useLoad<Concerns>(seesRecords ? '/api/concerns' : null);
  const changed = () => {
    void work.reload();
    void recent.reload();
  };

  return (
    <>
      <PageHeading title="Dashboard">Dashboard</PageHeading>
      <Notice text={flash} />
      <div className="toolbar">
        {session.has('concern.create') && (
          <Button variant="primary" large onPress={() => void navigate('/concerns/new')}>
            Log a concern
          </Button>
        )}
        {(session.capabilitiesWhenElevated ?? []).includes('retention') && (
          <Link className="button" to="/retention">
            Retention and legal holds
          </Link>
        )}
        {session.has('staff_concerns.write') && (
          <Link className="button" to="/staff-concerns/new">
            Raise a concern about an adult
          </Link>
        )}
        {/* Any member may lead a trip and carry its emergency cards (issue 21); the banner's
            Trips link is for those who manage trips, so a phone's banner stays short. */}
        {!(session.capabilitiesWhenElevated ?? []).includes('parents') && (
          <Link className="button" to="/trips">
            Trips
          </Link>
        )}
        {(session.capabilitiesWhenElevated ?? []).includes('staff_concerns.read') && (
          <Link className="button" to="/staff-concerns">
            Concerns about adults
          </Link>
        )}
        {session.has('admin') && (
          <Link className="button" to="/admin/mis">
            MIS imports and keys
          </Link>
        )}
        {session.has('admin') && (
          <>
            <Link className="button" to="/admin/users">
              Staff
            </Link>
            <Link className="button" to="/admin/groups">
              Groups and permissions
            </Link>
            <Link className="button" to="/admin/categories">
              Categories
            </Link>
            <Link className="button" to="/admin/policies">
              School policies
            </Link>
            <Link className="button" to="/admin/referral-agencies">
              Referral agencies
            </Link>
            <Link className="button" to="/admin/calendar">
              Term dates
            </Link>
          </>
        )}
      </div>
      <StepUpPanel actionsWaiting={work.status === 'ok' ? work.data.actionsWaiting : 0} />
      <DashboardWork state={work} onChanged={changed} />
      {session.has('case.manage') && <TransfersRegion />}
      {session.has('case.manage') && <RisingPupils />}
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

/** Offered when the server says the user could do more (see records, administer, open the
 * actions waiting for them) after giving a second factor. */
function StepUpPanel({ actionsWaiting }: { actionsWaiting: number }) {
  const session = useSession();
  const { adopt } = useSessionApi();
  const later = session.capabilitiesWhenElevated ?? [];
  // Everyone may open their own actions once elevated; that alone is worth a prompt only when
  // some are waiting.
  const couldDoMore = later.some(
    (c) => !session.has(c) && (c !== 'actions.assigned' || actionsWaiting > 0),
  );
  if (!couldDoMore) return null;
  const what = SEE_RECORDS.some((c) => later.includes(c))
    ? 'records and chronologies'
    : later.includes('admin')
      ? 'the school’s administration'
      : later.includes('staff_concerns.read')
        ? 'concerns about adults'
        : 'the actions waiting for you';
  return (
    <section aria-labelledby="step-up-heading" className="section card">
      <h2 id="step-up-heading">Confirm it is you</h2>
      {session.secondFactor?.enrolled ? (
        <>
          <p>{stepUpPrompt(session.secondFactor, `to open ${what}`)}</p>
          <SecondFactorForm
            methods={['totp', 'recovery_code']}
            submitLabel="Verify"
            onDone={adopt}
          />
        </>
      ) : (
        <p>
          To open {what} you need a second factor. Set one up on your{' '}
          <Link to="/account">account security</Link> page.
        </p>
      )}
    </section>
  );
}
