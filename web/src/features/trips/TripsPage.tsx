// Trips (issue 21): every trip for those who manage them, the trips one leads otherwise; a new
// trip's details (TripForm.tsx); each trip's page prepares its emergency cards.
import { Link, useNavigate } from 'react-router';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSession } from '../../app/session.tsx';
import { PageHeading } from '../../ui/PageHeading.tsx';
import type { TripList } from '../../../../src/shared/trips.ts';
import { Loaded } from './Loaded.tsx';
import { TripForm } from './TripForm.tsx';

export default function TripsPage() {
  const session = useSession();
  const navigate = useNavigate();
  const trips = useLoad<TripList>('/api/trips');
  const manages = (session.capabilitiesWhenElevated ?? []).includes('parents');
  return (
    <>
      <PageHeading title="Trips">Trips</PageHeading>
      <Loaded state={trips}>
        {(d) =>
          d.items.length === 0 ? (
            <p>No trips.</p>
          ) : (
            <ul className="stack-tight">
              {d.items.map((trip) => (
                <li key={trip.id}>
                  <Link to={`/trips/${trip.id}`}>{trip.name}</Link> — {trip.startsOn} to{' '}
                  {trip.endsOn}, {trip.pupils} pupils
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
      {manages && (
        <TripForm
          label="New trip"
          submitLabel="Create trip"
          onSave={async (body) => {
            const made = await api<{ id: string }>('POST', '/api/trips', body);
            void navigate(`/trips/${made.id}`);
          }}
        />
      )}
    </>
  );
}
