// Staff accounts (issue 3): every member of staff with their role, status and second factor;
// inviting someone (an emailed link to set a password); and, per person, the actions the
// server offers (AdminUserCard.tsx). The list is refreshed in place after each change, so the
// person's card and the keyboard focus stay where they were.
// Issue 14, administration that scales: the staff are a table (name, email, groups, status,
// second factor, last sign-in) found by part of a name or email, by status and by group, sorted
// by any of its sortable columns, and shown STAFF_PAGE rows at a time, so a school of 1,500
// renders 50 rows, not 1,500 cards. A member's name opens their card (the actions) under their row.
import { Fragment, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { formatWhen } from '../../lib/format.ts';
import { Button } from '../../ui/Button.tsx';
import { api } from '../../lib/api.ts';
import { allLoaded, useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { Select } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import { AdminLoaded, approvalNote, ROLE_NAMES, STATUS_NAMES } from './AdminShared.tsx';
import { UserCard } from './AdminUserCard.tsx';
import type {
  GroupItem,
  GroupList,
  Invited,
  UserItem,
  UserList,
} from '../../../../src/shared/schemas/administration.ts';

export function AdminUsersPage() {
  const users = useLoad<UserList>('/api/admin/users');
  const groups = useLoad<GroupList>('/api/admin/groups');
  const reload = () => users.reload();
  // Both answers are needed; the first failure (a step-up, say) decides what the page shows.
  const both = allLoaded({ users, groups });
  return (
    <AdminLoaded
      title="Staff"
      state={both}
      retry={() => {
        void users.reload();
        void groups.reload();
      }}
    >
      {(data) => (
        <>
          <section aria-labelledby="invite-heading" className="section card">
            <h2 id="invite-heading">Invite a member of staff</h2>
            <InviteForm onInvited={reload} />
          </section>
          <StaffTable users={data.users.items} groups={data.groups.items} onChanged={reload} />
        </>
      )}
    </AdminLoaded>
  );
}

function InviteForm({ onInvited }: { onInvited: () => Promise<void> }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('teacher');
  const submit = useSubmit();
  const invite = async () => {
    if (!name.trim() || !email.trim()) {
      submit.invalid({}, 'Enter their name and email address.');
      return;
    }
    const invited = await api<Invited>('POST', '/api/admin/users', {
      name: name.trim(),
      email: email.trim(),
      role,
    });
    setName('');
    setEmail('');
    await onInvited();
    return `Invitation sent to ${email.trim()}.${approvalNote(invited)}`;
  };
  return (
    <Form submit={submit} onSubmit={invite}>
      <div className="admin-grid">
        <TextField label="Full name" value={name} onChange={setName} autoComplete="off" />
        <TextField
          label="Email address"
          type="email"
          value={email}
          onChange={setEmail}
          autoComplete="off"
        />
      </div>
      <Select
        label="Role"
        hint="The role places them in the school’s usual groups; change their groups below."
        hintAfter
        value={role}
        onChange={setRole}
      >
        {Object.entries(ROLE_NAMES).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </Select>
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton>Send invitation</SubmitButton>
      </div>
    </Form>
  );
}

/** Rows shown at a time; "Show more" adds as many again. */
const STAFF_PAGE = 50;

type SortKey = 'name' | 'email' | 'status' | 'factor' | 'lastSignIn';
type Sort = { key: SortKey; descending: boolean };

const COLUMN_NAMES: Record<SortKey, string> = {
  name: 'Name',
  email: 'Email',
  status: 'Status',
  factor: 'Second factor',
  lastSignIn: 'Last signed in',
};

/** Case and accents ignored: "zoe" finds Zoë. */
const fold = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();

const collator = new Intl.Collator('en-GB', { sensitivity: 'base', numeric: true });

function factorShort(f: UserItem['secondFactor']): string {
  const parts: string[] = [];
  if (f.totp) parts.push('App');
  if (f.securityKeys > 0) parts.push(f.securityKeys === 1 ? '1 key' : `${f.securityKeys} keys`);
  return parts.length > 0 ? parts.join(', ') : 'None';
}

function compare(a: UserItem, b: UserItem, key: SortKey): number {
  switch (key) {
    case 'name':
      return collator.compare(a.name, b.name);
    case 'email':
      return collator.compare(a.email, b.email);
    case 'status':
      return collator.compare(
        STATUS_NAMES[a.status] ?? a.status,
        STATUS_NAMES[b.status] ?? b.status,
      );
    case 'factor':
      return collator.compare(factorShort(a.secondFactor), factorShort(b.secondFactor));
    case 'lastSignIn':
      // Never signed in sorts as the oldest.
      return (a.lastSignInAt ?? '').localeCompare(b.lastSignInAt ?? '');
  }
}

function StaffTable({
  users,
  groups,
  onChanged,
}: {
  users: UserItem[];
  groups: GroupItem[];
  onChanged: () => Promise<void>;
}) {
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState('');
  const [groupId, setGroupId] = useState('');
  const [sort, setSort] = useState<Sort>({ key: 'name', descending: false });
  const [shown, setShown] = useState(STAFF_PAGE);
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  // After "Show more", the first new row's name takes the focus (the button may be gone).
  const focusFrom = useRef<number | null>(null);
  const table = useRef<HTMLTableSectionElement>(null);
  useEffect(() => {
    const from = focusFrom.current;
    if (from === null) return;
    focusFrom.current = null;
    const names = table.current?.querySelectorAll<HTMLElement>(
      ':scope > tr:not(.staff-card-row) > th button',
    );
    names?.[from]?.focus();
  }, [shown]);
  // Typing stays quick at 1,500 members: the table follows a moment behind the box.
  const wanted = fold(useDeferredValue(query).trim());
  const groupName = useMemo(() => new Map(groups.map((g) => [g.id, g.name])), [groups]);

  const matching = useMemo(() => {
    const found = users.filter(
      (u) =>
        (!wanted || fold(u.name).includes(wanted) || fold(u.email).includes(wanted)) &&
        (!status || u.status === status) &&
        (!groupId || u.groupIds.includes(groupId)),
    );
    const sign = sort.descending ? -1 : 1;
    // Ties (two of the same status) keep name order.
    return found.sort((a, b) => sign * compare(a, b, sort.key) || collator.compare(a.name, b.name));
  }, [users, wanted, status, groupId, sort]);

  const rows = matching.slice(0, shown);
  const filtered = wanted !== '' || status !== '' || groupId !== '';
  const toggle = (id: string) => {
    const next = new Set(open);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setOpen(next);
  };
  const sortBy = (key: SortKey) => {
    setSort(
      sort.key === key
        ? { key, descending: !sort.descending }
        : { key, descending: key === 'lastSignIn' },
    );
  };
  const header = (key: SortKey) => {
    const active = sort.key === key;
    return (
      <th
        scope="col"
        aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : undefined}
      >
        <Button variant="quiet" onPress={() => sortBy(key)}>
          {COLUMN_NAMES[key]}
          <span aria-hidden="true">{active ? (sort.descending ? ' ▼' : ' ▲') : ''}</span>
        </Button>
      </th>
    );
  };
  const statuses = [...new Set(users.map((u) => u.status))];

  return (
    <section aria-labelledby="staff-heading" className="section">
      <h2 id="staff-heading">Staff ({users.length})</h2>
      <div className="admin-grid">
        <TextField
          label="Find a member of staff"
          hint="Part of their name or email address."
          type="search"
          autoComplete="off"
          value={query}
          onChange={(v) => {
            setQuery(v);
            setShown(STAFF_PAGE);
          }}
        />
        <Select
          label="Status"
          value={status}
          onChange={(v) => {
            setStatus(v);
            setShown(STAFF_PAGE);
          }}
        >
          <option value="">Any status</option>
          {statuses.map((st) => (
            <option key={st} value={st}>
              {STATUS_NAMES[st] ?? st}
            </option>
          ))}
        </Select>
        <Select
          label="Group"
          value={groupId}
          onChange={(v) => {
            setGroupId(v);
            setShown(STAFF_PAGE);
          }}
        >
          <option value="">Any group</option>
          {groups.map((g) => (
            <option key={g.id} value={g.id}>
              {g.name}
            </option>
          ))}
        </Select>
      </div>
      <p role="status" className="muted">
        {matching.length === 0
          ? 'No member of staff matches.'
          : `Showing ${rows.length.toLocaleString('en-GB')} of ${matching.length.toLocaleString('en-GB')}${filtered ? ` matching (${users.length.toLocaleString('en-GB')} in all)` : ''}, sorted by ${COLUMN_NAMES[sort.key].toLowerCase()}${sort.descending ? ', descending' : ''}.`}
      </p>
      {rows.length > 0 && (
        <div className="table-scroll" role="region" aria-label="Staff table" tabIndex={0}>
          <table className="table staff-table">
            <caption className="visually-hidden">
              Staff. Choose a name to see what you can do for that person.
            </caption>
            <thead>
              <tr>
                {header('name')}
                {header('email')}
                <th scope="col">Groups</th>
                {header('status')}
                {header('factor')}
                {header('lastSignIn')}
              </tr>
            </thead>
            <tbody ref={table}>
              {rows.map((u) => {
                const names = u.groupIds.map((id) => groupName.get(id)).filter(Boolean);
                const expanded = open.has(u.id);
                return (
                  <Fragment key={u.id}>
                    <tr>
                      <th scope="row">
                        <Button
                          variant="quiet"
                          aria-expanded={expanded}
                          onPress={() => toggle(u.id)}
                        >
                          {u.name}
                        </Button>
                        <div className="muted">{ROLE_NAMES[u.role] ?? u.role}</div>
                      </th>
                      <td>{u.email}</td>
                      <td>{names.length > 0 ? names.join(', ') : 'None'}</td>
                      <td>{STATUS_NAMES[u.status] ?? u.status}</td>
                      <td>{factorShort(u.secondFactor)}</td>
                      <td>{u.lastSignInAt ? formatWhen(u.lastSignInAt) : 'Never'}</td>
                    </tr>
                    {expanded && (
                      <tr className="staff-card-row">
                        <td colSpan={6}>
                          <ul className="admin-list" aria-label={u.name}>
                            <UserCard user={u} groups={groups} onChanged={onChanged} />
                          </ul>
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {matching.length > rows.length && (
        <div className="actions">
          <Button
            onPress={() => {
              focusFrom.current = rows.length;
              setShown(shown + STAFF_PAGE);
            }}
          >
            Show {Math.min(STAFF_PAGE, matching.length - rows.length)} more
          </Button>
        </div>
      )}
    </section>
  );
}
