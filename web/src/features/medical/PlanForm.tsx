// Adding a plan, for staff and for parents (web/src/parent/medical): its kind, title, expiry and
// document, and the current plan of the same kind it replaces (chosen by default), so the old
// plan's expiry reminders stop once the new one is agreed.
import { useState } from 'react';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { DateField, FileField, Select } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import type { NewPlan, Plan } from '../../../../src/shared/medical.ts';

const NONE = 'none';

export function PlanForm({
  plans,
  waitsFor,
  send,
}: {
  plans: readonly Plan[];
  waitsFor: string;
  send: (body: NewPlan) => Promise<void>;
}) {
  const [kind, setKind] = useState<NewPlan['kind']>('healthcare_plan');
  const [title, setTitle] = useState('');
  const [expiresOn, setExpiresOn] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const current = plans.filter((p) => p.kind === kind && p.state === 'current');
  const [replaces, setReplaces] = useState<string | null>(null);
  // The current plan of this kind unless the person chose otherwise.
  const replacing = replaces ?? current[0]?.id ?? NONE;
  const submit = useSubmit<'title' | 'expiresOn' | 'file'>();
  const add = async () => {
    if (
      submit.invalid({
        title: !title.trim() && 'Give the plan a title.',
        expiresOn: !expiresOn && 'Enter the date the plan expires.',
        file: !file && 'Choose the plan document.',
      })
    )
      return;
    const bytes = new Uint8Array(await file!.arrayBuffer());
    let bin = '';
    for (const b of bytes) bin += String.fromCharCode(b);
    const body: NewPlan = {
      kind,
      title: title.trim(),
      expiresOn,
      fileName: file!.name,
      content: btoa(bin),
      ...(replacing !== NONE && current.some((p) => p.id === replacing)
        ? { replaces: replacing }
        : {}),
    };
    await send(body);
    return `Added. It waits for ${waitsFor}.`;
  };
  return (
    <Form submit={submit} onSubmit={add} className="card stack-tight" aria-label="Add a plan">
      <h2>Add a plan</h2>
      <Select
        name="kind"
        label="Kind of plan"
        value={kind}
        onChange={(v) => {
          setKind(v === 'action_plan' ? 'action_plan' : 'healthcare_plan');
          setReplaces(null);
        }}
      >
        <option value="healthcare_plan">Individual healthcare plan</option>
        <option value="action_plan">Action plan</option>
      </Select>
      <Select name="replaces" label="Replaces" value={replacing} onChange={setReplaces}>
        <option value={NONE}>Nothing: an additional plan</option>
        {current.map((p) => (
          <option key={p.id} value={p.id}>
            {p.title}, expires {p.expiresOn}
          </option>
        ))}
      </Select>
      <TextField name="title" label="Title" value={title} onChange={setTitle} maxLength={200} />
      <DateField name="expiresOn" label="Expires on" value={expiresOn} onChange={setExpiresOn} />
      <FileField name="file" label="Plan document" onChange={(f) => setFile(f[0] ?? null)} />
      <FormError />
      <FormStatus />
      <SubmitButton>Add plan</SubmitButton>
    </Form>
  );
}
