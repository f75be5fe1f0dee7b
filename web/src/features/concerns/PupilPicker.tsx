// "Pupil": type part of a name, pick from what the server finds, and the pupil is added with a
// role of their own. More than one pupil may be added; each can be removed again.
import { useEffect, useRef, useState } from 'react';
import { api, isAbort } from '../../lib/api.ts';
import { roleLabel } from '../../lib/format.ts';
import { ComboBox } from '../../ui/ComboBox.tsx';
import { Select } from '../../ui/Field.tsx';
import { Button } from '../../ui/Button.tsx';
import { PUPIL_ROLES, type PupilRole } from '../../../../src/shared/pupil-roles.ts';
import type {
  PupilList,
  PupilSearch,
  PupilSummary,
} from '../../../../src/shared/schemas/pupils.ts';

export type ChosenPupil = { pupil: PupilSummary; role: PupilRole };

export function pupilLabel(p: PupilSummary): string {
  const group = p.form ?? p.yearGroup;
  return group ? `${p.name} (${group})` : p.name;
}

type Props = {
  /** The field's name in the form (its message, its focus). */
  name: string;
  chosen: ChosenPupil[];
  onChange: (next: ChosenPupil[]) => void;
};

export function PupilPicker({ name, chosen, onChange }: Props) {
  const [text, setText] = useState('');
  const [results, setResults] = useState<PupilSummary[]>([]);
  const [searching, setSearching] = useState(false);
  const [searchError, setSearchError] = useState<string | null>(null);

  const pending = useRef<{ timer: ReturnType<typeof setTimeout>; ctrl: AbortController } | null>(
    null,
  );
  const cancel = () => {
    if (!pending.current) return;
    clearTimeout(pending.current.timer);
    pending.current.ctrl.abort();
    pending.current = null;
  };
  useEffect(() => cancel, []);

  // Searches as the user types, a moment after they pause; an older search is abandoned.
  const onInput = (value: string) => {
    setText(value);
    cancel();
    const q = value.trim();
    if (!q) {
      setResults([]);
      setSearching(false);
      return;
    }
    setSearching(true);
    const ctrl = new AbortController();
    const timer = setTimeout(() => {
      // The typed name travels in the body, never in a URL a log or proxy keeps.
      const body: PupilSearch = { q };
      api<PupilList>('POST', '/api/pupils/search', body, ctrl.signal).then(
        (r) => {
          setResults(r.items);
          setSearchError(null);
          setSearching(false);
        },
        (err: unknown) => {
          if (isAbort(err)) return;
          setSearchError('Pupils could not be searched. Try again.');
          setSearching(false);
        },
      );
    }, 200);
    pending.current = { timer, ctrl };
  };

  const chosenIds = new Set(chosen.map((c) => c.pupil.id));
  const options = results.filter((p) => !chosenIds.has(p.id));

  const choose = (pupil: PupilSummary) => {
    if (!chosenIds.has(pupil.id)) onChange([...chosen, { pupil, role: 'subject' }]);
    cancel();
    setText('');
    setResults([]);
    setSearching(false);
  };

  return (
    <div className="stack-tight">
      <ComboBox
        name={name}
        label="Pupil"
        hint="Type part of a name, then choose the pupil. You can add more than one."
        items={options}
        itemLabel={pupilLabel}
        text={text}
        onTextChange={onInput}
        onChoose={choose}
        emptyText={searching ? 'Searching…' : (searchError ?? 'No pupils match that name.')}
      />
      {chosen.length > 0 && (
        <ul className="chosen-pupils" aria-label="Pupils in this concern">
          {chosen.map((c, i) => (
            <li key={c.pupil.id} className="chosen-pupil">
              <span className="chosen-name">{pupilLabel(c.pupil)}</span>
              <Select
                inline
                label={`Role for ${c.pupil.name}`}
                value={c.role}
                onChange={(value) => {
                  const role = PUPIL_ROLES.find((r) => r === value) ?? 'subject';
                  onChange(chosen.map((x, j) => (j === i ? { ...x, role } : x)));
                }}
              >
                {PUPIL_ROLES.map((r) => (
                  <option key={r} value={r}>
                    {roleLabel(r)}
                  </option>
                ))}
              </Select>
              <Button variant="quiet" onPress={() => onChange(chosen.filter((_, j) => j !== i))}>
                Remove {c.pupil.name}
              </Button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
