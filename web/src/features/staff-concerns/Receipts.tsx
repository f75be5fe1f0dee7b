// The receipts of the concerns about adults a member raised (issue 19): when, and to whom. Never
// the content nor what became of it: that is the case manager's.
import { useLocation } from 'react-router';
import { useLoad } from '../../lib/useLoad.ts';
import { formatWhen } from '../../lib/format.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { Notice, WhenLoaded } from '../../ui/Message.tsx';
import type { ReceiptList } from '../../../../src/shared/schemas/staff-concerns.ts';
import { ROUTED_TO_NAMES } from './words.ts';

function flashOf(state: unknown): string | null {
  if (typeof state !== 'object' || state === null || !('flash' in state)) return null;
  return typeof state.flash === 'string' ? state.flash : null;
}

export function ReceiptsPage() {
  const location = useLocation();
  const receipts = useLoad<ReceiptList>('/api/staff-concerns/receipts');
  return (
    <>
      <PageHeading title="Your receipts">Your receipts</PageHeading>
      <Notice text={flashOf(location.state)} />
      <WhenLoaded state={receipts}>
        {(data) =>
          data.items.length === 0 ? (
            <p>You have not raised a concern about an adult.</p>
          ) : (
            <ul className="stack-tight" aria-label="Receipts">
              {data.items.map((r) => (
                <li key={r.id} className="card">
                  Sent to {ROUTED_TO_NAMES[r.routedTo]} on {formatWhen(r.raisedAt)}. Reference{' '}
                  {r.id.slice(0, 8)}.
                </li>
              ))}
            </ul>
          )
        }
      </WhenLoaded>
    </>
  );
}
