// A parent's admission forms (issue 21): the forms the school sent for each child, and one form
// to fill on a phone. "Save and come back later" keeps what is answered so far; "Send to the
// school" sends it once. Each question offers only the MIS's own codes (src/shared/cbds.ts), and
// the server's message names any field it refuses. Nothing typed is lost on a refusal.
import { useEffect, useState } from 'react';
import { Link, Route, Routes, useParams } from 'react-router';
import type { ParentChildren } from '../../../../src/shared/schemas/parents.ts';
import type {
  Answers,
  ParentAdmissionForm,
  ParentAdmissionList,
} from '../../../../src/shared/admissions.ts';
import {
  CODE_SETS,
  misField,
  showAnswer,
  RELATIONSHIP,
  type AnswerValue,
  type ContactAnswer,
} from '../../../../src/shared/cbds.ts';
import { useParentLoad } from '../useParentLoad.ts';
import { parentApi } from '../api.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextArea, TextField } from '../../ui/TextField.tsx';
import { Checkbox, Select } from '../../ui/Field.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';

const STATUS = { sent: 'Not started', in_progress: 'Started', submitted: 'Sent to the school' };

export default function ParentForms() {
  return (
    <Routes>
      <Route index element={<FormsList />} />
      <Route path=":pupilId/:requestId" element={<FillForm />} />
    </Routes>
  );
}

function FormsList() {
  const children = useParentLoad<ParentChildren>('/api/parent/children');
  useEffect(() => {
    document.title = 'Forms – Lantern for parents';
  }, []);
  return (
    <>
      <h1 className="page-title">Forms</h1>
      <p>
        <Link to="/parent">Home</Link>
      </p>
      {children.status === 'loading' && <p role="status">Loading…</p>}
      {children.status === 'error' && (
        <p className="message message-error" role="alert">
          {children.message}
        </p>
      )}
      {children.status === 'ok' &&
        children.data.children.map((c) => (
          <ChildForms key={c.id} pupilId={c.id} name={`${c.firstName} ${c.lastName}`} />
        ))}
    </>
  );
}

function ChildForms({ pupilId, name }: { pupilId: string; name: string }) {
  const forms = useParentLoad<ParentAdmissionList>(`/api/parent/children/${pupilId}/admissions`);
  const headingId = `forms-${pupilId}`;
  return (
    <section aria-labelledby={headingId} className="section">
      <h2 id={headingId}>{name}</h2>
      {forms.status === 'loading' && <p role="status">Loading…</p>}
      {forms.status === 'error' && <p role="alert">{forms.message}</p>}
      {forms.status === 'ok' &&
        (forms.data.items.length === 0 ? (
          <p>There are no forms to fill for {name}.</p>
        ) : (
          <ul className="stack-tight">
            {forms.data.items.map((f) => (
              <li key={f.id}>
                <Link to={`/parent/forms/${pupilId}/${f.id}`}>{f.title}</Link> · {STATUS[f.status]}
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}

const EMPTY_CONTACT: ContactAnswer = {
  forename: '',
  surname: '',
  // Nothing is assumed: the parent chooses the relationship and ticks responsibility themselves.
  relationship: '',
  parentalResponsibility: false,
  telephone: '',
  email: '',
};

function FillForm() {
  const { pupilId = '', requestId = '' } = useParams();
  const url = `/api/parent/children/${pupilId}/admissions/${requestId}`;
  const form = useParentLoad<ParentAdmissionForm>(url);
  useEffect(() => {
    document.title = 'Admission form – Lantern for parents';
  }, []);
  if (form.status === 'loading') return <p role="status">Loading…</p>;
  if (form.status === 'error')
    return (
      <>
        <h1 className="page-title">Admission form</h1>
        <p role="alert" className="message message-error">
          {form.message}
        </p>
        <p>
          <Link to="/parent/forms">Back to forms</Link>
        </p>
      </>
    );
  return <FormBody key={form.data.savedAt ?? 'new'} url={url} initial={form.data} />;
}

function FormBody({ url, initial }: { url: string; initial: ParentAdmissionForm }) {
  const [form, setForm] = useState(initial);
  const [answers, setAnswers] = useState<Answers>(initial.answers);
  const submit = useSubmit<string>();
  // Sent: nothing here can be changed. Another parent's answers are their own and never shown here.
  const done = form.status === 'submitted';
  const set = (key: string, value: AnswerValue) => setAnswers((a) => ({ ...a, [key]: value }));
  const send = async () => {
    const saved = await parentApi<ParentAdmissionForm>('PUT', url, { answers, submit: false });
    setForm(saved);
    return 'Saved. You can come back and finish it later.';
  };
  return (
    <>
      <h1 className="page-title">{form.title}</h1>
      <p>
        For {form.pupilName}. <Link to="/parent/forms">Back to forms</Link>
      </p>
      {done ? (
        <p className="message" role="status">
          You sent this form to the school. To change an answer, contact the school office.
        </p>
      ) : (
        <p>
          These are your own answers: anyone else with parental responsibility for {form.pupilName}{' '}
          fills in their own copy.
        </p>
      )}
      <Form submit={submit} onSubmit={send} className="stack" aria-label={form.title}>
        {done && (
          <dl className="stack-tight">
            {form.questions.map((q) => {
              const field = misField(q.field)!;
              const value = answers[q.field];
              return (
                <div key={q.field}>
                  <dt>{field.label}</dt>
                  <dd>{value === undefined ? 'Not answered' : showAnswer(field, value)}</dd>
                </div>
              );
            })}
          </dl>
        )}
        {!done &&
          form.questions.map((q) => {
            const field = misField(q.field)!;
            const value = answers[q.field];
            const optional = !q.required;
            if (field.kind === 'contact') {
              const c = (typeof value === 'object' ? value : null) ?? EMPTY_CONTACT;
              const put = (patch: Partial<ContactAnswer>) => set(q.field, { ...c, ...patch });
              return (
                <fieldset key={q.field} className="fieldset">
                  <legend>{field.label}</legend>
                  <TextField
                    name={q.field}
                    label="First name"
                    value={c.forename}
                    onChange={(v) => put({ forename: v })}
                    maxLength={100}
                  />
                  <TextField
                    label="Surname"
                    value={c.surname}
                    onChange={(v) => put({ surname: v })}
                    maxLength={100}
                  />
                  <Select
                    label="Relationship to the child"
                    value={c.relationship}
                    onChange={(v) => put({ relationship: v })}
                  >
                    <option value="">Choose…</option>
                    {RELATIONSHIP.map((r) => (
                      <option key={r.code} value={r.code}>
                        {r.description}
                      </option>
                    ))}
                  </Select>
                  <Checkbox
                    checked={c.parentalResponsibility}
                    onChange={(v) => put({ parentalResponsibility: v })}
                  >
                    Has parental responsibility
                  </Checkbox>
                  <TextField
                    label="Telephone"
                    optional
                    value={c.telephone}
                    onChange={(v) => put({ telephone: v })}
                    maxLength={40}
                  />
                  <TextField
                    label="Email"
                    optional
                    type="email"
                    value={c.email}
                    onChange={(v) => put({ email: v })}
                    maxLength={200}
                  />
                </fieldset>
              );
            }
            const text = typeof value === 'string' ? value : '';
            if (field.kind === 'code')
              return (
                <Select
                  key={q.field}
                  name={q.field}
                  label={field.label}
                  optional={optional}
                  value={text}
                  onChange={(v) => set(q.field, v)}
                >
                  <option value="">Choose…</option>
                  {CODE_SETS[field.codeSet!].map((c) => (
                    <option key={c.code} value={c.code}>
                      {c.description}
                    </option>
                  ))}
                </Select>
              );
            if (field.kind === 'long')
              return (
                <TextArea
                  key={q.field}
                  name={q.field}
                  label={field.label}
                  optional={optional}
                  rows={3}
                  maxLength={2000}
                  value={text}
                  onChange={(v) => set(q.field, v)}
                />
              );
            return (
              <TextField
                key={q.field}
                name={q.field}
                label={field.label}
                optional={optional}
                maxLength={200}
                value={text}
                onChange={(v) => set(q.field, v)}
              />
            );
          })}
        <FormError />
        <FormStatus />
        {!done && (
          <div className="actions">
            <SubmitButton variant="secondary">Save and come back later</SubmitButton>
            <Button
              variant="primary"
              isPending={submit.pending}
              onPress={() =>
                void submit.run(async () => {
                  const saved = await parentApi<ParentAdmissionForm>('PUT', url, {
                    answers,
                    submit: true,
                  });
                  setForm(saved);
                  return 'Thank you: the form has been sent to the school.';
                })
              }
            >
              Send to the school
            </Button>
          </div>
        )}
      </Form>
    </>
  );
}
