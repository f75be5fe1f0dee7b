// "Pupil": type part of a name, pick from what the server finds, and the pupil is added with a
// role of their own. More than one pupil may be added; each can be removed again.
import { useEffect, useRef, useState } from 'react';
import {
  Button,
  ComboBox,
  FieldError,
  Input,
  Label,
  ListBox,
  ListBoxItem,
  Popover,
  Text,
  type Key,
} from 'react-aria-components';
import { api, isAbort, type Pupil, type PupilRole } from '../api.ts';
import { roleLabel } from '../format.ts';

export type ChosenPupil = { pupil: Pupil; role: PupilRole };

export const PUPIL_ROLES: readonly PupilRole[] = [
  'subject',
  'victim',
  'alleged_perpetrator',
  'witness',
  'other',
];

export function pupilLabel(p: Pupil): string {
  const group = p.form ?? p.yearGroup;
  return group ? `${p.name} (${group})` : p.name;
}

type Props = {
  chosen: ChosenPupil[];
  onChange: (next: ChosenPupil[]) => void;
  error: string | null;
  inputId: string;
};

export function PupilPicker({ chosen, onChange, error, inputId }: Props) {
  const [text, setText] = useState('');
  const [results, setResults] = useState<Pupil[]>([]);
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
      const url = `/api/pupils?q=${encodeURIComponent(q)}`;
      api<{ items: Pupil[] }>('GET', url, undefined, ctrl.signal).then(
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

  const choose = (key: Key | null) => {
    if (key === null) return;
    const pupil = results.find((p) => p.id === key);
    if (pupil && !chosenIds.has(pupil.id)) onChange([...chosen, { pupil, role: 'subject' }]);
    cancel();
    setText('');
    setResults([]);
    setSearching(false);
  };

  return (
    <div className="stack-tight">
      <ComboBox
        className="field"
        items={options}
        inputValue={text}
        onInputChange={onInput}
        selectedKey={null}
        onSelectionChange={choose}
        menuTrigger="input"
        allowsEmptyCollection={text.trim() !== ''}
        isInvalid={error !== null}
        validationBehavior="aria"
      >
        <Label className="field-label">Pupil</Label>
        <Text slot="description" className="hint">
          Type part of a name, then choose the pupil. You can add more than one.
        </Text>
        <Input id={inputId} className="input" />
        <FieldError className="field-error">{error}</FieldError>
        <Popover className="popover" placement="bottom start">
          <ListBox
            className="listbox"
            renderEmptyState={() => (
              <p className="listbox-empty">
                {searching ? 'Searching…' : (searchError ?? 'No pupils match that name.')}
              </p>
            )}
          >
            {(p: Pupil) => (
              <ListBoxItem id={p.id} className="listbox-item" textValue={pupilLabel(p)}>
                {pupilLabel(p)}
              </ListBoxItem>
            )}
          </ListBox>
        </Popover>
      </ComboBox>
      {chosen.length > 0 && (
        <ul className="chosen-pupils" aria-label="Pupils in this concern">
          {chosen.map((c, i) => {
            const selectId = `${inputId}-role-${c.pupil.id}`;
            return (
              <li key={c.pupil.id} className="chosen-pupil">
                <span className="chosen-name">{pupilLabel(c.pupil)}</span>
                <span className="field field-inline">
                  <label htmlFor={selectId} className="field-label">
                    Role for {c.pupil.name}
                  </label>
                  <select
                    id={selectId}
                    className="input"
                    value={c.role}
                    onChange={(e) => {
                      const role = PUPIL_ROLES.find((r) => r === e.target.value) ?? 'subject';
                      onChange(chosen.map((x, j) => (j === i ? { ...x, role } : x)));
                    }}
                  >
                    {PUPIL_ROLES.map((r) => (
                      <option key={r} value={r}>
                        {roleLabel(r)}
                      </option>
                    ))}
                  </select>
                </span>
                <Button
                  className="button button-quiet"
                  onPress={() => onChange(chosen.filter((_, j) => j !== i))}
                >
                  Remove {c.pupil.name}
                </Button>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
