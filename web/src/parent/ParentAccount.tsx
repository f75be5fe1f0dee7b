// The parent's account: who is signed in, where (their devices), signing out here or everywhere.
import { useEffect } from 'react';
import type { ParentSessionList } from '../../../src/shared/schemas/parents.ts';
import { Button } from '../ui/Button.tsx';
import { useSubmit } from '../lib/useSubmit.ts';
import { FormError, SubmitScope } from '../ui/Form.tsx';
import { parentApi } from './api.ts';
import { useParentLoad } from './useParentLoad.ts';
import { useParentSession } from './session.tsx';
import { ParentRecoveryCodesSection } from './ParentRecoveryCodes.tsx';

const when = (iso: string) =>
  new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(iso),
  );

export default function ParentAccount() {
  const { session, signOut } = useParentSession();
  const sessions = useParentLoad<ParentSessionList>('/api/parent/account/sessions');
  const submit = useSubmit();
  useEffect(() => {
    document.title = 'Your account – Lantern for parents';
  }, []);
  const everywhere = () =>
    void submit.run(async () => {
      await parentApi('POST', '/api/parent/account/sign-out-everywhere');
      await signOut();
    });
  return (
    <>
      <h1 className="page-title">Your account</h1>
      <p>
        Signed in as {session.parent.name} ({session.parent.email}) at {session.school.name}.
      </p>
      <section aria-labelledby="devices-heading">
        <h2 id="devices-heading">Where you are signed in</h2>
        {sessions.status === 'loading' && <p role="status">Loading…</p>}
        {sessions.status === 'error' && (
          <p className="message message-error" role="alert">
            {sessions.message}
          </p>
        )}
        {sessions.status === 'ok' && (
          <ul className="parent-children">
            {sessions.data.sessions.map((s) => (
              <li key={s.id}>
                <strong>{s.device}</strong>
                {s.current ? ' (this device)' : ''}
                <br />
                Signed in {when(s.startedAt)}, last active {when(s.lastSeenAt)}
              </li>
            ))}
          </ul>
        )}
      </section>
      <ParentRecoveryCodesSection />
      <SubmitScope submit={submit}>
        <FormError />
        <div className="actions">
          <Button onPress={() => void signOut()}>Sign out</Button>
          <Button onPress={everywhere} isPending={submit.pending}>
            Sign out everywhere
          </Button>
        </div>
      </SubmitScope>
    </>
  );
}
