// Linking a pupil to a concern about an adult (issue 19): the case manager — the chair of
// governors too, for a matter about the head — finds the pupil by name with the app's pupil
// picker, through this area's own look-up (the typed name travels in a request body, never a URL),
// and links them. The pupil's own records do not change; their chronology shows a marker to this
// matter's readers only.
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import { PupilPicker } from '../data-protection/PupilPicker.tsx';
import type { PupilList, PupilSummary } from '../../../../src/shared/schemas/pupils.ts';
import type { LinkPupilSearch, Matter } from '../../../../src/shared/schemas/staff-concerns.ts';

export function LinkPupilForm({ matter, onDone }: { matter: Matter; onDone: () => void }) {
  const [chosen, setChosen] = useState<PupilSummary | null>(null);
  const submit = useSubmit<'pupil'>();
  const search = (q: string) => {
    const body: LinkPupilSearch = { q };
    return api<PupilList>('POST', `/api/staff-concerns/${matter.id}/pupil-search`, body).then(
      (r) => r.items,
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
        <PupilPicker
          name="pupil"
          label="Pupil to link"
          chosen={chosen}
          onChoose={setChosen}
          search={search}
        />
        <FormError />
        <FormStatus />
        <div className="actions">
          <SubmitButton>Link pupil</SubmitButton>
        </div>
      </Form>
    </section>
  );
}
