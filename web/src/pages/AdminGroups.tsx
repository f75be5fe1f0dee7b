// Groups and permissions (issue 3): the school's staff groups, each with its scope of pupils,
// capabilities, default access to categories and its exceptions per category. `?group=<id>`
// (or `?group=new`) opens one group's form, so the browser's back button returns to the list.
import { useCallback, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, type Category } from '../api.ts';
import { useLoad } from '../useLoad.ts';
import { ACCESS_NAMES, AdminLoaded, CAPABILITY_NAMES, SCOPE_NAMES } from './AdminShared.tsx';
import { GroupForm } from './AdminGroupForm.tsx';
import { CategoryAccessForm } from './AdminGroupCategories.tsx';

export type AdminGroup = {
  id: string;
  key: string;
  name: string;
  description: string;
  nonRestrictedDefault: string;
  restrictedDefault: string;
  scope: { kind: string; yearGroups: string[] };
  capabilities: string[];
  categories: { categoryId: string; access: string }[];
  memberIds: string[];
};

type Items<T> = { items: T[] };

export function AdminGroupsPage() {
  const [params] = useSearchParams();
  const open = params.get('group');
  const [attempt, setAttempt] = useState(0);
  const groups = useLoad<Items<AdminGroup>>('/api/admin/groups', attempt);
  const categories = useLoad<Items<Category>>('/api/categories', attempt);
  const years = useLoad<Items<string>>('/api/admin/year-groups', attempt);
  const [fresh, setFresh] = useState<AdminGroup[] | null>(null);
  const reload = useCallback(async () => {
    setFresh((await api<Items<AdminGroup>>('GET', '/api/admin/groups')).items);
  }, []);
  const all =
    groups.status !== 'ok'
      ? groups
      : categories.status !== 'ok'
        ? categories
        : years.status !== 'ok'
          ? years
          : {
              status: 'ok' as const,
              data: {
                groups: groups.data.items,
                categories: categories.data.items,
                yearGroups: years.data.items,
              },
            };
  const editing =
    fresh?.find((g) => g.id === open) ??
    (all.status === 'ok' ? all.data.groups.find((g) => g.id === open) : undefined);
  const title =
    open === 'new' ? 'New group' : editing ? `Group: ${editing.name}` : 'Groups and permissions';
  return (
    <AdminLoaded
      title={title}
      state={all}
      retry={() => {
        setFresh(null);
        setAttempt((n) => n + 1);
      }}
    >
      {(data) => {
        const list = fresh ?? data.groups;
        if (open === null || (open !== 'new' && !editing))
          return <GroupList groups={list} categories={data.categories} missing={open !== null} />;
        return (
          <>
            <p>
              <Link to="/admin/groups">All groups</Link>
            </p>
            <section aria-labelledby="group-form-heading" className="section card">
              <h2 id="group-form-heading">
                {editing ? 'Name, scope and capabilities' : 'About the group'}
              </h2>
              <GroupForm
                key={editing?.id ?? 'new'}
                group={editing ?? null}
                yearGroups={data.yearGroups}
                onSaved={reload}
              />
            </section>
            {editing && (
              <section aria-labelledby="group-access-heading" className="section card">
                <h2 id="group-access-heading">Access to each category</h2>
                <CategoryAccessForm group={editing} categories={data.categories} onSaved={reload} />
              </section>
            )}
          </>
        );
      }}
    </AdminLoaded>
  );
}

function scopeText(g: AdminGroup): string {
  if (g.scope.kind === 'year_groups')
    return `${SCOPE_NAMES.year_groups}: ${g.scope.yearGroups.join(', ')}`;
  return SCOPE_NAMES[g.scope.kind] ?? g.scope.kind;
}

function GroupList({
  groups,
  categories,
  missing,
}: {
  groups: AdminGroup[];
  categories: Category[];
  missing: boolean;
}) {
  const names = new Map(categories.map((c) => [c.id, c.name]));
  return (
    <>
      {missing && (
        <p className="message message-error" role="alert">
          That group was not found.
        </p>
      )}
      <p>
        A member’s permissions are those of all their groups together; each group’s access applies
        only to the pupils in its scope.
      </p>
      <div className="toolbar">
        <Link className="button button-primary" to="/admin/groups?group=new">
          New group
        </Link>
      </div>
      <section aria-labelledby="groups-heading" className="section">
        <h2 id="groups-heading">Groups ({groups.length})</h2>
        <ul className="admin-list" aria-labelledby="groups-heading">
          {groups.map((g) => (
            <li key={g.id} className="card admin-item">
              <h3>{g.name}</h3>
              {g.description && <p className="muted">{g.description}</p>}
              <dl className="admin-facts">
                <dt>Pupils</dt>
                <dd>{scopeText(g)}</dd>
                <dt>Categories</dt>
                <dd>{ACCESS_NAMES[g.nonRestrictedDefault] ?? g.nonRestrictedDefault}</dd>
                <dt>Restricted categories</dt>
                <dd>{ACCESS_NAMES[g.restrictedDefault] ?? g.restrictedDefault}</dd>
                {g.categories.length > 0 && (
                  <>
                    <dt>Except</dt>
                    <dd>
                      {g.categories
                        .map(
                          (c) =>
                            `${names.get(c.categoryId) ?? 'an archived category'}: ${(ACCESS_NAMES[c.access] ?? c.access).toLowerCase()}`,
                        )
                        .join('; ')}
                    </dd>
                  </>
                )}
                <dt>Can also</dt>
                <dd>
                  {g.capabilities.length > 0
                    ? g.capabilities.map((c) => CAPABILITY_NAMES[c] ?? c).join(', ')
                    : 'Nothing more'}
                </dd>
                <dt>Members</dt>
                <dd>{g.memberIds.length}</dd>
              </dl>
              <Link
                className="button"
                to={`/admin/groups?group=${g.id}`}
                aria-label={`Edit ${g.name}`}
              >
                Edit
              </Link>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
