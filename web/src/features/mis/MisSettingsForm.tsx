// The school's MIS settings (issue 13): the guard's share (a full import that would archive more
// of the pupils on roll is held for an administrator), the weekday of the weekly full pull, when
// the last full and delta runs were, and the SIMS report headings: Lantern's own names for each
// column, which the administrator can see, and the school's own headings, which they add here.
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { formatWhen } from '../../lib/format.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { Select } from '../../ui/Field.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { WhenLoaded } from '../../ui/Message.tsx';
import type { MisSettings } from '../../../../src/shared/schemas/mis.ts';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
type File = 'pupils' | 'contacts';
const FILES: Record<File, string> = { pupils: 'pupils.csv', contacts: 'contacts.csv' };

export function MisSettingsSection() {
  const state = useLoad<MisSettings>('/api/admin/mis/settings');
  return <WhenLoaded state={state}>{(data) => <SettingsFields initial={data} />}</WhenLoaded>;
}

function SettingsFields({ initial }: { initial: MisSettings }) {
  const [saved, setSaved] = useState(initial);
  const [percent, setPercent] = useState(String(initial.guardPercent));
  const [day, setDay] = useState(String(initial.fullDay));
  const [synonyms, setSynonyms] = useState(initial.csvSynonyms);
  const [file, setFile] = useState<File>('pupils');
  const [heading, setHeading] = useState('');
  const [column, setColumn] = useState(Object.keys(initial.builtInSynonyms.pupils)[0] ?? '');
  const submit = useSubmit<'guardPercent' | 'heading'>();
  const columns = Object.keys(saved.builtInSynonyms[file]);

  // A heading typed but not yet added (Enter pressed in its field, or Save pressed) is saved with
  // the rest, never dropped.
  const withPending = (): MisSettings['csvSynonyms'] =>
    heading.trim() === '' || column === ''
      ? synonyms
      : { ...synonyms, [file]: { ...synonyms[file], [heading.trim()]: column } };
  const save = async () => {
    const n = Number(percent);
    const wrong = !Number.isInteger(n) || n < 1 || n > 100;
    if (submit.invalid({ guardPercent: wrong ? 'Enter a whole number from 1 to 100.' : null }))
      return;
    const r = await api<MisSettings>('PUT', '/api/admin/mis/settings', {
      guardPercent: n,
      fullDay: Number(day),
      csvSynonyms: withPending(),
    });
    setSaved(r);
    setSynonyms(r.csvSynonyms);
    setHeading('');
    return 'MIS settings saved.';
  };
  const add = () => {
    if (submit.invalid({ heading: heading.trim() === '' ? 'Type the heading to add.' : null }))
      return;
    setSynonyms(withPending());
    setHeading('');
  };
  const remove = (f: File, h: string) => {
    const rest = { ...synonyms[f] };
    delete rest[h];
    setSynonyms({ ...synonyms, [f]: rest });
  };

  return (
    <Form submit={submit} onSubmit={save}>
      <p>
        Last full import: {saved.lastFullRunAt ? formatWhen(saved.lastFullRunAt) : 'none yet'}. Last
        delta: {saved.lastDeltaRunAt ? formatWhen(saved.lastDeltaRunAt) : 'none yet'}.
        {saved.hasCursor ? ' The next scheduled pull asks only for changes.' : ''}
      </p>
      <TextField
        name="guardPercent"
        label="Hold a full import that would archive more than this percentage of pupils on roll"
        inputMode="numeric"
        inputClassName="input input-short"
        value={percent}
        onChange={setPercent}
      />
      <Select label="Day of the weekly full pull" value={day} onChange={setDay}>
        {DAYS.map((d, i) => (
          <option key={d} value={String(i)}>
            {d}
          </option>
        ))}
      </Select>
      <fieldset className="stack">
        <legend>The school’s own SIMS report headings</legend>
        {(['pupils', 'contacts'] as const).map((f) =>
          Object.entries(synonyms[f]).length === 0 ? null : (
            <ul key={f} aria-label={`Headings added for ${FILES[f]}`}>
              {Object.entries(synonyms[f]).map(([h, c]) => (
                <li key={h}>
                  {FILES[f]}: “{h}” means {c}{' '}
                  <Button
                    variant="quiet"
                    aria-label={`Remove the heading ${h} from ${FILES[f]}`}
                    onPress={() => remove(f, h)}
                  >
                    Remove
                  </Button>
                </li>
              ))}
            </ul>
          ),
        )}
        <Select
          label="File"
          value={file}
          onChange={(v) => {
            setFile(v as File);
            setColumn(Object.keys(saved.builtInSynonyms[v as File])[0] ?? '');
          }}
        >
          {Object.entries(FILES).map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </Select>
        <TextField
          name="heading"
          label="Heading as it appears in the report"
          value={heading}
          onChange={setHeading}
        />
        <Select label="Lantern column it means" value={column} onChange={setColumn}>
          {columns.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </Select>
        <div className="actions">
          <Button variant="secondary" onPress={add}>
            Add this heading
          </Button>
        </div>
        <details>
          <summary>Headings Lantern already knows</summary>
          {(['pupils', 'contacts'] as const).map((f) => (
            <dl key={f} className="facts" aria-label={`Known headings for ${FILES[f]}`}>
              {Object.entries(saved.builtInSynonyms[f]).map(([c, names]) => (
                <div key={c}>
                  <dt>
                    {FILES[f]}: {c}
                  </dt>
                  <dd>{names.join(', ')}</dd>
                </div>
              ))}
            </dl>
          ))}
        </details>
      </fieldset>
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton>Save MIS settings</SubmitButton>
      </div>
    </Form>
  );
}
