// Admission forms, staff side (issue 21): the school's forms, building one (each question bound
// to an MIS field of the CBDS, src/shared/cbds.ts), and the way to the write-back queue.
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { Select } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import { MIS_FIELDS, type MisFieldKey } from '../../../../src/shared/cbds.ts';
import type { AdmissionFormList, Intake } from '../../../../src/shared/admissions.ts';
import { StepUpSection } from '../identity/StepUpSection.tsx';

const TITLE = 'Admission forms';
export const INTAKE_NAMES: Record<Intake, string> = {
  nursery: 'Nursery',
  reception: 'Reception',
  in_year: 'In-year',
};

export function AdmissionsPage() {
  const list = useLoad<AdmissionFormList>('/api/admissions/forms');
  if (list.status === 'loading') return <p role="status">Loading…</p>;
  if (list.status === 'error') {
    if (list.code === 'step_up_required')
      return (
        <>
          <PageHeading title={TITLE}>{TITLE}</PageHeading>
          <StepUpSection
            purpose="to open parents and forms"
            area="Parents and forms"
            onDone={() => void list.reload()}
          />
        </>
      );
    return <LoadProblem title={TITLE} state={list} />;
  }
  return (
    <>
      <PageHeading title={TITLE}>{TITLE}</PageHeading>
      <p>
        <Link to="/parents/admissions/writeback">Changes waiting for the MIS</Link> ·{' '}
        <Link to="/parents/consents">Consent forms</Link>
      </p>
      <section aria-labelledby="adm-forms" className="section">
        <h2 id="adm-forms">Forms</h2>
        {list.data.items.length === 0 ? (
          <p>No admission forms yet.</p>
        ) : (
          <ul className="stack-tight">
            {list.data.items.map((f) => (
              <li key={f.id} className="card">
                <Link to={`/parents/admissions/${f.id}`}>{f.title}</Link> · {INTAKE_NAMES[f.intake]}{' '}
                · {f.sent} sent, {f.submitted} sent back
              </li>
            ))}
          </ul>
        )}
      </section>
      <NewFormForm onDone={() => void list.reload()} />
    </>
  );
}

function NewFormForm({ onDone }: { onDone: () => void }) {
  const [title, setTitle] = useState('');
  const [intake, setIntake] = useState<Intake>('nursery');
  const [asked, setAsked] = useState<Partial<Record<MisFieldKey, 'optional' | 'required'>>>({});
  const submit = useSubmit<'title' | 'questions'>();
  const build = async () => {
    const questions = MIS_FIELDS.filter((f) => asked[f.key]).map((f) => ({
      field: f.key,
      required: asked[f.key] === 'required',
    }));
    if (
      submit.invalid({
        title: !title.trim() && 'Give the form a title.',
        questions: questions.length === 0 && 'Choose at least one question.',
      })
    )
      return;
    await api('POST', '/api/admissions/forms', { title: title.trim(), intake, questions });
    setTitle('');
    setAsked({});
    onDone();
    return 'The form was made. Open it to send it for pupils.';
  };
  return (
    <Form submit={submit} onSubmit={build} className="card stack-tight" aria-label="Build a form">
      <h2>Build a form</h2>
      <TextField name="title" label="Title" value={title} onChange={setTitle} maxLength={200} />
      <Select label="Intake" value={intake} onChange={(v) => setIntake(v as Intake)}>
        {Object.entries(INTAKE_NAMES).map(([k, v]) => (
          <option key={k} value={k}>
            {v}
          </option>
        ))}
      </Select>
      <fieldset className="fieldset">
        <legend>Questions (each goes to its MIS field)</legend>
        {MIS_FIELDS.map((f) => (
          <Select
            key={f.key}
            {...(f.key === MIS_FIELDS[0].key ? { name: 'questions' } : {})}
            label={f.label}
            value={asked[f.key] ?? ''}
            onChange={(v) => setAsked((a) => ({ ...a, [f.key]: v === '' ? undefined : v }))}
          >
            <option value="">Not asked</option>
            <option value="optional">Asked, optional</option>
            <option value="required">Asked, required</option>
          </Select>
        ))}
      </fieldset>
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton>Make the form</SubmitButton>
      </div>
    </Form>
  );
}
