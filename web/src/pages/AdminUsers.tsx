// Staff accounts (issue 3): every member of staff with their role, status and second factor;
// inviting someone (an emailed link to set a password); and, per person, the actions the
// server offers (AdminUserCard.tsx). The list is refreshed in place after each change, so the
// person's card and the keyboard focus stay where they were.
import { useCallback, useState, type FormEvent } from 'react';
import { Button, Input, Label, TextField } from 'react-aria-components';
import { api, errorMessage } from '../api.ts';
import { useLoad } from '../useLoad.ts';
import { AdminLoaded, ROLE_NAMES } from './AdminShared.tsx';
import { UserCard, type AdminUser, type GroupRef } from './AdminUserCard.tsx';

type Users = { items: AdminUser[] };
type Groups = { items: GroupRef[] };

export function AdminUsersPage() {
  const [attempt, setAttempt] = useState(0);
  const users = useLoad<Users>('/api/admin/users', attempt);
  const groups = useLoad<Groups>('/api/admin/groups', attempt);
  const [fresh, setFresh] = useState<AdminUser[] | null>(null);
  const reload = useCallback(async () => {
    setFresh((await api<Users>('GET', '/api/admin/users')).items);
  }, []);
  const retry = () => {
    setFresh(null);
    setAttempt((n) => n + 1);
  };
  // Both answers are needed; the first failure (a step-up, say) decides what the page shows.
  const both =
    users.status !== 'ok'
      ? users
      : groups.status !== 'ok'
        ? groups
        : { status: 'ok' as const, data: { users: users.data.items, groups: groups.data.items } };
  return (
    <AdminLoaded title="Staff" state={both} retry={retry}>
      {(data) => {
        const list = fresh ?? data.users;
        return (
          <>
            <section aria-labelledby="invite-heading" className="section card">
              <h2 id="invite-heading">Invite a member of staff</h2>
              <InviteForm onInvited={reload} />
            </section>
            <section aria-labelledby="staff-heading" className="section">
              <h2 id="staff-heading">Staff ({list.length})</h2>
              <ul className="admin-list" aria-labelledby="staff-heading">
                {list.map((u) => (
                  <UserCard key={u.id} user={u} groups={data.groups} onChanged={reload} />
                ))}
              </ul>
            </section>
          </>
        );
      }}
    </AdminLoaded>
  );
}

function InviteForm({ onInvited }: { onInvited: () => Promise<void> }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('teacher');
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setError(null);
    setSent(null);
    if (!name.trim() || !email.trim()) {
      setError('Enter their name and email address.');
      return;
    }
    setBusy(true);
    try {
      await api('POST', '/api/admin/users', { name: name.trim(), email: email.trim(), role });
      setSent(`Invitation sent to ${email.trim()}.`);
      setName('');
      setEmail('');
      await onInvited();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
      <div className="admin-grid">
        <TextField className="field" value={name} onChange={setName} autoComplete="off">
          <Label className="field-label">Full name</Label>
          <Input className="input" />
        </TextField>
        <TextField
          className="field"
          value={email}
          onChange={setEmail}
          type="email"
          autoComplete="off"
        >
          <Label className="field-label">Email address</Label>
          <Input className="input" />
        </TextField>
      </div>
      <div className="field">
        <label className="field-label" htmlFor="invite-role">
          Role
        </label>
        <select
          id="invite-role"
          className="input"
          value={role}
          onChange={(e) => setRole(e.target.value)}
        >
          {Object.entries(ROLE_NAMES).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
        <p className="hint">
          The role places them in the school’s usual groups; change their groups below.
        </p>
      </div>
      <div role="alert" className={error ? 'message message-error' : 'visually-empty'}>
        {error}
      </div>
      <div role="status" className={sent ? 'message message-success' : 'visually-empty'}>
        {sent}
      </div>
      <div className="actions">
        <Button type="submit" className="button button-primary">
          Send invitation
        </Button>
      </div>
    </form>
  );
}
