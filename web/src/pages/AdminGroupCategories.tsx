// One group's access to each category: the group's default, or view / add / none for that
// category alone. Restricted categories are listed apart, as only groups granted them see them.
// Saving sends one PUT per changed category (each one audited by the server).
import { useId, useState, type FormEvent } from 'react';
import { Button } from 'react-aria-components';
import { api, errorMessage, type Category } from '../api.ts';
import { ACCESS_NAMES } from './AdminShared.tsx';
import type { AdminGroup } from './AdminGroups.tsx';

const accessOf = (g: AdminGroup): Record<string, string> =>
  Object.fromEntries(g.categories.map((c) => [c.categoryId, c.access]));

export function CategoryAccessForm({
  group,
  categories,
  onSaved,
}: {
  group: AdminGroup;
  categories: Category[];
  onSaved: () => Promise<void>;
}) {
  const id = useId();
  const [chosen, setChosen] = useState<Record<string, string>>(() => accessOf(group));
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const byId = new Map(categories.map((c) => [c.id, c]));
  const nameOf = (c: Category) => {
    const parent = c.parentId ? byId.get(c.parentId) : undefined;
    return parent ? `${parent.name}: ${c.name}` : c.name;
  };
  const sorted = [...categories].sort((a, b) =>
    nameOf(a).localeCompare(nameOf(b), 'en-GB', { numeric: true }),
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setError(null);
    setSaved(null);
    const before = accessOf(group);
    const changed = categories.filter(
      (c) => (chosen[c.id] ?? 'inherit') !== (before[c.id] ?? 'inherit'),
    );
    if (changed.length === 0) {
      setSaved('Nothing has changed.');
      return;
    }
    setBusy(true);
    try {
      for (const c of changed) {
        await api('PUT', `/api/admin/groups/${group.id}/categories/${c.id}`, {
          access: chosen[c.id] ?? 'inherit',
        });
      }
      setSaved(
        changed.length === 1
          ? `Access to ${nameOf(changed[0]!)} was saved.`
          : `Access to ${changed.length} categories was saved.`,
      );
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      await onSaved().catch(() => undefined);
      setBusy(false);
    }
  };

  const row = (c: Category) => {
    const fallback = c.restricted ? group.restrictedDefault : group.nonRestrictedDefault;
    return (
      <div key={c.id} className="field">
        <label className="field-label" htmlFor={`${id}-${c.id}`}>
          {nameOf(c)}
          {c.restricted && <span className="admin-tag">Restricted</span>}
        </label>
        <select
          id={`${id}-${c.id}`}
          className="input"
          value={chosen[c.id] ?? 'inherit'}
          onChange={(e) => {
            const next = { ...chosen };
            if (e.target.value === 'inherit') delete next[c.id];
            else next[c.id] = e.target.value;
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
        </select>
      </div>
    );
  };
  const open = sorted.filter((c) => !c.restricted);
  const restricted = sorted.filter((c) => c.restricted);

  return (
    <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
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
      <div role="alert" className={error ? 'message message-error' : 'visually-empty'}>
        {error}
      </div>
      <div role="status" className={saved ? 'message message-success' : 'visually-empty'}>
        {saved}
      </div>
      <div className="actions">
        <Button type="submit" className="button button-primary">
          Save category access
        </Button>
      </div>
    </form>
  );
}
