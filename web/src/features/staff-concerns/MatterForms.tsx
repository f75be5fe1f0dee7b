// The case manager's forms on one concern about an adult (issue 19): the LADO contact (officer,
// when, advice, reference, strategy meeting, police or children's social care involvement, the
// suspension decision and its review date), KCSIE's outcome (exactly its five) and the date a
// copy was given to the member. Each is shown only when the server's `allowed` says so; a refusal
// is shown beside the form and nothing typed is cleared until the server has taken it.
import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../lib/api.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { toLocalInput } from '../../lib/format.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextArea, TextField } from '../../ui/TextField.tsx';
import { Checkbox, DateField, RadioGroup } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import {
  OUTCOMES,
  type Matter,
  type NewLadoContact,
  type Outcome,
} from '../../../../src/shared/schemas/staff-concerns.ts';
import { OUTCOME_HINTS, OUTCOME_NAMES } from './words.ts';

type LadoField = 'officer' | 'contactedAt' | 'advice' | 'reviewOn';

export function LadoContactForm({ matter, onDone }: { matter: Matter; onDone: () => void }) {
  const now = useMemo(() => toLocalInput(new Date()), []);
  const [officer, setOfficer] = useState('');
  const [contactedAt, setContactedAt] = useState(now);
  const [advice, setAdvice] = useState('');
  const [reference, setReference] = useState('');
  const [strategyMeetingOn, setStrategyMeetingOn] = useState('');
  const [police, setPolice] = useState(false);
  const [socialCare, setSocialCare] = useState(false);
  const [suspension, setSuspension] = useState('');
  const [reviewOn, setReviewOn] = useState('');
  const submit = useSubmit<LadoField>();
  const send = async () => {
    const when = new Date(contactedAt);
    const wrong = submit.invalid({
      officer: !officer.trim() && 'Give the name of the LADO you spoke to.',
      contactedAt:
        !contactedAt || Number.isNaN(when.getTime())
          ? 'Enter when you contacted the LADO.'
          : when.getTime() > Date.now() + 60_000 && 'The contact cannot be in the future.',
      advice: !advice.trim() && 'Write the LADO’s advice.',
      reviewOn:
        reviewOn !== '' &&
        !suspension.trim() &&
        'A review date belongs to a suspension decision: record the decision too.',
    });
    if (wrong) return;
    const body: NewLadoContact = {
      officer: officer.trim(),
      contactedAt: when.toISOString(),
      advice: advice.trim(),
      policeInvolved: police,
      socialCareInvolved: socialCare,
      ...(reference.trim() && { reference: reference.trim() }),
      ...(strategyMeetingOn && { strategyMeetingOn }),
      ...(suspension.trim() && { suspension: suspension.trim() }),
      ...(reviewOn && { reviewOn }),
    };
    await api('POST', `/api/staff-concerns/${matter.id}/lado-contacts`, body);
    setOfficer('');
    setAdvice('');
    setReference('');
    setStrategyMeetingOn('');
    setPolice(false);
    setSocialCare(false);
    setSuspension('');
    setReviewOn('');
    onDone();
    return 'LADO contact recorded.';
  };
  return (
    <section aria-labelledby="lado-form-heading" className="section card">
      <h2 id="lado-form-heading">Record the LADO contact</h2>
      <Form
        submit={submit}
        onSubmit={send}
        className="stack-tight"
        aria-label="Record the LADO contact"
      >
        <TextField
          name="officer"
          label="LADO officer"
          maxLength={200}
          value={officer}
          onChange={setOfficer}
        />
        <DateField
          name="contactedAt"
          label="When you contacted them"
          withTime
          max={now}
          value={contactedAt}
          onChange={setContactedAt}
        />
        <TextArea
          name="advice"
          label="Their advice"
          rows={4}
          maxLength={10_000}
          value={advice}
          onChange={setAdvice}
        />
        <TextField
          label="LADO reference"
          optional
          maxLength={200}
          value={reference}
          onChange={setReference}
        />
        <DateField
          label="Strategy meeting date"
          optional
          value={strategyMeetingOn}
          onChange={setStrategyMeetingOn}
        />
        <fieldset className="fieldset">
          <legend>Who else is involved</legend>
          <Checkbox checked={police} onChange={setPolice}>
            The police are involved
          </Checkbox>
          <Checkbox checked={socialCare} onChange={setSocialCare}>
            Children’s social care are involved
          </Checkbox>
        </fieldset>
        <TextArea
          label="Suspension decision"
          hint="Whether the member is suspended or given other duties, and why."
          optional
          rows={3}
          maxLength={2000}
          value={suspension}
          onChange={setSuspension}
        />
        <DateField
          name="reviewOn"
          label="Suspension review date"
          optional
          value={reviewOn}
          onChange={setReviewOn}
        />
        <FormError />
        <FormStatus />
        <div className="actions">
          <SubmitButton>Record LADO contact</SubmitButton>
        </div>
      </Form>
    </section>
  );
}

/** `onDone` gets the confirmation: the form is gone once the outcome is recorded. */
export function OutcomeForm({
  matter,
  onDone,
}: {
  matter: Matter;
  onDone: (message: string) => void;
}) {
  const navigate = useNavigate();
  const [outcome, setOutcome] = useState<Outcome | ''>('');
  const submit = useSubmit<'outcome'>();
  const send = async () => {
    if (outcome === '') {
      submit.invalid({ outcome: 'Choose the outcome.' }, 'No outcome was chosen.');
      return;
    }
    const done = await api<{ removed: boolean }>(
      'POST',
      `/api/staff-concerns/${matter.id}/outcome`,
      { outcome },
    );
    // A malicious allegation is removed: the matter is no more, so back to the list.
    if (done.removed)
      void navigate('/staff-concerns', {
        state: { flash: 'Outcome recorded: the allegation is removed from the member’s file.' },
      });
    else onDone('Outcome recorded.');
  };
  return (
    <section aria-labelledby="outcome-heading" className="section card">
      <h2 id="outcome-heading">Outcome</h2>
      <Form submit={submit} onSubmit={send} className="stack-tight" aria-label="Outcome">
        <RadioGroup<Outcome | ''>
          name="outcome"
          legend="The outcome of the allegation"
          hint="An outcome is recorded once. A malicious allegation is removed from the member’s file."
          value={outcome}
          onChange={setOutcome}
          options={OUTCOMES.map(
            (o) =>
              [
                o,
                <span key={o}>
                  <strong>{OUTCOME_NAMES[o]}</strong>: {OUTCOME_HINTS[o]}
                </span>,
              ] as const,
          )}
        />
        <FormError />
        <FormStatus />
        <div className="actions">
          <SubmitButton>Record outcome</SubmitButton>
        </div>
      </Form>
    </section>
  );
}

/** Today in the browser's calendar, as a date input wants it. */
const today = () => toLocalInput(new Date()).slice(0, 10);

export function CopyGivenForm({ matter, onDone }: { matter: Matter; onDone: () => void }) {
  const max = useMemo(() => today(), []);
  const [givenOn, setGivenOn] = useState(matter.copyGivenOn ?? '');
  const submit = useSubmit<'givenOn'>();
  const send = async () => {
    const wrong = submit.invalid({
      givenOn: !givenOn
        ? 'Enter the date the copy was given.'
        : givenOn > max && 'The date cannot be in the future.',
    });
    if (wrong) return;
    await api('POST', `/api/staff-concerns/${matter.id}/copy-given`, { givenOn });
    onDone();
    return 'Date recorded.';
  };
  return (
    <section aria-labelledby="copy-heading" className="section card">
      <h2 id="copy-heading">Copy given to the member</h2>
      <Form
        submit={submit}
        onSubmit={send}
        className="stack-tight"
        aria-label="Copy given to the member"
      >
        <DateField
          name="givenOn"
          label="Date a copy was given to the member"
          max={max}
          value={givenOn}
          onChange={setGivenOn}
        />
        <FormError />
        <FormStatus />
        <div className="actions">
          <SubmitButton>Record date</SubmitButton>
        </div>
      </Form>
    </section>
  );
}
