// Staff accounts (issue 3): every member of staff with their role, status and second factor;
// inviting someone (an emailed link to set a password); and, per person, the actions the
// server offers (AdminUserCard.tsx). The list is refreshed in place after each change, so the
// person's card and the keyboard focus stay where they were.
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { allLoaded, useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { Select } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import { AdminLoaded, approvalNote, ROLE_NAMES } from './AdminShared.tsx';
import { UserCard } from './AdminUserCard.tsx';
import type {
  GroupList,
  Invited,
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
          <section aria-labelledby="staff-heading" className="section">
            <h2 id="staff-heading">Staff ({data.users.items.length})</h2>
            <ul className="admin-list" aria-labelledby="staff-heading">
              {data.users.items.map((u) => (
                <UserCard key={u.id} user={u} groups={data.groups.items} onChanged={reload} />
              ))}
            </ul>
          </section>
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
