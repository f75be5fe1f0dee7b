// Linking a pupil to a concern about an adult (issue 19): the case manager finds the pupil by
// name (the typed name travels in a request body, never a URL) and links them. The pupil's own
// records do not change; their chronology shows a marker to this matter's readers only.
import { useState } from 'react';
import { api, ApiError, isAbort } from '../../lib/api.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { ComboBox } from '../../ui/ComboBox.tsx';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import type { PupilList, PupilSummary } from '../../../../src/shared/schemas/pupils.ts';
import type { Matter } from '../../../../src/shared/schemas/staff-concerns.ts';

export function LinkPupilForm({ matter, onDone }: { matter: Matter; onDone: () => void }) {
  const [text, setText] = useState('');
  const [items, setItems] = useState<PupilSummary[]>([]);
  const [chosen, setChosen] = useState<PupilSummary | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const submit = useSubmit<'pupil'>();
  const onText = (value: string) => {
    setText(value);
    const q = value.trim();
    if (!q) return setItems([]);
    api<PupilList>('POST', '/api/pupils/search', { q }).then(
      (r) => {
        setItems(r.items);
        setProblem(null);
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        // The chair of governors reads no pupils' records, so cannot search them (issue 19).
        setProblem(
          err instanceof ApiError && err.status === 403
            ? 'You may not search pupils’ records, so you cannot link a pupil here.'
            : 'Pupils could not be searched. Try again.',
        );
      },
    );
  };
  const send = async () => {
    if (!chosen) {
      submit.invalid({ pupil: 'Choose a pupil first.' }, 'No pupil was chosen.');
      return;
    }
    const done = await api<{ linked: boolean }>('POST', `/api/staff-concerns/${matter.id}/pupils`, {
      pupilId: chosen.id,
    });
    setChosen(null);
    onDone();
    return done.linked ? `${chosen.name} linked.` : `${chosen.name} was already linked.`;
  };
  return (
    <section aria-labelledby="link-heading" className="section card">
      <h2 id="link-heading">Link a pupil</h2>
      <p>
        The pupil’s chronology will show “Linked to a staff matter” to those who may read this
        matter, and nothing to anyone else.
      </p>
      <Form submit={submit} onSubmit={send} className="stack-tight" aria-label="Link a pupil">
        <ComboBox
          name="pupil"
          label="Pupil to link"
          hint="Type part of a name, then choose the pupil."
          items={items}
          itemLabel={(x) => (x.form ? `${x.name} (${x.form})` : x.name)}
          text={text}
          onTextChange={onText}
          onChoose={(x) => {
            setChosen(x);
            setText('');
            setItems([]);
          }}
          emptyText={problem ?? 'No pupils match that name.'}
        />
        {chosen && <p role="status">Chosen: {chosen.name}</p>}
        <FormError />
        <FormStatus />
        <div className="actions">
          <SubmitButton>Link pupil</SubmitButton>
        </div>
      </Form>
    </section>
  );
}
