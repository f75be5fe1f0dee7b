// Picking the destination school from the directory, by name or URN (the words go in the
// request's body, never the address). Results are radio buttons; "Not known" keeps the file and
// starts no clock.
import { useState } from 'react';
import { api, errorMessage } from '../../lib/api.ts';
import { TextField } from '../../ui/TextField.tsx';
import { Button } from '../../ui/Button.tsx';
import { RadioGroup } from '../../ui/Field.tsx';
import type { DirectoryResults, Establishment } from '../../../../src/shared/schemas/transfers.ts';

export const UNKNOWN = 'unknown';

export function DestinationPicker(p: {
  value: string;
  onChange: (urn: string) => void;
  allowUnknown: boolean;
}) {
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Establishment[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const search = async () => {
    setProblem(null);
    if (!query.trim()) return setProblem('Type part of the school’s name, or its URN.');
    try {
      const r = await api<DirectoryResults>('POST', '/api/transfers/directory/search', {
        query: query.trim(),
      });
      setFound(r.items);
    } catch (err) {
      setProblem(errorMessage(err));
    }
  };
  const options: [string, string][] = [
    ...(found ?? []).map((e): [string, string] => [
      String(e.urn),
      `${e.name} (URN ${e.urn}${e.localAuthority ? `, ${e.localAuthority}` : ''}${e.status ? `, ${e.status}` : ''})${e.onThisLantern ? ' – uses Lantern' : ''}`,
    ]),
    ...(p.allowUnknown ? [[UNKNOWN, 'Not known yet'] as [string, string]] : []),
  ];
  return (
    <div className="stack-tight">
      <TextField
        label="Find the new school"
        hint="Part of its name, or its URN"
        value={query}
        onChange={setQuery}
        maxLength={100}
      />
      <div className="actions">
        <Button onPress={() => void search()}>Find school</Button>
      </div>
      {problem && <p role="alert">{problem}</p>}
      {found !== null && found.length === 0 && <p role="status">No school matches.</p>}
      {options.length > 0 && (
        <RadioGroup
          legend="Destination school"
          name="destination"
          value={p.value}
          onChange={p.onChange}
          options={options}
        />
      )}
    </div>
  );
}
