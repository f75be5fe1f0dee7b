// The marker a pupil's chronology shows a reader of a concern about an adult linked to that pupil
// (issue 19): "Linked to a staff matter" and a link to it, nothing more. Asked only by members
// who hold `staff_concerns.read`; the server answers only with matters they may read (never one
// naming them), and anyone else's page is exactly as it was: nothing is drawn, not even a space.
import { Link } from 'react-router';
import { useLoad } from '../../lib/useLoad.ts';
import type { StaffMatterMarkers } from '../../../../src/shared/schemas/staff-concerns.ts';

export function StaffMatterMarker({ pupilId }: { pupilId: string }) {
  const markers = useLoad<StaffMatterMarkers>(`/api/pupils/${pupilId}/staff-matters`);
  if (markers.status !== 'ok' || markers.data.items.length === 0) return null;
  return (
    <ul className="stack-tight" aria-label="Staff matters">
      {markers.data.items.map((m, i) => (
        <li key={m.matterId}>
          <Link to={`/staff-concerns/${m.matterId}`}>
            Linked to a staff matter
            {markers.data.items.length > 1 ? ` (${i + 1} of ${markers.data.items.length})` : ''}
          </Link>
        </li>
      ))}
    </ul>
  );
}
