// A group's name, description, scope of pupils, capabilities and default access to categories.
// A new group is created with POST and then opened (so its per-category access can be set);
// an existing one is replaced with PUT. The server's refusals are shown above the button.
import { useId, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { Button, Input, Label, TextField } from 'react-aria-components';
import { api, errorMessage } from '../api.ts';
import { ACCESS_NAMES, CAPABILITY_NAMES, SCOPE_NAMES } from './AdminShared.tsx';
import type { AdminGroup } from './AdminGroups.tsx';

type ScopeKind = 'school' | 'year_groups' | 'own_groups';

export function GroupForm({
  group,
  yearGroups,
  onSaved,
}: {
  group: AdminGroup | null;
  yearGroups: string[];
  onSaved: () => Promise<void>;
}) {
  const id = useId();
  const navigate = useNavigate();
  const [name, setName] = useState(group?.name ?? '');
  const [description, setDescription] = useState(group?.description ?? '');
  const [scope, setScope] = useState<ScopeKind>(
    (group?.scope.kind as ScopeKind | undefined) ?? 'school',
  );
  const [years, setYears] = useState<string[]>(group?.scope.yearGroups ?? []);
  const [otherYears, setOtherYears] = useState('');
  const [capabilities, setCapabilities] = useState<string[]>(group?.capabilities ?? []);
  const [nonRestricted, setNonRestricted] = useState(group?.nonRestrictedDefault ?? 'none');
  const [restricted, setRestricted] = useState(group?.restrictedDefault ?? 'none');
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Year groups the group already names but no current pupil is in are still offered.
  const offered = [...new Set([...yearGroups, ...(group?.scope.yearGroups ?? [])])];
  const toggle = (list: string[], value: string, on: boolean) =>
    on ? [...list, value] : list.filter((x) => x !== value);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setError(null);
    setSaved(null);
    const chosenYears = [
      ...years,
      ...otherYears
        .split(',')
        .map((y) => y.trim())
        .filter(Boolean),
    ];
    if (!name.trim()) {
      setError('Give the group a name.');
      return;
    }
    if (scope === 'year_groups' && chosenYears.length === 0) {
      setError('Choose at least one year group for this scope.');
      return;
    }
    const body = {
      name: name.trim(),
      description: description.trim(),
      nonRestrictedDefault: nonRestricted,
      restrictedDefault: restricted,
      scope:
        scope === 'year_groups'
          ? { kind: scope, yearGroups: [...new Set(chosenYears)] }
          : { kind: scope },
      capabilities,
    };
    setBusy(true);
    try {
      if (group) {
        await api('PUT', `/api/admin/groups/${group.id}`, body);
        await onSaved();
        setSaved(`${body.name} was saved.`);
      } else {
        const { id: created } = await api<{ id: string }>('POST', '/api/admin/groups', body);
        await onSaved();
        await navigate(`/admin/groups?group=${created}`);
      }
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const accessSelect = (key: string, label: string, value: string, set: (v: string) => void) => (
    <div className="field">
      <label className="field-label" htmlFor={`${id}-${key}`}>
        {label}
      </label>
      <select
        id={`${id}-${key}`}
        className="input"
        value={value}
        onChange={(e) => set(e.target.value)}
      >
        {Object.entries(ACCESS_NAMES).map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </div>
  );

  return (
    <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
      <TextField className="field" value={name} onChange={setName} maxLength={100}>
        <Label className="field-label">Group name</Label>
        <Input className="input" />
      </TextField>
      <div className="field">
        <label className="field-label" htmlFor={`${id}-description`}>
          Description (optional)
        </label>
        <textarea
          id={`${id}-description`}
          className="input textarea"
          rows={2}
          maxLength={500}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </div>
      <fieldset className="admin-fieldset">
        <legend>Pupils this group’s access covers</legend>
        {(Object.keys(SCOPE_NAMES) as ScopeKind[]).map((kind) => (
          <label key={kind} className="admin-check">
            <input
              type="radio"
              name={`${id}-scope`}
              checked={scope === kind}
              onChange={() => setScope(kind)}
            />
            {SCOPE_NAMES[kind]}
          </label>
        ))}
      </fieldset>
      {scope === 'year_groups' && (
        <fieldset className="admin-fieldset">
          <legend>Year groups</legend>
          <div className="admin-checks">
            {offered.map((y) => (
              <label key={y} className="admin-check">
                <input
                  type="checkbox"
                  checked={years.includes(y)}
                  onChange={(e) => setYears(toggle(years, y, e.target.checked))}
                />
                {y}
              </label>
            ))}
          </div>
          <TextField className="field" value={otherYears} onChange={setOtherYears}>
            <Label className="field-label">
              {offered.length > 0 ? 'Other year groups' : 'Year groups'} (separate with commas)
            </Label>
            <Input className="input" />
          </TextField>
        </fieldset>
      )}
      <fieldset className="admin-fieldset">
        <legend>What members may also do</legend>
        <div className="admin-checks">
          {Object.entries(CAPABILITY_NAMES).map(([c, label]) => (
            <label key={c} className="admin-check">
              <input
                type="checkbox"
                checked={capabilities.includes(c)}
                onChange={(e) => setCapabilities(toggle(capabilities, c, e.target.checked))}
              />
              {label}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="admin-grid">
        {accessSelect(
          'non-restricted',
          'Access to categories (unless set for a category)',
          nonRestricted,
          setNonRestricted,
        )}
        {accessSelect(
          'restricted',
          'Access to restricted categories (unless set for a category)',
          restricted,
          setRestricted,
        )}
      </div>
      <div role="alert" className={error ? 'message message-error' : 'visually-empty'}>
        {error}
      </div>
      <div role="status" className={saved ? 'message message-success' : 'visually-empty'}>
        {saved}
      </div>
      <div className="actions">
        <Button type="submit" className="button button-primary">
          {group ? 'Save group' : 'Create group'}
        </Button>
      </div>
    </form>
  );
}
