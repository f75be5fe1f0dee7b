// Marking a pupil leaving by hand (issue 18): the leaving date and the destination, or "not
// known"; the transfer opens for the DSL team and its page follows.
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../../lib/api.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import { DateField } from '../../ui/Field.tsx';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { DestinationPicker, UNKNOWN } from './DestinationPicker.tsx';
import { NoConsentNote } from './NoConsent.tsx';

export function NewTransferPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const [leavingOn, setLeavingOn] = useState('');
  const [destination, setDestination] = useState(UNKNOWN);
  const submit = useSubmit<'leavingOn' | 'destination'>();
  const open = async () => {
    if (!leavingOn) {
      submit.invalid({ leavingOn: 'Give the day the pupil leaves.' });
      return;
    }
    const created = await api<{ id: string }>('POST', '/api/transfers', {
      pupilId: id,
      leavingOn,
      destinationUrn: destination === UNKNOWN ? null : Number(destination),
    });
    void navigate(`/transfers/${created.id}`);
  };
  return (
    <>
      <PageHeading title="Pupil leaving">Pupil leaving</PageHeading>
      <p className="lead">
        The child-protection file goes to the new school within 5 school days.{' '}
        <Link to={`/pupils/${id}`}>Back to the pupil’s record</Link>
      </p>
      <Form submit={submit} onSubmit={open} aria-label="Pupil leaving">
        <DateField
          name="leavingOn"
          label="Leaving date"
          value={leavingOn}
          onChange={setLeavingOn}
        />
        <DestinationPicker value={destination} onChange={setDestination} allowUnknown />
        <FormError />
        <FormStatus />
        <div className="actions">
          <SubmitButton>Open the transfer</SubmitButton>
        </div>
      </Form>
      <NoConsentNote />
    </>
  );
}
