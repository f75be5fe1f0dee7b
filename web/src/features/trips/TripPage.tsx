// One trip (issue 21): its pupils and leaders, the cards downloaded for it (each revocable), and
// for a leader the way to prepare the cards on this phone (the card app, card.html).
import { useParams } from 'react-router';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { SubmitScope, FormError } from '../../ui/Form.tsx';
import { Button } from '../../ui/Button.tsx';
import type { Trip } from '../../../../src/shared/trips.ts';
import { Loaded } from './Loaded.tsx';

const when = (iso: string) =>
  new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

export function TripPage() {
  const { id = '' } = useParams();
  const trip = useLoad<Trip>(`/api/trips/${id}`);
  const submit = useSubmit();
  const revoke = (bundleId: string) =>
    void submit.run(async () => {
      await api('POST', `/api/card-bundles/${bundleId}/revoke`);
      await trip.reload();
      return 'Revoked: those cards will not open again once the phone is online, and their key is never released again.';
    });
  return (
    <Loaded state={trip}>
      {(t) => (
        <>
          <PageHeading title={t.name}>{t.name}</PageHeading>
          <p>
            {t.startsOn} to {t.endsOn}. Its emergency cards stop opening at {when(t.cardsExpireAt)}.
          </p>
          <p>Leaders: {t.leaders.map((l) => l.name).join(', ')}</p>
          {t.allowed.includes('download_cards') && (
            <p>
              <a className="button button-primary" href={`/card.html?trip=${t.id}`}>
                Prepare cards on this phone
              </a>
            </p>
          )}
          <h2>Pupils</h2>
          <ul>
            {t.pupilList.map((p) => (
              <li key={p.id}>{p.name}</li>
            ))}
          </ul>
          <h2>Cards downloaded</h2>
          <SubmitScope submit={submit}>
            <FormError />
            <p role="status">{submit.done}</p>
            {t.bundles.length === 0 ? (
              <p>None yet.</p>
            ) : (
              <ul className="stack-tight">
                {t.bundles.map((b) => (
                  <li key={b.id}>
                    {b.holder}, {when(b.createdAt)}:{' '}
                    {b.revokedAt ? (
                      <>revoked {when(b.revokedAt)}</>
                    ) : (
                      <>
                        open until {when(b.expiresAt)}{' '}
                        <Button
                          variant="quiet"
                          aria-label={`Revoke the cards ${b.holder} downloaded ${when(b.createdAt)}`}
                          onPress={() => revoke(b.id)}
                        >
                          Revoke
                        </Button>
                      </>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </SubmitScope>
        </>
      )}
    </Loaded>
  );
}
