// A group's name, description, scope of pupils, capabilities and default access to categories.
// A new group is created with POST and then opened (so its per-category access can be set);
// an existing one is replaced with PUT. The server's refusals are shown above the button.
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../lib/api.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextArea, TextField } from '../../ui/TextField.tsx';
import { Checkbox, RadioGroup, Select } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import { ACCESS_NAMES, approvalNote, CAPABILITY_NAMES, SCOPE_NAMES } from './AdminShared.tsx';
import type { ScopeKind } from '../../../../src/shared/access.ts';
import type {
  AccessChangeResult,
  Created,
  GroupItem,
} from '../../../../src/shared/schemas/administration.ts';

const SCOPES = Object.entries(SCOPE_NAMES) as [ScopeKind, string][];

export function GroupForm({
  group,
  yearGroups,
  onSaved,
}: {
  group: GroupItem | null;
  yearGroups: string[];
  onSaved: () => Promise<void>;
}) {
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
  const submit = useSubmit();
  // Year groups the group already names but no current pupil is in are still offered.
  const offered = [...new Set([...yearGroups, ...(group?.scope.yearGroups ?? [])])];
  const toggle = (list: string[], value: string, on: boolean) =>
    on ? [...list, value] : list.filter((x) => x !== value);

  const save = async () => {
    const chosenYears = [
      ...years,
      ...otherYears
        .split(',')
        .map((y) => y.trim())
        .filter(Boolean),
    ];
    if (!name.trim()) {
      submit.invalid({ name: 'Give the group a name.' }, 'Give the group a name.');
      return;
    }
    if (scope === 'year_groups' && chosenYears.length === 0) {
      submit.invalid({}, 'Choose at least one year group for this scope.');
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
    if (group) {
      const result = await api<AccessChangeResult>('PUT', `/api/admin/groups/${group.id}`, body);
      await onSaved();
      return `${body.name} was saved.${approvalNote(result)}`;
    }
    const { id: created } = await api<Created>('POST', '/api/admin/groups', body);
    await onSaved();
    await navigate(`/admin/groups?group=${created}`);
  };

  const accessSelect = (label: string, value: string, set: (v: string) => void) => (
    <Select label={label} value={value} onChange={set}>
      {Object.entries(ACCESS_NAMES).map(([v, l]) => (
        <option key={v} value={v}>
          {l}
        </option>
      ))}
    </Select>
  );

  return (
    <Form submit={submit} onSubmit={save}>
      <TextField name="name" label="Group name" value={name} onChange={setName} maxLength={100} />
      <TextArea
        name="description"
        label="Description (optional)"
        rows={2}
        maxLength={500}
        value={description}
        onChange={setDescription}
      />
      <RadioGroup
        legend="Pupils this group’s access covers"
        className="admin-fieldset"
        itemClassName="admin-check"
        value={scope}
        onChange={setScope}
        options={SCOPES}
      />
      {scope === 'year_groups' && (
        <fieldset className="admin-fieldset">
          <legend>Year groups</legend>
          <div className="admin-checks">
            {offered.map((y) => (
              <Checkbox
                key={y}
                className="admin-check"
                checked={years.includes(y)}
                onChange={(on) => setYears(toggle(years, y, on))}
              >
                {y}
              </Checkbox>
            ))}
          </div>
          <TextField
            label={`${offered.length > 0 ? 'Other year groups' : 'Year groups'} (separate with commas)`}
            value={otherYears}
            onChange={setOtherYears}
          />
        </fieldset>
      )}
      <fieldset className="admin-fieldset">
        <legend>What members may also do</legend>
        <div className="admin-checks">
          {Object.entries(CAPABILITY_NAMES).map(([c, label]) => (
            <Checkbox
              key={c}
              className="admin-check"
              checked={capabilities.includes(c)}
              onChange={(on) => setCapabilities(toggle(capabilities, c, on))}
            >
              {label}
            </Checkbox>
          ))}
        </div>
      </fieldset>
      <div className="admin-grid">
        {accessSelect(
          'Access to categories (unless set for a category)',
          nonRestricted,
          setNonRestricted,
        )}
        {accessSelect(
          'Access to restricted categories (unless set for a category)',
          restricted,
          setRestricted,
        )}
      </div>
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton>{group ? 'Save group' : 'Create group'}</SubmitButton>
      </div>
    </Form>
  );
}
