// Which groups see which categories, on one screen (issue 14): a table with a row for each group
// (the school's own groups first, then year and form groups in number order, as the alert picker
// has them) and a column for each category; each cell is the group's access to that category.
// Saved in one request that the server applies whole or not at all, each cell audited as the
// per-group change is; the server decides who may (administrators, never for their own group).
// The category's page shows the same grid for its one column.
import { useId, useState } from 'react';
import { api } from '../../lib/api.ts';
import { allLoaded, useLoad } from '../../lib/useLoad.ts';
import { refusedAs, useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import type { Category, CategoryList } from '../../../../src/shared/schemas/categories.ts';
import type {
  AccessChangeResult,
  CategoryAccessGridBody,
  GroupItem,
  GroupList,
} from '../../../../src/shared/schemas/administration.ts';
import { groupsInOrder } from '../concerns/AlertChoice.tsx';
import { ACCESS_NAMES, AdminLoaded, approvalNote } from './AdminShared.tsx';

type Access = CategoryAccessGridBody['changes'][number]['access'];
const cell = (groupId: string, categoryId: string) => `${groupId}/${categoryId}`;
const isAccess = (v: string): v is Access => v === 'inherit' || v in ACCESS_NAMES;

/** Each group's own setting for each category ('inherit' where it has none). */
function settingsOf(groups: readonly GroupItem[]): Map<string, Access> {
  return new Map(
    groups.flatMap((g) =>
      g.categories.flatMap((c) =>
        isAccess(c.access) ? [[cell(g.id, c.categoryId), c.access] as const] : [],
      ),
    ),
  );
}

export function AdminAccessGridPage() {
  const groups = useLoad<GroupList>('/api/admin/groups');
  const categories = useLoad<CategoryList>('/api/categories');
  const all = allLoaded({ groups, categories });
  return (
    <AdminLoaded
      title="Category access"
      state={all}
      retry={() => {
        void groups.reload();
        void categories.reload();
      }}
    >
      {(data) => (
        <>
          <p>
            Which groups see which categories. “Group’s default” follows the group’s own setting;
            “View and add” lets members read records in the category and log new ones; “Add only”
            lets them log but not read.
          </p>
          <AccessGrid
            groups={data.groups.items}
            categories={data.categories.items}
            onSaved={() => groups.reload()}
          />
        </>
      )}
    </AdminLoaded>
  );
}

export function AccessGrid({
  groups,
  categories,
  onSaved,
  saveLabel = 'Save category access',
}: {
  groups: readonly GroupItem[];
  /** The columns: every category, or the one whose page this is. */
  categories: readonly Category[];
  onSaved: () => Promise<void>;
  /** The save button's name: on a category's page, one that "Save category" does not match. */
  saveLabel?: string;
}) {
  // What the person has chosen, over what the groups have; kept after a refusal.
  const [chosen, setChosen] = useState<ReadonlyMap<string, Access>>(new Map());
  const submit = useSubmit({ describe: refusedAs('Nothing was saved', [400, 403, 404]) });
  const saved = settingsOf(groups);
  const valueOf = (key: string) => chosen.get(key) ?? saved.get(key) ?? 'inherit';
  const byId = new Map(categories.map((c) => [c.id, c]));
  const nameOf = (c: Category) => {
    const parent = c.parentId ? byId.get(c.parentId) : undefined;
    return parent ? `${parent.name}: ${c.name}` : c.name;
  };
  const columns = [...categories].sort(
    (a, b) =>
      Number(a.restricted) - Number(b.restricted) ||
      nameOf(a).localeCompare(nameOf(b), 'en-GB', { numeric: true }),
  );
  const rows = groupsInOrder(groups);
  const captionId = `${useId()}-caption`;

  const save = async () => {
    const changes = [...chosen]
      .filter(([key, access]) => access !== (saved.get(key) ?? 'inherit'))
      .map(([key, access]) => {
        const [groupId = '', categoryId = ''] = key.split('/');
        return { groupId, categoryId, access };
      });
    if (changes.length === 0) return 'Nothing has changed.';
    const result = await api<AccessChangeResult>('PUT', '/api/admin/category-access', {
      changes,
    } satisfies CategoryAccessGridBody);
    await onSaved();
    setChosen(new Map());
    const n = changes.length;
    return `${n === 1 ? 'One change was' : `${n} changes were`} saved.${approvalNote(result)}`;
  };

  return (
    <Form submit={submit} onSubmit={save}>
      <div className="access-grid-scroll" role="region" aria-labelledby={captionId} tabIndex={0}>
        <table className="access-grid">
          <caption id={captionId}>Access of each group (rows) to each category (columns)</caption>
          <thead>
            <tr>
              <th scope="col">Group</th>
              {columns.map((c) => (
                <th scope="col" key={c.id}>
                  {nameOf(c)}
                  {c.restricted && <span className="admin-tag">Restricted</span>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((g) => (
              <tr key={g.id}>
                <th scope="row">{g.name}</th>
                {columns.map((c) => {
                  const key = cell(g.id, c.id);
                  const fallback = c.restricted ? g.restrictedDefault : g.nonRestrictedDefault;
                  const value = valueOf(key);
                  return (
                    <td key={c.id} className={chosen.has(key) ? 'access-grid-changed' : undefined}>
                      <select
                        className="input"
                        aria-label={`${g.name}: access to ${nameOf(c)}`}
                        value={value}
                        onChange={(e) => {
                          const v = e.currentTarget.value;
                          if (!isAccess(v)) return;
                          setChosen((m) => new Map(m).set(key, v));
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
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton>{saveLabel}</SubmitButton>
      </div>
    </Form>
  );
}
