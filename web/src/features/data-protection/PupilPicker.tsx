// Choosing one pupil by name (the typed name travels in a request body, never a URL): a rights
// request's subject here, and (issue 19) the pupil a case manager links to a concern about an
// adult, found through that area's own look-up (`search`), since the chair of governors may not
// use the school's pupil search.
import { useState } from 'react';
import { api, isAbort } from '../../lib/api.ts';
import { ComboBox } from '../../ui/ComboBox.tsx';
import type { PupilList, PupilSummary } from '../../../../src/shared/schemas/pupils.ts';

const schoolSearch = (q: string) =>
  api<PupilList>('POST', '/api/pupils/search', { q }).then((r) => r.items);

export function PupilPicker(p: {
  chosen: PupilSummary | null;
  onChoose: (p: PupilSummary) => void;
  /** The field's name in its form (its message, its focus). */
  name?: string;
  label?: string;
  /** How pupils are found (default: the school's pupil search). */
  search?: (q: string) => Promise<PupilSummary[]>;
}) {
  const [text, setText] = useState('');
  const [items, setItems] = useState<PupilSummary[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const search = p.search ?? schoolSearch;
  const onText = (value: string) => {
    setText(value);
    const q = value.trim();
    if (!q) return setItems([]);
    search(q).then(
      (found) => {
        setItems(found);
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
        name={p.name ?? 'subjects'}
        label={p.label ?? 'Pupil the request is about'}
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
