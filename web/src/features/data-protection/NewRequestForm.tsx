// Recording a rights request, in whatever form it arrived. The server checks the dates and the
// pupil and says which field is wrong; everything typed stays after a refusal.
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextArea, TextField } from '../../ui/TextField.tsx';
import { DateField, Select } from '../../ui/Field.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import {
  CHANNELS,
  RELATIONSHIPS,
  REQUEST_KINDS,
  type NewRequest,
} from '../../../../src/shared/schemas/data-protection.ts';
import type { PupilSummary } from '../../../../src/shared/schemas/pupils.ts';
import { PupilPicker } from './PupilPicker.tsx';
import { CHANNEL_NAMES, KIND_NAMES, RELATIONSHIP_NAMES } from './words.ts';

type Field = 'kind' | 'requester' | 'relationship' | 'channel' | 'receivedOn' | 'subjects';
const today = () => new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
const pick = <T extends string>(xs: readonly T[], v: string, d: T): T =>
  xs.find((x) => x === v) ?? d;

export function NewRequestForm(p: { onRecorded: (id: string) => void; onCancel: () => void }) {
  const [kind, setKind] = useState<NewRequest['kind']>('subject_access');
  const [requester, setRequester] = useState('');
  const [relationship, setRelationship] = useState<NewRequest['relationship']>('parent');
  const [evidence, setEvidence] = useState('');
  const [channel, setChannel] = useState<NewRequest['channel']>('email');
  const [receivedOn, setReceivedOn] = useState(today());
  const [pupil, setPupil] = useState<PupilSummary | null>(null);
  const submit = useSubmit<Field>();

  const record = async () => {
    const problems: Partial<Record<Field, string>> = {};
    if (!requester.trim()) problems.requester = 'Say who made the request.';
    if (!receivedOn) problems.receivedOn = 'Enter the date the request was received.';
    if (!pupil) problems.subjects = 'Choose the pupil the request is about.';
    if (Object.keys(problems).length > 0 || !pupil) {
      submit.invalid(problems, 'Some details are missing: see below.');
      return;
    }
    const body: NewRequest = {
      kind,
      requester: requester.trim(),
      relationship,
      channel,
      receivedOn,
      subjects: [pupil.id],
      ...(evidence.trim() ? { parentalResponsibility: evidence.trim() } : {}),
    };
    const made = await api<{ id: string }>('POST', '/api/data-protection/requests', body);
    p.onRecorded(made.id);
    return 'The request was recorded.';
  };

  return (
    <Form
      submit={submit}
      onSubmit={record}
      className="card stack-tight"
      aria-label="Record a request"
    >
      <h2>Record a request</h2>
      <Select
        name="kind"
        label="Kind of request"
        value={kind}
        onChange={(v) => setKind(pick(REQUEST_KINDS, v, 'subject_access'))}
      >
        {REQUEST_KINDS.map((k) => (
          <option key={k} value={k}>
            {KIND_NAMES[k]}
          </option>
        ))}
      </Select>
      <TextField
        name="requester"
        label="Requester"
        hint="Their name and how to reach them. Sealed."
        value={requester}
        onChange={setRequester}
        maxLength={500}
      />
      <Select
        name="relationship"
        label="Relationship to the pupil"
        value={relationship}
        onChange={(v) => setRelationship(pick(RELATIONSHIPS, v, 'other'))}
      >
        {RELATIONSHIPS.map((r) => (
          <option key={r} value={r}>
            {RELATIONSHIP_NAMES[r]}
          </option>
        ))}
      </Select>
      <TextArea
        name="parentalResponsibility"
        label="Evidence of parental responsibility"
        optional
        rows={2}
        maxLength={2000}
        value={evidence}
        onChange={setEvidence}
      />
      <Select
        name="channel"
        label="How it arrived"
        value={channel}
        onChange={(v) => setChannel(pick(CHANNELS, v, 'other'))}
      >
        {CHANNELS.map((c) => (
          <option key={c} value={c}>
            {CHANNEL_NAMES[c]}
          </option>
        ))}
      </Select>
      <DateField
        name="receivedOn"
        label="Date received"
        value={receivedOn}
        onChange={setReceivedOn}
      />
      <PupilPicker chosen={pupil} onChoose={setPupil} />
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton>Record request</SubmitButton>
        <Button variant="quiet" onPress={p.onCancel}>
          Cancel
        </Button>
      </div>
    </Form>
  );
}
