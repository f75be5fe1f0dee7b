// The parent's account: who is signed in, and signing out.
import { useEffect } from 'react';
import { Button } from '../ui/Button.tsx';
import { useParentSession } from './session.tsx';

export default function ParentAccount() {
  const { session, signOut } = useParentSession();
  useEffect(() => {
    document.title = 'Your account – Lantern for parents';
  }, []);
  return (
    <>
      <h1 className="page-title">Your account</h1>
      <p>
        Signed in as {session.parent.name} ({session.parent.email}) at {session.school.name}.
      </p>
      <Button onPress={() => void signOut()}>Sign out</Button>
    </>
  );
}
