// Referrals made from a concern: each links to its own page and says plainly when the agency's
// response is overdue (the server decides that); and a form to record a new one — agency, who
// there, their reference and when it was made.
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../lib/api.ts';
import { formatWhen, toLocalInput } from '../../lib/format.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { refusedAs, useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { DateField, Select } from '../../ui/Field.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import { useDraft } from '../../lib/useDraft.ts';
import { DraftNotice } from '../../ui/DraftNotice.tsx';
import type { ConcernWithSeenPupils } from '../concerns/types.ts';
import { referralStatusLabel, responseTimeText } from './labels.ts';
import type {
  AgencyList,
  ReferralDetail,
  ReferralView,
} from '../../../../src/shared/schemas/referrals.ts';

type Agency = AgencyList['items'][number];
import '../../ui/records.css';

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

type Field = 'pupilId' | 'agencyId' | 'referredAt';

export function AddReferralForm({
  concern,
  caseFor,
  onSaved,
  onCancel,
  onDraftRestored,
}: {
  concern: ConcernWithSeenPupils;
  caseFor: (pupilId: string) => string | null;
  onSaved: (message: string) => void;
  /** Fold the form (what was typed stays, and its draft). */
  onCancel: () => void;
  /** A kept draft came back into the form: the page opens it. */
  onDraftRestored: () => void;
}) {
  const agencies = useLoad<AgencyList>('/api/referral-agencies');
  const now = useMemo(() => toLocalInput(new Date()), []);
  const [pupilId, setPupilId] = useState(concern.pupils[0]?.id ?? '');
  const [agencyId, setAgencyId] = useState('');
  const [contact, setContact] = useState('');
  const [reference, setReference] = useState('');
  const [referredAt, setReferredAt] = useState(now);
  const submit = useSubmit<Field>({ describe: refusedAs('The referral was not saved') });
  // Kept on the server while it is written (lib/useDraft.ts), as every form of the records window.
  const draft = useDraft(
    `referral-${concern.id}`,
    { pupilId, agencyId, contact, reference, referredAt },
    {
      worthKeeping: (f) =>
        f.agencyId !== '' || f.contact.trim() !== '' || f.reference.trim() !== '',
      restore: (f) => {
        if (typeof f.pupilId === 'string' && concern.pupils.some((x) => x.id === f.pupilId))
          setPupilId(f.pupilId);
        if (typeof f.agencyId === 'string') setAgencyId(f.agencyId);
        if (typeof f.contact === 'string') setContact(f.contact);
        if (typeof f.reference === 'string') setReference(f.reference);
        if (typeof f.referredAt === 'string') setReferredAt(f.referredAt);
      },
    },
  );
  // A kept draft opens the folded form (onDraftRestored is stable: it runs only when one comes).
  const restored = draft.restoredFrom !== null;
  useEffect(() => {
    if (restored) onDraftRestored();
  }, [restored, onDraftRestored]);
  const clear = () => {
    setAgencyId('');
    setContact('');
    setReference('');
  };

  const record = async () => {
    const when = new Date(referredAt);
    const wrong = submit.invalid({
      pupilId: !pupilId && 'Choose the pupil.',
      agencyId: !agencyId && 'Choose the agency.',
      referredAt:
        !referredAt || Number.isNaN(when.getTime())
          ? 'Enter when the referral was made.'
          : when.getTime() > Date.now() + 60_000 && 'The referral date cannot be in the future.',
    });
    if (wrong) return;
    const caseId = caseFor(pupilId);
    await api<ReferralDetail>('POST', '/api/referrals', {
      pupilId,
      agencyId,
      concernId: concern.id,
      ...(caseId ? { caseId } : {}),
      referredAt: when.toISOString(),
      ...(contact.trim() ? { contact: contact.trim() } : {}),
      ...(reference.trim() ? { reference: reference.trim() } : {}),
    });
    clear();
    await draft.finished();
    onSaved('Referral recorded.');
  };

  const hours = (a: Agency) =>
    a.expectedResponseHours === null
      ? ''
      : ` (response expected ${responseTimeText(a.expectedResponseHours).toLowerCase()})`;
  return (
    <Form submit={submit} onSubmit={record} className="stack-tight follow-up-form">
      <DraftNotice draft={draft} onDiscard={clear} />
      {concern.pupils.length > 1 && (
        <Select name="pupilId" label="Pupil" value={pupilId} onChange={setPupilId}>
          {concern.pupils.map((x) => (
            <option key={x.id} value={x.id}>
              {x.name}
            </option>
          ))}
        </Select>
      )}
      <Select
        name="agencyId"
        label="Agency"
        value={agencyId}
        onChange={setAgencyId}
        isDisabled={agencies.status !== 'ok'}
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
      </Select>
      <TextField
        label="Contact at the agency"
        optional
        maxLength={500}
        autoComplete="off"
        value={contact}
        onChange={setContact}
      />
      <TextField
        label="Their reference"
        optional
        maxLength={200}
        autoComplete="off"
        inputClassName="input input-short"
        value={reference}
        onChange={setReference}
      />
      <DateField
        name="referredAt"
        label="When the referral was made"
        withTime
        max={now}
        value={referredAt}
        onChange={setReferredAt}
      />
      <FormError />
      <div className="actions">
        <SubmitButton>Record referral</SubmitButton>
        <Button variant="quiet" onPress={onCancel}>
          Cancel
        </Button>
      </div>
    </Form>
  );
}
