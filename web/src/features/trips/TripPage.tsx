// One trip (issue 21): its pupils (with what their parents' answers to the trip's consent forms
// come to) and leaders, the cards downloaded for it (each revocable), for a leader the way to
// prepare the cards on this phone (the card app, card.html), and for those who manage trips
// "Edit trip" until it ends (an edit revokes the cards already downloaded, and says so).
import { useState } from 'react';
import { useParams } from 'react-router';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { SubmitScope, FormError } from '../../ui/Form.tsx';
import { Button } from '../../ui/Button.tsx';
import type { Trip, TripEdited } from '../../../../src/shared/trips.ts';
import type { ConsentState } from '../../../../src/shared/consents.ts';
import { Loaded } from './Loaded.tsx';
import { TripForm } from './TripForm.tsx';

const CONSENT_WORDS: Record<ConsentState | 'not_asked', string> = {
  given: 'consent given',
  refused: 'consent refused',
  disagreement: 'parents disagree',
  unanswered: 'not answered',
  withdrawn_form: 'form withdrawn by the school',
  not_asked: 'not asked on this form',
};

const REVOKED_WHY = {
  revoked: '',
  replaced: ' (replaced by a newer download)',
  trip_edited: ' because the trip was edited',
} as const;

function editedMessage(n: number): string {
  if (n === 0) return 'Trip saved.';
  return `Trip saved. The cards already downloaded for it (${n}) were revoked because the trip changed: each leader must prepare the cards again.`;
}

const when = (iso: string) =>
  new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

export function TripPage() {
  const { id = '' } = useParams();
  const trip = useLoad<Trip>(`/api/trips/${id}`);
  const submit = useSubmit();
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
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
          <p>
            Consent forms:{' '}
            {t.consentForms.length === 0 ? 'none' : t.consentForms.map((f) => f.title).join(', ')}
          </p>
          <p role="status">{saved}</p>
          {t.allowed.includes('edit') &&
            (editing ? (
              <TripForm
                initial={t}
                label="Edit trip"
                submitLabel="Save trip"
                onCancel={() => setEditing(false)}
                onSave={async (body) => {
                  const r = await api<TripEdited>('PUT', `/api/trips/${t.id}`, {
                    ...body,
                    basedOn: t.fingerprint,
                  });
                  await trip.reload();
                  setEditing(false);
                  setSaved(editedMessage(r.revokedBundles));
                }}
              />
            ) : (
              <p>
                <Button
                  onPress={() => {
                    setSaved(null);
                    setEditing(true);
                  }}
                >
                  Edit trip
                </Button>
              </p>
            ))}
          {t.allowed.includes('download_cards') && (
            <p>
              <a className="button button-primary" href={`/card.html?trip=${t.id}`}>
                Prepare cards on this phone
              </a>
            </p>
          )}
          <h2>Pupils</h2>
          <ul className="stack-tight">
            {t.pupilList.map((p) => (
              <li key={p.id}>
                {p.name}
                {p.consents.length > 0 && (
                  <ul aria-label={`${p.name}: consent`}>
                    {p.consents.map((c) => (
                      <li key={c.formId}>
                        {c.title}: {CONSENT_WORDS[c.state]}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
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
                      <>
                        revoked {when(b.revokedAt)}
                        {b.revokedBecause ? REVOKED_WHY[b.revokedBecause] : ''}
                      </>
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
