// Categories (issue 4): the school's categories in its order, each with its colour, whether it is
// restricted and whom it alerts, sub-categories under their parent, archived ones marked.
// `?category=<id>` opens one category's form, `?category=new` (with `&parent=<id>` for a
// sub-category) a new one, so the browser's back button returns to the list. Loading the
// school's groups needs the administration's second factor, which the page asks for first. A
// category's page also sets which groups see it (the access grid's one column).
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router';
import { allLoaded, mapLoaded, useLoad } from '../../lib/useLoad.ts';
import { Swatch } from '../../ui/Swatch.tsx';
import { Notice } from '../../ui/Message.tsx';
import type { StaffDirectory } from '../../../../src/shared/schemas/administration.ts';
import { AdminLoaded } from '../administration/AdminShared.tsx';
import { AccessGrid } from '../administration/AdminAccessGrid.tsx';
import { CategoryForm, groupChoices } from './AdminCategoryForm.tsx';
import type {
  Category,
  CategoryList as Categories,
} from '../../../../src/shared/schemas/categories.ts';
import type { GroupList } from '../../../../src/shared/schemas/administration.ts';
import type { Choices } from './types.ts';

export function AdminCategoriesPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const open = params.get('category');
  // The last save's message travels with the list's history entry, not to the next form.
  const state: unknown = useLocation().state;
  const notice =
    typeof state === 'object' &&
    state !== null &&
    'saved' in state &&
    typeof state.saved === 'string'
      ? state.saved
      : null;
  const categories = useLoad<Categories>('/api/categories?archived=true');
  const groups = useLoad<GroupList>('/api/admin/groups');
  const staff = useLoad<StaffDirectory>('/api/staff');
  const reloadAll = () => Promise.all([categories.reload(), groups.reload(), staff.reload()]);
  // The groups need the administration's second factor: their refusal decides what shows first.
  const all = mapLoaded(allLoaded({ groups, categories, staff }), (d): Choices => ({
    categories: d.categories.items,
    groups: groupChoices(d.groups.items),
    staff: d.staff.staff,
  }));
  const editing = all.status === 'ok' ? all.data.categories.find((c) => c.id === open) : undefined;
  const title =
    open === 'new'
      ? params.get('parent')
        ? 'New sub-category'
        : 'New category'
      : editing
        ? `Category: ${editing.name}`
        : 'Categories';
  const saved = async (message: string) => {
    void reloadAll();
    await navigate('/admin/categories', { state: { saved: message } });
  };
  return (
    <AdminLoaded title={title} state={all} retry={() => void reloadAll()}>
      {(data) => {
        if (open === null || (open !== 'new' && !editing))
          return <CategoryList data={data} missing={open !== null} notice={notice} />;
        return (
          <>
            <p>
              <Link to="/admin/categories">All categories</Link>
            </p>
            <section aria-labelledby="category-form-heading" className="section card">
              <h2 id="category-form-heading">
                {editing ? 'Change the category' : 'About the category'}
              </h2>
              <CategoryForm
                key={editing?.id ?? `new-${params.get('parent') ?? ''}`}
                category={editing ?? null}
                parentId={editing ? editing.parentId : params.get('parent')}
                choices={data}
                onSaved={saved}
              />
            </section>
            {editing && groups.status === 'ok' && (
              <section aria-labelledby="category-access-heading" className="section card">
                <h2 id="category-access-heading">Which groups see it</h2>
                <AccessGrid
                  groups={groups.data.items}
                  categories={[editing]}
                  onSaved={() => groups.reload()}
                  saveLabel="Save who sees it"
                />
              </section>
            )}
          </>
        );
      }}
    </AdminLoaded>
  );
}

function CategoryList({
  data,
  missing,
  notice,
}: {
  data: Choices;
  missing: boolean;
  notice: string | null;
}) {
  const { categories } = data;
  const tops = categories.filter(
    (c) => c.parentId === null || !categories.some((p) => p.id === c.parentId),
  );
  const subsOf = (id: string) => categories.filter((c) => c.parentId === id);
  return (
    <>
      {missing && (
        <p className="message message-error" role="alert">
          That category was not found.
        </p>
      )}
      <Notice text={notice} />
      <p>
        Staff choose from these categories when they log a concern, and see a category’s guidance
        when they choose it. Records in a restricted category are seen only by the DSL team and the
        groups granted it.
      </p>
      <div className="toolbar">
        <Link className="button button-primary" to="/admin/categories?category=new">
          New category
        </Link>
      </div>
      <section aria-labelledby="categories-heading" className="section">
        <h2 id="categories-heading">Categories ({tops.length})</h2>
        <ul className="admin-list" aria-labelledby="categories-heading">
          {tops.map((c) => (
            <li key={c.id} className="card admin-item">
              <CategorySummary category={c} data={data} level={3} />
              <div className="toolbar">
                <Link
                  className="button"
                  to={`/admin/categories?category=${c.id}`}
                  aria-label={`Edit ${c.name}`}
                >
                  Edit
                </Link>
                <Link
                  className="button"
                  to={`/admin/categories?category=new&parent=${c.id}`}
                  aria-label={`Add a sub-category to ${c.name}`}
                >
                  Add a sub-category
                </Link>
              </div>
              {subsOf(c.id).length > 0 && (
                <ul className="admin-sublist" aria-label={`Sub-categories of ${c.name}`}>
                  {subsOf(c.id).map((s) => (
                    <li key={s.id} className="admin-subitem">
                      <CategorySummary category={s} data={data} level={4} />
                      <Link
                        className="button"
                        to={`/admin/categories?category=${s.id}`}
                        aria-label={`Edit ${s.name}`}
                      >
                        Edit
                      </Link>
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

function CategorySummary({
  category: c,
  data,
  level,
}: {
  category: Category;
  data: Choices;
  level: 3 | 4;
}) {
  const Heading = level === 3 ? 'h3' : 'h4';
  const groupName = (key: string) => data.groups.find((g) => g.key === key)?.label ?? key;
  const staffName = (id: string) =>
    data.staff.find((p) => p.id === id)?.name ?? 'a former member of staff';
  const alerts = [...c.alertGroups.map(groupName), ...c.alertUserIds.map(staffName)];
  return (
    <>
      <Heading className="admin-category-name">
        <Swatch colour={c.colour} />
        {c.name}
        {c.restricted && <span className="admin-tag">Restricted</span>}
        {c.archived && <span className="admin-tag">Archived</span>}
      </Heading>
      <dl className="admin-facts">
        <dt>Alerts</dt>
        <dd>{alerts.length > 0 ? alerts.join(', ') : 'Nobody by default'}</dd>
        <dt>Guidance</dt>
        <dd>{c.guidance ? shorten(c.guidance) : 'None'}</dd>
      </dl>
    </>
  );
}

const shorten = (text: string) => (text.length > 200 ? `${text.slice(0, 200).trimEnd()}…` : text);
