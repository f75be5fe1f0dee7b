// Choosing a request's subject by name (the typed name travels in a request body, never a URL).
import { useState } from 'react';
import { api, isAbort } from '../../lib/api.ts';
import { ComboBox } from '../../ui/ComboBox.tsx';
import type { PupilList, PupilSummary } from '../../../../src/shared/schemas/pupils.ts';

export function PupilPicker(p: {
  chosen: PupilSummary | null;
  onChoose: (p: PupilSummary) => void;
}) {
  const [text, setText] = useState('');
  const [items, setItems] = useState<PupilSummary[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const onText = (value: string) => {
    setText(value);
    const q = value.trim();
    if (!q) return setItems([]);
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
        name="subjects"
        label="Pupil the request is about"
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
