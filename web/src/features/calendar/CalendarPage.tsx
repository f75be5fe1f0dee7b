// The school calendar (issue 18), for administrators: the terms and closed days every statutory
// clock counts school days on. Add a term or a closed day; remove one. The server refuses a term
// that ends before it starts, is too long or overlaps another, and says so by the field.
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { formatDay } from '../../lib/format.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import { DateField } from '../../ui/Field.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import type { CalendarView } from '../../../../src/shared/schemas/calendar.ts';

const TITLE = 'Term dates';

export function CalendarPage() {
  const state = useLoad<CalendarView>('/api/calendar');
  if (state.status === 'loading')
    return (
      <>
        <PageHeading title={TITLE}>{TITLE}</PageHeading>
        <p role="status">Loading…</p>
      </>
    );
  if (state.status === 'error') return <LoadProblem title={TITLE} state={state} />;
  const { terms, closedDays, allowed } = state.data;
  const changed = () => void state.reload();
  const remove = (url: string) => async () => {
    await api('POST', url);
    changed();
  };
  return (
    <>
      <PageHeading title={TITLE}>{TITLE}</PageHeading>
      <p className="lead">
        Statutory clocks (a child-protection file’s 5 school days) count the days in these terms,
        less closed days and bank holidays. <Link to="/">Back to the dashboard</Link>
      </p>
      <section aria-labelledby="terms-heading" className="section">
        <h2 id="terms-heading">Terms</h2>
        {terms.length === 0 ? (
          <p>No terms entered: every working day counts as a school day.</p>
        ) : (
          <ul className="stack-tight">
            {terms.map((t) => (
              <li key={t.id} className="card">
                {t.name}: {formatDay(t.startsOn)} to {formatDay(t.endsOn)}{' '}
                {allowed.includes('edit') && (
                  <Button
                    aria-label={`Remove ${t.name}`}
                    onPress={() => void remove(`/api/calendar/terms/${t.id}/remove`)()}
                  >
                    Remove
                  </Button>
                )}
              </li>
            ))}
          </ul>
        )}
        {allowed.includes('edit') && <NewTermForm onAdded={changed} />}
      </section>
      <section aria-labelledby="closed-heading" className="section">
        <h2 id="closed-heading">Closed days</h2>
        {closedDays.length === 0 ? (
          <p>No closed days entered.</p>
        ) : (
          <ul className="stack-tight">
            {closedDays.map((d) => (
              <li key={d.date} className="card">
                {formatDay(d.date)}: {d.reason}{' '}
                {allowed.includes('edit') && (
                  <Button
                    aria-label={`Remove ${formatDay(d.date)}`}
                    onPress={() => void remove(`/api/calendar/closed-days/${d.date}/remove`)()}
                  >
                    Remove
                  </Button>
                )}
              </li>
            ))}
          </ul>
        )}
        {allowed.includes('edit') && <NewClosedDayForm onAdded={changed} />}
      </section>
    </>
  );
}

function NewTermForm({ onAdded }: { onAdded: () => void }) {
  const [name, setName] = useState('');
  const [startsOn, setStartsOn] = useState('');
  const [endsOn, setEndsOn] = useState('');
  const submit = useSubmit<'name' | 'startsOn' | 'endsOn'>();
  const add = async () => {
    if (
      submit.invalid({
        name: !name.trim() && 'Give the term a name.',
        startsOn: !startsOn && 'Give the first day.',
        endsOn: !endsOn && 'Give the last day.',
      })
    )
      return;
    await api('POST', '/api/calendar/terms', { name: name.trim(), startsOn, endsOn });
    setName('');
    onAdded();
    return 'Term added.';
  };
  return (
    <Form submit={submit} onSubmit={add} aria-label="Add a term">
      <TextField name="name" label="Term name" value={name} onChange={setName} maxLength={100} />
      <DateField name="startsOn" label="First day" value={startsOn} onChange={setStartsOn} />
      <DateField name="endsOn" label="Last day" value={endsOn} onChange={setEndsOn} />
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton variant="secondary">Add term</SubmitButton>
      </div>
    </Form>
  );
}

function NewClosedDayForm({ onAdded }: { onAdded: () => void }) {
  const [date, setDate] = useState('');
  const [reason, setReason] = useState('');
  const submit = useSubmit<'date' | 'reason'>();
  const add = async () => {
    if (
      submit.invalid({
        date: !date && 'Give the day.',
        reason: !reason.trim() && 'Say why the school is closed.',
      })
    )
      return;
    await api('POST', '/api/calendar/closed-days', { date, reason: reason.trim() });
    setReason('');
    onAdded();
    return 'Closed day added.';
  };
  return (
    <Form submit={submit} onSubmit={add} aria-label="Add a closed day">
      <DateField name="date" label="Closed day" value={date} onChange={setDate} />
      <TextField
        name="reason"
        label="Why closed"
        hint="Such as “INSET day”"
        value={reason}
        onChange={setReason}
        maxLength={200}
      />
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton variant="secondary">Add closed day</SubmitButton>
      </div>
    </Form>
  );
}
