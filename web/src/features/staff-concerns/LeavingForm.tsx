// When the person a concern about an adult is about left (finishing issue 19): the low-level rule
// counts from it, so a volunteer's or contractor's matter (whom the MIS does not know) comes to
// its retention review too. Refused beside the field; nothing typed is cleared on a refusal.
import { useMemo, useState } from 'react';
import { api } from '../../lib/api.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { formatDay, toLocalInput } from '../../lib/format.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { DateField } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import type { Matter, RecordLeaving } from '../../../../src/shared/schemas/staff-concerns.ts';

export function LeavingForm({ matter, onDone }: { matter: Matter; onDone: () => void }) {
  const max = useMemo(() => toLocalInput(new Date()).slice(0, 10), []);
  const [leftOn, setLeftOn] = useState(matter.subjectLeftOn ?? '');
  const submit = useSubmit<'leftOn'>();
  const send = async () => {
    const wrong = submit.invalid({
      leftOn: !leftOn
        ? 'Enter the date they left.'
        : leftOn > max && 'The leaving date cannot be in the future.',
    });
    if (wrong) return;
    const body: RecordLeaving = { leftOn };
    await api('POST', `/api/staff-concerns/${matter.id}/left-on`, body);
    onDone();
    return 'Leaving date recorded.';
  };
  return (
    <section aria-labelledby="leaving-heading" className="section card">
      <h2 id="leaving-heading">When they left</h2>
      <p>
        {matter.subjectLeftOn
          ? `Recorded as leaving on ${formatDay(matter.subjectLeftOn)}.`
          : 'For someone the school’s MIS does not say has left: a volunteer, a contractor, a supply worker.'}
      </p>
      <Form submit={submit} onSubmit={send} className="stack-tight" aria-label="When they left">
        <DateField
          name="leftOn"
          label="Date they left"
          max={max}
          value={leftOn}
          onChange={setLeftOn}
        />
        <FormError />
        <FormStatus />
        <div className="actions">
          <SubmitButton>Record leaving date</SubmitButton>
        </div>
      </Form>
    </section>
  );
}
