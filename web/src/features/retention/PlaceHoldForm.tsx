// Placing a legal hold: on a pupil's records (chosen by name), a category's, or a date range's,
// for a named kind of matter, with a reason. The server checks what the hold names and says
// which field is wrong; everything typed stays in place after a refusal.
import { useState } from 'react';
import { api, isAbort } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextArea } from '../../ui/TextField.tsx';
import { DateField, RadioGroup, Select } from '../../ui/Field.tsx';
import { ComboBox } from '../../ui/ComboBox.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import { HOLD_MATTERS, type HoldMatter } from '../../../../src/shared/retention.ts';
import type { NewHold } from '../../../../src/shared/schemas/retention.ts';
import type { PupilList, PupilSummary } from '../../../../src/shared/schemas/pupils.ts';
import type { CategoryList } from '../../../../src/shared/schemas/categories.ts';
import { MATTER_NAMES, SCOPE_NAMES } from './words.ts';

type Scope = 'pupil' | 'category' | 'date_range';
type Field = 'pupilId' | 'categoryId' | 'fromDate' | 'toDate' | 'matter' | 'reason';

export function PlaceHoldForm({ onPlaced }: { onPlaced: () => void }) {
  const [scope, setScope] = useState<Scope>('pupil');
  const [pupil, setPupil] = useState<PupilSummary | null>(null);
  const [categoryId, setCategoryId] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [matter, setMatter] = useState<HoldMatter>('litigation');
  const [reason, setReason] = useState('');
  const categories = useLoad<CategoryList>(scope === 'category' ? '/api/categories' : null);
  const submit = useSubmit<Field>();

  const place = async () => {
    const problems: Partial<Record<Field, string>> = {};
    if (scope === 'pupil' && !pupil) problems.pupilId = 'Choose the pupil.';
    if (scope === 'category' && !categoryId) problems.categoryId = 'Choose the category.';
    if (scope === 'date_range' && !from) problems.fromDate = 'Enter the first day.';
    if (scope === 'date_range' && !to) problems.toDate = 'Enter the last day.';
    if (!reason.trim()) problems.reason = 'Say why the records must be kept.';
    if (Object.keys(problems).length > 0) {
      submit.invalid(problems, 'Some details are missing: see below.');
      return;
    }
    const body: NewHold = { scope, matter, reason: reason.trim() };
    if (scope === 'pupil' && pupil) body.pupilId = pupil.id;
    if (scope === 'category') body.categoryId = categoryId;
    if (scope === 'date_range') Object.assign(body, { fromDate: from, toDate: to });
    await api('POST', '/api/retention/holds', body);
    setReason('');
    setPupil(null);
    onPlaced();
    return 'The hold was placed.';
  };

  return (
    <Form
      submit={submit}
      onSubmit={place}
      className="card stack-tight"
      aria-label="Place a legal hold"
    >
      <h3>Place a legal hold</h3>
      <RadioGroup
        legend="What the hold covers"
        value={scope}
        onChange={setScope}
        options={(['pupil', 'category', 'date_range'] as const).map((s) => [s, SCOPE_NAMES[s]])}
      />
      {scope === 'pupil' && <PupilChoice chosen={pupil} onChoose={setPupil} />}
      {scope === 'category' && (
        <Select name="categoryId" label="Category" value={categoryId} onChange={setCategoryId}>
          <option value="">Choose a category</option>
          {categories.status === 'ok' &&
            categories.data.items.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
        </Select>
      )}
      {scope === 'date_range' && (
        <div className="retention-rule-fields">
          <DateField name="fromDate" label="From" value={from} onChange={setFrom} />
          <DateField name="toDate" label="To" value={to} onChange={setTo} />
        </div>
      )}
      <Select name="matter" label="Matter" value={matter} onChange={(v) => setMatter(asMatter(v))}>
        {HOLD_MATTERS.map((m) => (
          <option key={m} value={m}>
            {MATTER_NAMES[m]}
          </option>
        ))}
      </Select>
      <TextArea
        name="reason"
        label="Reason"
        hint="The matter's name and who asked. It is sealed, and shown only on this page."
        rows={3}
        maxLength={2000}
        value={reason}
        onChange={setReason}
      />
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton>Place hold</SubmitButton>
      </div>
    </Form>
  );
}

const asMatter = (v: string): HoldMatter => HOLD_MATTERS.find((m) => m === v) ?? 'other';

function PupilChoice(p: { chosen: PupilSummary | null; onChoose: (p: PupilSummary) => void }) {
  const [text, setText] = useState('');
  const [items, setItems] = useState<PupilSummary[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const onText = (value: string) => {
    setText(value);
    const q = value.trim();
    if (!q) return setItems([]);
    // The typed name travels in the body, never in a URL a log or proxy keeps.
    api<PupilList>('POST', '/api/pupils/search', { q }).then(
      (r) => {
        setItems(r.items);
        setProblem(null);
      },
      (err: unknown) => {
        if (!isAbort(err)) setProblem('Pupils could not be searched. Try again.');
      },
    );
  };
  return (
    <div className="stack-tight">
      <ComboBox
        name="pupilId"
        label="Pupil"
        hint="Type part of a name, then choose the pupil."
        items={items}
        itemLabel={(x) => (x.form ? `${x.name} (${x.form})` : x.name)}
        text={text}
        onTextChange={onText}
        onChoose={(x) => {
          p.onChoose(x);
          setText('');
          setItems([]);
        }}
        emptyText={problem ?? 'No pupils match that name.'}
      />
      {p.chosen && <p role="status">Chosen: {p.chosen.name}</p>}
    </div>
  );
}
