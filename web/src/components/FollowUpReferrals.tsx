// Referrals made from a concern: each links to its own page and says plainly when the agency's
// response is overdue (the server decides that); and a form to record a new one — agency, who
// there, their reference and when it was made.
import { useId, useMemo, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Button } from 'react-aria-components';
import { api, ApiError, errorMessage, type ConcernWithSeenPupils } from '../api.ts';
import { formatWhen, toLocalInput } from '../format.ts';
import {
  referralStatusLabel,
  type Agency,
  type ReferralDetail,
  type ReferralView,
} from '../caseWork.ts';
import { useLoad } from '../useLoad.ts';
import { FormField, focusFirstError } from './FormField.tsx';
import '../case-work.css';

export function ReferralList({ referrals }: { referrals: ReferralView[] }) {
  if (referrals.length === 0) return <p className="muted">No referrals yet.</p>;
  return (
    <ul className="record-list" aria-label="Referrals">
      {referrals.map((r) => (
        <li key={r.id}>
          <h4 className="record-title">
            <Link to={`/referrals/${r.id}`}>Referral to {r.agency}</Link> for {r.pupil.name}
            {r.overdue && <span className="badge badge-overdue">Overdue</span>}
          </h4>
          <dl className="facts facts-stack">
            <dt>Referred</dt>
            <dd>{formatWhen(r.referredAt)}</dd>
            <dt>Status</dt>
            <dd>{referralStatusLabel(r.status)}</dd>
            {r.dueAt && !r.respondedAt && !r.closedAt && (
              <>
                <dt>Response expected by</dt>
                <dd>{formatWhen(r.dueAt)}</dd>
              </>
            )}
            {r.reference && (
              <>
                <dt>Reference</dt>
                <dd>{r.reference}</dd>
              </>
            )}
          </dl>
        </li>
      ))}
    </ul>
  );
}

type Field = 'pupil' | 'agency' | 'referredAt';
type Errors = Partial<Record<Field, string>>;

export function AddReferralForm({
  concern,
  caseFor,
  onSaved,
}: {
  concern: ConcernWithSeenPupils;
  caseFor: (pupilId: string) => string | null;
  onSaved: (message: string) => void;
}) {
  const uid = useId();
  const ids: Record<Field, string> = {
    pupil: `${uid}-pupil`,
    agency: `${uid}-agency`,
    referredAt: `${uid}-when`,
  };
  const agencies = useLoad<{ items: Agency[] }>('/api/referral-agencies');
  const now = useMemo(() => toLocalInput(new Date()), []);
  const [pupilId, setPupilId] = useState(concern.pupils[0]?.id ?? '');
  const [agencyId, setAgencyId] = useState('');
  const [contact, setContact] = useState('');
  const [reference, setReference] = useState('');
  const [referredAt, setReferredAt] = useState(now);
  const [errors, setErrors] = useState<Errors>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setServerError(null);
    const found: Errors = {};
    if (!pupilId) found.pupil = 'Choose the pupil.';
    if (!agencyId) found.agency = 'Choose the agency.';
    const when = new Date(referredAt);
    if (!referredAt || Number.isNaN(when.getTime()))
      found.referredAt = 'Enter when the referral was made.';
    else if (when.getTime() > Date.now() + 60_000)
      found.referredAt = 'The referral date cannot be in the future.';
    setErrors(found);
    if (focusFirstError(ids, found)) return;
    const caseId = caseFor(pupilId);
    setBusy(true);
    try {
      await api<ReferralDetail>('POST', '/api/referrals', {
        pupilId,
        agencyId,
        concernId: concern.id,
        ...(caseId ? { caseId } : {}),
        referredAt: when.toISOString(),
        ...(contact.trim() ? { contact: contact.trim() } : {}),
        ...(reference.trim() ? { reference: reference.trim() } : {}),
      });
      setAgencyId('');
      setContact('');
      setReference('');
      onSaved('Referral recorded.');
    } catch (err) {
      setServerError(
        err instanceof ApiError && err.status === 400
          ? `The referral was not saved: ${err.message}`
          : `The referral was not saved. ${errorMessage(err)}`,
      );
    } finally {
      setBusy(false);
    }
  };

  const hours = (a: Agency) =>
    a.expectedResponseHours === null
      ? ''
      : ` (response expected within ${a.expectedResponseHours} hours)`;
  return (
    <form className="stack-tight follow-up-form" onSubmit={(e) => void submit(e)} noValidate>
      <h4 className="record-title">Record a referral</h4>
      {concern.pupils.length > 1 && (
        <FormField id={ids.pupil} label="Pupil" error={errors.pupil}>
          {(p) => (
            <select
              {...p}
              className="input"
              value={pupilId}
              onChange={(e) => setPupilId(e.target.value)}
            >
              {concern.pupils.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
          )}
        </FormField>
      )}
      <FormField id={ids.agency} label="Agency" error={errors.agency}>
        {(p) => (
          <select
            {...p}
            className="input"
            value={agencyId}
            onChange={(e) => setAgencyId(e.target.value)}
            disabled={agencies.status !== 'ok'}
          >
            <option value="">
              {agencies.status === 'loading'
                ? 'Loading agencies…'
                : agencies.status === 'error'
                  ? 'Agencies could not be loaded'
                  : 'Choose an agency'}
            </option>
            {agencies.status === 'ok' &&
              agencies.data.items.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                  {hours(a)}
                </option>
              ))}
          </select>
        )}
      </FormField>
      <FormField id={`${uid}-contact`} label="Contact at the agency" optional>
        {(p) => (
          <input
            {...p}
            className="input"
            type="text"
            maxLength={500}
            autoComplete="off"
            value={contact}
            onChange={(e) => setContact(e.target.value)}
          />
        )}
      </FormField>
      <FormField id={`${uid}-reference`} label="Their reference" optional>
        {(p) => (
          <input
            {...p}
            className="input input-short"
            type="text"
            maxLength={200}
            autoComplete="off"
            value={reference}
            onChange={(e) => setReference(e.target.value)}
          />
        )}
      </FormField>
      <FormField id={ids.referredAt} label="When the referral was made" error={errors.referredAt}>
        {(p) => (
          <input
            {...p}
            className="input input-short"
            type="datetime-local"
            max={now}
            value={referredAt}
            onChange={(e) => setReferredAt(e.target.value)}
          />
        )}
      </FormField>
      <div role="alert" className={serverError ? 'message message-error' : 'visually-empty'}>
        {serverError}
      </div>
      <div className="actions">
        <Button type="submit" className="button button-primary">
          Record referral
        </Button>
      </div>
    </form>
  );
}
