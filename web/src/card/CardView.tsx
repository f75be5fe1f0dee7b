// One pupil's emergency card: photo, contacts in priority order, conditions, medications,
// allergies, dietary needs, plans and consents. A change still waiting for confirmation is marked so.
import { useEffect, useMemo } from 'react';
import type { ConsentState } from '../../../src/shared/consents.ts';
import type { Card, CardItem, PlanDocument } from '../../../src/shared/trips.ts';

/**
 * A plan's document, from the decrypted bundle with no network: an image is shown in place,
 * through a blob: URL revoked when the card closes (a lock, the phone put away). Any other file
 * (a PDF, a Word document) is never opened or handed to the phone: a phone saves what it cannot
 * show in a page to its downloads, unencrypted, where it would outlive the card's PIN, expiry
 * and revocation. The card says where to read it instead.
 */
const blobUrl = (doc: PlanDocument) =>
  URL.createObjectURL(
    new Blob([Uint8Array.from(atob(doc.data), (c) => c.charCodeAt(0))], { type: doc.mime }),
  );

function PlanImage({ title, doc }: { title: string; doc: PlanDocument }) {
  const src = useMemo(() => blobUrl(doc), [doc]);
  useEffect(() => () => URL.revokeObjectURL(src), [src]);
  return <img className="plan-image" src={src} alt={`${title} (the plan's document)`} />;
}

const SHOWN_IN_PLACE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

function PlanFile({ title, doc }: { title: string; doc: PlanDocument }) {
  if (SHOWN_IN_PLACE.has(doc.mime)) return <PlanImage title={title} doc={doc} />;
  return (
    <p className="hint">
      {title}: its document is not opened on the phone, so it can never be saved outside the card.
      Read it in Lantern, or on the printout taken on the trip.
    </p>
  );
}

const RISK: Record<string, string> = { low: 'Low risk', medium: 'Medium risk', high: 'High risk' };
const SEVERITY: Record<string, string> = {
  mild: 'Mild',
  moderate: 'Moderate',
  severe: 'Severe',
  anaphylaxis: 'Anaphylaxis',
};

function Items({ title, items }: { title: string; items: CardItem[] }) {
  return (
    <>
      <h4>{title}</h4>
      {items.length === 0 ? (
        <p>None recorded.</p>
      ) : (
        <ul>
          {items.map((i, n) => (
            <li key={n} className={i.confirmed ? undefined : 'unconfirmed'}>
              <strong>{i.name}</strong>
              {i.riskLevel && (
                <span className={i.riskLevel === 'high' ? 'danger' : undefined}>
                  {' '}
                  — {RISK[i.riskLevel]}
                </span>
              )}
              {i.severity && (
                <span
                  className={
                    i.severity === 'anaphylaxis' || i.severity === 'severe' ? 'danger' : undefined
                  }
                >
                  {' '}
                  — {SEVERITY[i.severity]}
                </span>
              )}
              {i.dose && <> — {i.dose}</>}
              {i.when && <>, {i.when}</>}
              {i.administeredBy && <>, given by {i.administeredBy}</>}
              {i.details && <> ({i.details})</>}
              {!i.confirmed && <> (not yet confirmed)</>}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** A consent's state in words (cards downloaded before consents were carried have none). */
const CONSENT_WORDS: Record<ConsentState, string> = {
  given: 'given',
  refused: 'refused',
  disagreement: 'parents disagree — ask the office',
  unanswered: 'not answered',
  withdrawn_form: 'form withdrawn by the school',
};

export function CardView({ card }: { card: Card }) {
  return (
    <article className="pupil-card" aria-label={`Emergency card: ${card.name}`}>
      <h3>{card.name}</h3>
      {card.photo && <img src={card.photo} alt={`Photo of ${card.name}`} />}
      <p>
        {card.dateOfBirth && <>Born {card.dateOfBirth}. </>}
        {card.yearGroup} {card.form}
      </p>
      <h4>Emergency contacts</h4>
      {card.contacts.length === 0 ? (
        <p>None recorded.</p>
      ) : (
        <ol>
          {card.contacts.map((c, n) => (
            <li key={n}>
              {c.name}
              {c.relationship && <> ({c.relationship})</>}:{' '}
              {c.phones.map((p, m) => (
                <span key={m}>
                  {m > 0 && ', '}
                  <a href={`tel:${p.number.replace(/\s/g, '')}`}>{p.number}</a> ({p.kind})
                </span>
              ))}
            </li>
          ))}
        </ol>
      )}
      <Items title="Allergies" items={card.allergies} />
      <Items title="Conditions" items={card.conditions} />
      <Items title="Medications" items={card.medications} />
      <Items title="Dietary needs" items={card.dietary} />
      <h4>Healthcare and action plans</h4>
      {card.plans.length === 0 ? (
        <p>None recorded.</p>
      ) : (
        <ul>
          {card.plans.map((p, n) => (
            <li key={n}>
              {p.title} (until {p.expiresOn})
              {p.document ? (
                <>
                  {' '}
                  <PlanFile title={p.title} doc={p.document} />
                </>
              ) : p.documentLeftOut ? (
                <>
                  {' '}
                  <span>
                    (its file was too large to carry with the trip’s other plans: read it in
                    Lantern, or ask the office for a smaller copy)
                  </span>
                </>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      <h4>Consents</h4>
      {(card.consents ?? []).length === 0 ? (
        <p>None of the trip’s consent forms asks about this pupil.</p>
      ) : (
        <ul>
          {(card.consents ?? []).map((c, n) => (
            <li key={n}>
              {c.title}: <strong>{CONSENT_WORDS[c.state]}</strong> (version {c.version})
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}
