// Raising a concern about an adult (issue 19), from a phone in under a minute: who it is about
// (a colleague from the school's staff, or a named supply or agency worker, volunteer,
// contractor or governor), what happened, and whether to withhold one's name from them. The
// button names who receives it, as the server routes it. Afterwards the raiser sees only their
// receipt.
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError } from '../../ui/Form.tsx';
import { TextArea, TextField } from '../../ui/TextField.tsx';
import { Checkbox, Select } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { WhenLoaded } from '../../ui/Message.tsx';
import {
  SUBJECT_KINDS,
  type NewStaffConcern,
  type Receipt,
  type RoutedTo,
  type StaffChoices,
  type SubjectKind,
} from '../../../../src/shared/schemas/staff-concerns.ts';
import { ROUTED_TO_NAMES, SUBJECT_KIND_NAMES } from './words.ts';

type Field = 'subject' | 'subjectName' | 'agency' | 'whatHappened';
const OTHERS = SUBJECT_KINDS.filter((k) => k !== 'staff');
const kindOf = (v: string): SubjectKind | null => OTHERS.find((k) => `kind:${k}` === v) ?? null;

export function RaiseConcernPage() {
  const staff = useLoad<StaffChoices>('/api/staff-concerns/staff');
  return (
    <>
      <PageHeading title="Raise a concern about an adult">
        Raise a concern about an adult
      </PageHeading>
      <p>
        A worry about how an adult who works with our children behaves — however small — goes to the
        case manager, never to the person it is about.
      </p>
      <WhenLoaded state={staff} loading="Loading staff…">
        {(data) => <RaiseForm staff={data} />}
      </WhenLoaded>
    </>
  );
}

function RaiseForm({ staff }: { staff: StaffChoices }) {
  const navigate = useNavigate();
  const [subject, setSubject] = useState('');
  const [name, setName] = useState('');
  const [agency, setAgency] = useState('');
  const [what, setWhat] = useState('');
  const [withhold, setWithhold] = useState(false);
  const submit = useSubmit<Field>();
  const other = kindOf(subject);
  const member = staff.items.find((s) => s.id === subject);
  const routesTo: RoutedTo = member?.routesTo ?? 'headteacher';
  const needsAgency = other === 'supply' || other === 'agency';

  const send = async () => {
    const problems: Partial<Record<Field, string>> = {};
    if (!subject) problems.subject = 'Choose who the concern is about.';
    if (other && !name.trim()) problems.subjectName = 'Give their name.';
    if (needsAgency && !agency.trim()) problems.agency = 'Name the agency that supplied them.';
    if (!what.trim()) problems.whatHappened = 'Say what happened.';
    if (Object.keys(problems).length > 0) {
      submit.invalid(problems, 'Some details are missing: see below.');
      return;
    }
    const body: NewStaffConcern = {
      subjectKind: other ?? 'staff',
      whatHappened: what.trim(),
      withholdName: withhold,
      ...(other ? { subjectName: name.trim() } : { subjectUserId: subject }),
      ...(needsAgency ? { agency: agency.trim() } : {}),
    };
    const receipt = await api<Receipt>('POST', '/api/staff-concerns', body);
    void navigate('/staff-concerns/receipts', {
      state: { flash: `Sent to ${ROUTED_TO_NAMES[receipt.routedTo]}. This is your receipt.` },
    });
  };

  return (
    <Form
      submit={submit}
      onSubmit={send}
      className="stack"
      aria-label="Raise a concern about an adult"
    >
      <Select name="subject" label="Who is the concern about" value={subject} onChange={setSubject}>
        <option value="">Choose a person</option>
        <optgroup label="Staff">
          {staff.items.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </optgroup>
        <optgroup label="Someone else">
          {OTHERS.map((k) => (
            <option key={k} value={`kind:${k}`}>
              {SUBJECT_KIND_NAMES[k]} (not on the staff list)
            </option>
          ))}
        </optgroup>
      </Select>
      {other && <TextField name="subjectName" label="Their name" value={name} onChange={setName} />}
      {needsAgency && (
        <TextField name="agency" label="Agency" value={agency} onChange={setAgency} />
      )}
      <TextArea
        name="whatHappened"
        label="What happened"
        hint="What you saw or heard, when and where. Facts, in your own words."
        rows={6}
        maxLength={20000}
        value={what}
        onChange={setWhat}
      />
      <Checkbox name="withholdName" checked={withhold} onChange={setWithhold}>
        Ask that my name is withheld from the person it is about
      </Checkbox>
      <FormError />
      <div className="actions">
        <SubmitButton>Send to {ROUTED_TO_NAMES[routesTo]}</SubmitButton>
      </div>
    </Form>
  );
}
