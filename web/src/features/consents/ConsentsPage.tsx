// Consent forms, staff side (issue 21): the school's forms with their current version and any
// disagreement between parents, and writing a new one for chosen pupils.
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextArea, TextField } from '../../ui/TextField.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import type { ConsentFormList } from '../../../../src/shared/consents.ts';
import type { PupilSummary } from '../../../../src/shared/schemas/pupils.ts';
import { PupilPicker } from '../data-protection/PupilPicker.tsx';
import { StepUpSection } from '../identity/StepUpSection.tsx';

const TITLE = 'Consent forms';

export function ConsentsPage() {
  const list = useLoad<ConsentFormList>('/api/consents/forms');
  if (list.status === 'loading') return <p role="status">Loading…</p>;
  if (list.status === 'error') {
    if (list.code === 'step_up_required')
      return (
        <StepUpSection
          purpose="to open parents and forms"
          area="Parents and forms"
          onDone={() => void list.reload()}
        />
      );
    return <LoadProblem title={TITLE} state={list} />;
  }
  return (
    <>
      <PageHeading title={TITLE}>{TITLE}</PageHeading>
      <p>
        <Link to="/parents/admissions">Admission forms</Link>
      </p>
      {list.data.items.length === 0 ? (
        <p>No consent forms yet.</p>
      ) : (
        <ul className="stack-tight">
          {list.data.items.map((f) => (
            <li key={f.id} className="card">
              <Link to={`/parents/consents/${f.id}`}>{f.title}</Link>
              {f.current ? ` · version ${f.current.version}` : ''}
              {f.current?.withdrawnAt ? ' · withdrawn' : ''} · {f.pupils} pupil
              {f.pupils === 1 ? '' : 's'}
              {f.disagreements > 0 ? ` · ${f.disagreements} where parents disagree` : ''}
            </li>
          ))}
        </ul>
      )}
      <NewConsentForm onDone={() => void list.reload()} />
    </>
  );
}

function NewConsentForm({ onDone }: { onDone: () => void }) {
  const [title, setTitle] = useState('');
  const [text, setText] = useState('');
  const [chosen, setChosen] = useState<PupilSummary[]>([]);
  const submit = useSubmit<'title' | 'text'>();
  const write = async () => {
    if (
      submit.invalid({
        title: !title.trim() && 'Give the form a title.',
        text: !text.trim() && 'Write what parents are asked.',
      })
    )
      return;
    await api('POST', '/api/consents/forms', {
      title: title.trim(),
      text: text.trim(),
      pupilIds: chosen.map((p) => p.id),
    });
    setTitle('');
    setText('');
    setChosen([]);
    onDone();
    return 'The consent form was published as version 1.';
  };
  return (
    <Form
      submit={submit}
      onSubmit={write}
      className="card stack-tight"
      aria-label="Write a consent form"
    >
      <h2>Write a consent form</h2>
      <TextField name="title" label="Title" value={title} onChange={setTitle} maxLength={200} />
      <TextArea
        name="text"
        label="What parents are asked"
        rows={4}
        maxLength={20000}
        value={text}
        onChange={setText}
      />
      <PupilPicker
        chosen={null}
        onChoose={(p) => setChosen((c) => (c.some((x) => x.id === p.id) ? c : [...c, p]))}
      />
      {chosen.length > 0 && <p>Asking about: {chosen.map((p) => p.name).join(', ')}</p>}
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton>Publish the form</SubmitButton>
      </div>
    </Form>
  );
}
