// Proposing an item of a medical profile (staff and parents alike): what a kind needs is asked
// for; the server checks the same (medical/rules.ts). Sent, it waits for the other side.
import { useState } from 'react';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextArea, TextField } from '../../ui/TextField.tsx';
import { Select } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import {
  MEDICAL_KINDS,
  RISK_LEVELS,
  SEVERITIES,
  type EntryContent,
  type MedicalKind,
  type ProposeEntry,
} from '../../../../src/shared/medical.ts';
import { KIND_NAMES } from './words.ts';

type F = 'name' | 'dose' | 'when' | 'administeredBy';
const pick = <T extends string>(xs: readonly T[], v: string, d: T): T =>
  xs.find((x) => x === v) ?? d;

export function EntryForm({
  send,
  waitsFor,
}: {
  send: (body: ProposeEntry) => Promise<void>;
  waitsFor: string;
}) {
  const [kind, setKind] = useState<MedicalKind>('allergy');
  const [name, setName] = useState('');
  const [risk, setRisk] = useState<(typeof RISK_LEVELS)[number]>('medium');
  const [severity, setSeverity] = useState<(typeof SEVERITIES)[number]>('moderate');
  const [dose, setDose] = useState('');
  const [when, setWhen] = useState('');
  const [by, setBy] = useState('');
  const [notes, setNotes] = useState('');
  const submit = useSubmit<F>();
  const go = async () => {
    const problems: Partial<Record<F, string>> = {};
    if (!name.trim()) problems.name = 'Say what it is.';
    if (kind === 'medication') {
      if (!dose.trim()) problems.dose = 'Give the dose.';
      if (!when.trim()) problems.when = 'Say when it is given.';
      if (!by.trim()) problems.administeredBy = 'Say who gives it.';
    }
    if (submit.invalid(problems, 'Some details are missing: see below.')) return;
    const content: EntryContent = {
      name: name.trim(),
      ...(kind === 'condition' ? { riskLevel: risk } : {}),
      ...(kind === 'allergy' ? { severity } : {}),
      ...(kind === 'medication'
        ? { dose: dose.trim(), when: when.trim(), administeredBy: by.trim() }
        : {}),
      ...(notes.trim() ? { details: notes.trim() } : {}),
    };
    await send({ kind, content });
    setName('');
    setDose('');
    setWhen('');
    setBy('');
    setNotes('');
    return `Sent. It waits for ${waitsFor}.`;
  };
  return (
    <Form
      submit={submit}
      onSubmit={go}
      className="card stack-tight"
      aria-label="Add to the profile"
    >
      <h2>Add to the profile</h2>
      <Select
        name="kind"
        label="Kind"
        value={kind}
        onChange={(v) => setKind(pick(MEDICAL_KINDS, v, 'allergy'))}
      >
        {MEDICAL_KINDS.map((k) => (
          <option key={k} value={k}>
            {KIND_NAMES[k]}
          </option>
        ))}
      </Select>
      <TextField name="name" label="What it is" value={name} onChange={setName} maxLength={200} />
      {kind === 'condition' && (
        <Select
          name="riskLevel"
          label="Risk level"
          value={risk}
          onChange={(v) => setRisk(pick(RISK_LEVELS, v, 'medium'))}
        >
          {RISK_LEVELS.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </Select>
      )}
      {kind === 'allergy' && (
        <Select
          name="severity"
          label="Severity"
          value={severity}
          onChange={(v) => setSeverity(pick(SEVERITIES, v, 'moderate'))}
        >
          {SEVERITIES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </Select>
      )}
      {kind === 'medication' && (
        <>
          <TextField name="dose" label="Dose" value={dose} onChange={setDose} maxLength={200} />
          <TextField
            name="when"
            label="When it is given"
            value={when}
            onChange={setWhen}
            maxLength={200}
          />
          <TextField
            name="administeredBy"
            label="Who gives it"
            value={by}
            onChange={setBy}
            maxLength={200}
          />
        </>
      )}
      <TextArea
        name="details"
        label="Details"
        optional
        rows={2}
        maxLength={2000}
        value={notes}
        onChange={setNotes}
      />
      <FormError />
      <FormStatus />
      <SubmitButton>Send</SubmitButton>
    </Form>
  );
}
