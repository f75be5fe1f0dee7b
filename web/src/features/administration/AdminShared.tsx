// What the administration pages (staff, groups and permissions, categories, policies) share: the
// links between them, the words for the server's codes, and a prompt for the second factor when
// the server answers step_up_required.
import type { ReactNode } from 'react';
import { NavLink } from 'react-router';
import type { Loaded } from '../../lib/useLoad.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import { StepUpSection } from '../identity/StepUpSection.tsx';
import type { Capability, CategoryAccess, Role, ScopeKind } from '../../../../src/shared/access.ts';
import type { UserStatus } from '../../../../src/shared/schemas/administration.ts';
import './admin.css';

export const ROLE_NAMES: Record<string, string> = {
  teacher: 'Teacher',
  head_of_year: 'Head of year',
  dsl: 'Designated safeguarding lead',
  deputy_dsl: 'Deputy DSL',
  headteacher: 'Headteacher',
  school_admin: 'School administrator',
  dpo: 'Data-protection officer',
  chair_of_governors: 'Chair of governors',
} satisfies Record<Role, string>;

export const STATUS_NAMES: Record<string, string> = {
  invited: 'Invited',
  active: 'Active',
  disabled: 'Disabled',
  dormant: 'Dormant',
  locked: 'Locked',
} satisfies Record<UserStatus, string>;

export const CAPABILITY_NAMES: Record<string, string> = {
  search: 'Search records',
  export: 'Export records',
  reports: 'See reports',
  admin: 'Administer the school',
  manage_cases: 'Manage cases',
  retention: 'Retention, holds and destruction',
  audit: 'Read the audit trail',
  data_protection: 'Data protection: rights requests, breaches, complaints',
  staff_concerns: 'Concerns about adults (case manager)',
  parents: 'Parents and forms: invitations, admissions, medical, consents, trips',
} satisfies Record<Capability, string>;

export const SCOPE_NAMES: Record<string, string> = {
  school: 'Whole school',
  year_groups: 'Chosen year groups',
  own_groups: 'Own teaching and registration groups',
} satisfies Record<ScopeKind, string>;

export const ACCESS_NAMES: Record<string, string> = {
  view: 'View and add',
  add: 'Add only',
  none: 'None',
} satisfies Record<CategoryAccess, string>;

const LINKS = [
  ['/admin/users', 'Staff'],
  ['/admin/groups', 'Groups and permissions'],
  ['/admin/categories', 'Categories'],
  ['/admin/category-access', 'Category access'],
  ['/admin/policies', 'School policies'],
  ['/admin/referral-agencies', 'Referral agencies'],
  ['/admin/mis', 'MIS'],
  ['/admin/access-requests', 'Access approvals'],
  ['/admin/school-export', 'Export the school’s data'],
] as const;

/**
 * What to add to "saved" when part of a change waits for a DSL's or the headteacher's approval
 * (joining the DSL team, or view of restricted records: the server decides which).
 */
export function approvalNote(result: { awaitingApproval: unknown[] } | null | undefined): string {
  const n = result?.awaitingApproval.length ?? 0;
  if (n === 0) return '';
  const what = n === 1 ? 'One change opens' : `${n} changes open`;
  return ` ${what} restricted records or the DSL team, so ${n === 1 ? 'it waits' : 'they wait'} for approval by the DSL, a deputy DSL or the headteacher (see Access approvals).`;
}

/** The page's heading and the links between the administration pages. */
export function AdminHeading({ title }: { title: string }) {
  return (
    <>
      <PageHeading title={title}>{title}</PageHeading>
      <nav aria-label="Administration" className="admin-nav">
        <ul>
          {LINKS.map(([to, label]) => (
            <li key={to}>
              <NavLink to={to} end>
                {label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
    </>
  );
}

/**
 * Shows `children` once the page's first load succeeded; asks for the second factor when the
 * server wants it (then calls `retry`), and otherwise says what went wrong.
 */
export function AdminLoaded<T>({
  title,
  state,
  retry,
  children,
}: {
  title: string;
  state: Loaded<T>;
  retry: () => void;
  children: (data: T) => ReactNode;
}) {
  if (state.status === 'loading')
    return (
      <>
        <AdminHeading title={title} />
        <p role="status">Loading…</p>
      </>
    );
  if (state.status === 'error') {
    if (state.code === 'step_up_required')
      return (
        <>
          <AdminHeading title={title} />
          <StepUpSection
            purpose="to open the school’s administration"
            area="The school’s administration"
            onDone={retry}
          />
        </>
      );
    return <LoadProblem title={title} state={state} />;
  }
  return (
    <>
      <AdminHeading title={title} />
      {children(state.data)}
    </>
  );
}
