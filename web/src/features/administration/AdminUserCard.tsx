// One member of staff on the staff page: who they are, their status and second factor, and the
// actions that fit their state — resend the invitation, unlock, reactivate, disable (confirmed),
// reset their second factor (with a reason, which is audited) and choose their groups. After a
// change the card says what happened and takes the focus, as the button pressed may be gone.
import { useId, useRef, useState } from 'react';
import { api } from '../../lib/api.ts';
import { formatWhen } from '../../lib/format.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { useSession } from '../../app/session.tsx';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { Checkbox, RadioGroup } from '../../ui/Field.tsx';
import { FACTOR_RESET_OPTIONS } from './factorResetOptions.ts';
import type { FactorResetReason } from '../../../../src/shared/factor-reset.ts';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import { approvalNote, ROLE_NAMES, STATUS_NAMES } from './AdminShared.tsx';
import type {
  AccessChangeResult,
  GroupItem,
  UserItem,
} from '../../../../src/shared/schemas/administration.ts';

type Panel = 'disable' | 'reset' | 'groups' | null;

function factorText(f: UserItem['secondFactor']): string {
  const parts: string[] = [];
  if (f.totp) parts.push('authenticator app');
  if (f.securityKeys > 0)
    parts.push(f.securityKeys === 1 ? '1 security key' : `${f.securityKeys} security keys`);
  if (parts.length === 0) return 'None set up';
  const text = parts.join(' and ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function Action({ label, name, onPress }: { label: string; name: string; onPress: () => void }) {
  return (
    <Button aria-label={name} onPress={onPress}>
      {label}
    </Button>
  );
}

export function UserCard({
  user,
  groups,
  onChanged,
}: {
  user: UserItem;
  groups: GroupItem[];
  onChanged: () => Promise<void>;
}) {
  const session = useSession();
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const [panel, setPanel] = useState<Panel>(null);
  const submit = useSubmit();

  /** A change to this person: then the list again, and the focus on their name (the button
   * pressed may be gone), with what happened said in the card. */
  const run = <T,>(request: () => Promise<T>, message: string | ((result: T) => string)) =>
    submit.run(async () => {
      const result = await request();
      setPanel(null);
      await onChanged();
      heading.current?.focus();
      return typeof message === 'string' ? message : message(result);
    });
  const post = (path: string, body?: unknown) => () =>
    api('POST', `/api/admin/users/${user.id}/${path}`, body);

  const hasFactor = user.secondFactor.totp || user.secondFactor.securityKeys > 0;
  // One's own account is changed on the account security page, not here.
  const self = user.id === session.user.id;
  const groupNames = groups.filter((g) => user.groupIds.includes(g.id)).map((g) => g.name);
  return (
    <li className="card admin-item">
      <h3 id={headingId} ref={heading} tabIndex={-1}>
        {user.name}
      </h3>
      <dl className="admin-facts">
        <dt>Email</dt>
        <dd>{user.email}</dd>
        <dt>Role</dt>
        <dd>{ROLE_NAMES[user.role] ?? user.role}</dd>
        <dt>Status</dt>
        <dd>
          {STATUS_NAMES[user.status]}
          {user.status === 'locked' && user.lockedUntil && ` until ${formatWhen(user.lockedUntil)}`}
        </dd>
        <dt>Second factor</dt>
        <dd>{factorText(user.secondFactor)}</dd>
        <dt>Last signed in</dt>
        <dd>{user.lastSignInAt ? formatWhen(user.lastSignInAt) : 'Never'}</dd>
        <dt>Groups</dt>
        <dd>{groupNames.length > 0 ? groupNames.join(', ') : 'None'}</dd>
      </dl>
      <FormStatus submit={submit} />
      <FormError submit={submit} />
      <div className="actions">
        {user.status === 'invited' && (
          <Action
            label="Resend invitation"
            name={`Resend invitation to ${user.name}`}
            onPress={() =>
              void run(post('invitation'), `A new invitation was sent to ${user.email}.`)
            }
          />
        )}
        {user.status === 'locked' && (
          <Action
            label="Unlock"
            name={`Unlock ${user.name}`}
            onPress={() => void run(post('unlock'), `${user.name} can sign in again.`)}
          />
        )}
        {(user.status === 'disabled' || user.status === 'dormant') && (
          <Action
            label="Reactivate"
            name={`Reactivate ${user.name}`}
            onPress={() => void run(post('reactivate'), `${user.name} is active again.`)}
          />
        )}
        {user.status !== 'invited' && user.status !== 'disabled' && (
          <Action
            label="Send password reset link"
            name={`Send password reset link to ${user.name}`}
            onPress={() =>
              void run(post('invitation'), `A password reset link was sent to ${user.email}.`)
            }
          />
        )}
        <Action
          label="Change groups"
          name={`Change groups for ${user.name}`}
          onPress={() => setPanel(panel === 'groups' ? null : 'groups')}
        />
        {hasFactor && !self && (
          <Action
            label="Reset second factor"
            name={`Reset second factor for ${user.name}`}
            onPress={() => setPanel(panel === 'reset' ? null : 'reset')}
          />
        )}
        {user.status !== 'disabled' && !self && (
          <Action
            label="Disable"
            name={`Disable ${user.name}`}
            onPress={() => setPanel(panel === 'disable' ? null : 'disable')}
          />
        )}
      </div>
      {panel === 'disable' && (
        <div className="admin-panel stack-tight">
          <p>
            Disable {user.name}’s account? They are signed out everywhere now and cannot sign in
            until reactivated. Their name stays on everything they recorded.
          </p>
          <div className="actions">
            <Button
              variant="primary"
              onPress={() => void run(post('disable'), `${user.name}’s account is disabled.`)}
            >
              Yes, disable the account
            </Button>
            <Button variant="quiet" onPress={() => setPanel(null)}>
              Cancel
            </Button>
          </div>
        </div>
      )}
      {panel === 'reset' && (
        <ResetFactor
          user={user}
          onCancel={() => setPanel(null)}
          onReset={(reason) =>
            void run(
              post('reset-second-factor', { reason }),
              `${user.name}’s second factor was removed; they set up a new one at their next sign-in.`,
            )
          }
        />
      )}
      {panel === 'groups' && (
        <ChooseGroups
          user={user}
          groups={groups}
          onCancel={() => setPanel(null)}
          onSave={(groupIds) =>
            void run(
              () =>
                api<AccessChangeResult>('PUT', `/api/admin/users/${user.id}/groups`, { groupIds }),
              (result) => `${user.name}’s groups were saved.${approvalNote(result)}`,
            )
          }
        />
      )}
    </li>
  );
}

function ResetFactor({
  user,
  onCancel,
  onReset,
}: {
  user: UserItem;
  onCancel: () => void;
  onReset: (reason: FactorResetReason) => void;
}) {
  const [reason, setReason] = useState<FactorResetReason | ''>('');
  const submit = useSubmit<'reason'>();
  const reset = () => {
    if (!reason) {
      submit.invalid({ reason: 'Say why their second factor is being reset.' });
      return;
    }
    onReset(reason);
  };
  return (
    <Form submit={submit} onSubmit={reset} className="admin-panel stack-tight">
      <p>
        This removes {user.name}’s authenticator app, security keys and recovery codes, and signs
        them out. Check who is asking first: in person, or by calling them back.
      </p>
      <RadioGroup
        name="reason"
        legend="Why? (kept in the audit log)"
        value={reason}
        onChange={setReason}
        options={FACTOR_RESET_OPTIONS}
      />
      <div className="actions">
        <SubmitButton>Reset their second factor</SubmitButton>
        <Button variant="quiet" onPress={onCancel}>
          Cancel
        </Button>
      </div>
    </Form>
  );
}

function ChooseGroups({
  user,
  groups,
  onCancel,
  onSave,
}: {
  user: UserItem;
  groups: GroupItem[];
  onCancel: () => void;
  onSave: (groupIds: string[]) => void;
}) {
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(user.groupIds));
  const submit = useSubmit();
  const toggle = (id: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    setChosen(next);
  };
  return (
    <Form submit={submit} onSubmit={() => onSave([...chosen])} className="admin-panel stack-tight">
      <fieldset className="admin-fieldset">
        <legend>Groups for {user.name}</legend>
        <div className="admin-checks">
          {groups.map((g) => (
            <Checkbox
              key={g.id}
              className="admin-check"
              checked={chosen.has(g.id)}
              onChange={(on) => toggle(g.id, on)}
            >
              {g.name}
            </Checkbox>
          ))}
        </div>
      </fieldset>
      <div className="actions">
        <SubmitButton>Save groups</SubmitButton>
        <Button variant="quiet" onPress={onCancel}>
          Cancel
        </Button>
      </div>
    </Form>
  );
}
