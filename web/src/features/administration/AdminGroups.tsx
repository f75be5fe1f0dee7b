// Groups and permissions (issue 3): the school's staff groups, each with its scope of pupils,
// capabilities, default access to categories and its exceptions per category. `?group=<id>`
// (or `?group=new`) opens one group's form, so the browser's back button returns to the list.
import { Link, useSearchParams } from 'react-router';
import { allLoaded, useLoad } from '../../lib/useLoad.ts';
import type { CategoryList } from '../../../../src/shared/schemas/categories.ts';
import { ACCESS_NAMES, AdminLoaded, CAPABILITY_NAMES, SCOPE_NAMES } from './AdminShared.tsx';
import { GroupForm } from './AdminGroupForm.tsx';
import { CategoryAccessForm } from './AdminGroupCategories.tsx';
import type {
  GroupItem,
  GroupList as Groups,
  YearGroupList,
} from '../../../../src/shared/schemas/administration.ts';

export function AdminGroupsPage() {
  const [params] = useSearchParams();
  const open = params.get('group');
  const groups = useLoad<Groups>('/api/admin/groups');
  const categories = useLoad<CategoryList>('/api/categories');
  const yearGroups = useLoad<YearGroupList>('/api/admin/year-groups');
  // After a save the groups are asked for again in place; the form and the focus stay.
  const reload = () => groups.reload();
  const all = allLoaded({ groups, categories, yearGroups });
  const editing =
    all.status === 'ok' ? all.data.groups.items.find((g) => g.id === open) : undefined;
  const title =
    open === 'new' ? 'New group' : editing ? `Group: ${editing.name}` : 'Groups and permissions';
  return (
    <AdminLoaded
      title={title}
      state={all}
      retry={() => {
        void groups.reload();
        void categories.reload();
        void yearGroups.reload();
      }}
    >
      {(data) => {
        if (open === null || (open !== 'new' && !editing))
          return (
            <GroupList
              groups={data.groups.items}
              categories={data.categories.items}
              missing={open !== null}
            />
          );
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
                yearGroups={data.yearGroups.items}
                onSaved={reload}
              />
            </section>
            {editing && (
              <section aria-labelledby="group-access-heading" className="section card">
                <h2 id="group-access-heading">Access to each category</h2>
                <CategoryAccessForm
                  group={editing}
                  categories={data.categories.items}
                  onSaved={reload}
                />
              </section>
            )}
          </>
        );
      }}
    </AdminLoaded>
  );
}

function scopeText(g: GroupItem): string {
  if (g.scope.kind === 'year_groups')
    return `${SCOPE_NAMES.year_groups}: ${g.scope.yearGroups.join(', ')}`;
  return SCOPE_NAMES[g.scope.kind] ?? g.scope.kind;
}

function GroupList({
  groups,
  categories,
  missing,
}: {
  groups: GroupItem[];
  categories: CategoryList['items'];
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
