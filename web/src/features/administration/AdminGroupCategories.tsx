// One group's access to each category: the group's default, or view / add / none for that
// category alone. Restricted categories are listed apart, as only groups granted them see them.
// Saving sends one PUT per changed category (each one audited by the server).
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { Select } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import type { Category } from '../../../../src/shared/schemas/categories.ts';
import { ACCESS_NAMES, approvalNote } from './AdminShared.tsx';
import type {
  AccessChangeResult,
  GroupItem,
} from '../../../../src/shared/schemas/administration.ts';

const accessOf = (g: GroupItem): Record<string, string> =>
  Object.fromEntries(g.categories.map((c) => [c.categoryId, c.access]));

export function CategoryAccessForm({
  group,
  categories,
  onSaved,
}: {
  group: GroupItem;
  categories: Category[];
  onSaved: () => Promise<void>;
}) {
  const [chosen, setChosen] = useState<Record<string, string>>(() => accessOf(group));
  const submit = useSubmit();
  const byId = new Map(categories.map((c) => [c.id, c]));
  const nameOf = (c: Category) => {
    const parent = c.parentId ? byId.get(c.parentId) : undefined;
    return parent ? `${parent.name}: ${c.name}` : c.name;
  };
  const sorted = [...categories].sort((a, b) =>
    nameOf(a).localeCompare(nameOf(b), 'en-GB', { numeric: true }),
  );

  const save = async () => {
    const before = accessOf(group);
    const changed = categories.filter(
      (c) => (chosen[c.id] ?? 'inherit') !== (before[c.id] ?? 'inherit'),
    );
    if (changed.length === 0) return 'Nothing has changed.';
    const awaitingApproval: unknown[] = [];
    try {
      for (const c of changed) {
        const result = await api<AccessChangeResult>(
          'PUT',
          `/api/admin/groups/${group.id}/categories/${c.id}`,
          { access: chosen[c.id] ?? 'inherit' },
        );
        awaitingApproval.push(...result.awaitingApproval);
      }
    } finally {
      // Some may have been saved before a refusal: show the group as it now is.
      await onSaved();
    }
    const applied = changed.length - awaitingApproval.length;
    if (awaitingApproval.length === 0) {
      return changed.length === 1
        ? `Access to ${nameOf(changed[0]!)} was saved.`
        : `Access to ${changed.length} categories was saved.`;
    }
    const saved =
      applied === 0
        ? ''
        : `Access to ${applied} ${applied === 1 ? 'category' : 'categories'} was saved.`;
    return `${saved}${approvalNote({ awaitingApproval })}`.trim();
  };

  const row = (c: Category) => {
    const fallback = c.restricted ? group.restrictedDefault : group.nonRestrictedDefault;
    return (
      <Select
        key={c.id}
        label={
          <>
            {nameOf(c)}
            {c.restricted && <span className="admin-tag">Restricted</span>}
          </>
        }
        value={chosen[c.id] ?? 'inherit'}
        onChange={(value) => {
          const next = { ...chosen };
          if (value === 'inherit') delete next[c.id];
          else next[c.id] = value;
          setChosen(next);
        }}
      >
        <option value="inherit">
          Group’s default ({(ACCESS_NAMES[fallback] ?? fallback).toLowerCase()})
        </option>
        {Object.entries(ACCESS_NAMES).map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </Select>
    );
  };
  const open = sorted.filter((c) => !c.restricted);
  const restricted = sorted.filter((c) => c.restricted);

  return (
    <Form submit={submit} onSubmit={save}>
      <p className="hint">
        “View and add” lets members read records in the category and log new ones; “Add only” lets
        them log but not read.
      </p>
      <fieldset className="admin-fieldset">
        <legend>Categories</legend>
        <div className="admin-access">{open.map(row)}</div>
      </fieldset>
      {restricted.length > 0 && (
        <fieldset className="admin-fieldset">
          <legend>Restricted categories</legend>
          <p className="hint">Seen only by groups given them here or by default.</p>
          <div className="admin-access">{restricted.map(row)}</div>
        </fieldset>
      )}
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton>Save category access</SubmitButton>
      </div>
    </Form>
  );
}
