// Accepting an invitation at /parent/accept#token=… (issue 21): the child's date of birth, then a
// password, then the authenticator app (the parent app shows that step once the session exists).
// The token stays in the address's fragment (never sent to the server in a URL or a log).
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import type { InvitationChecked, ParentSessionInfo } from '../../../src/shared/schemas/parents.ts';
import { useSubmit } from '../lib/useSubmit.ts';
import { Form, FormError } from '../ui/Form.tsx';
import { TextField } from '../ui/TextField.tsx';
import { DateField } from '../ui/Field.tsx';
import { SubmitButton } from '../ui/Button.tsx';
import { parentApi } from './api.ts';

function tokenFromHash(): string {
  const m = /token=([A-Za-z0-9_-]{43})/.exec(window.location.hash);
  return m?.[1] ?? '';
}

export function AcceptInvitationPage({
  onSignedIn,
}: {
  onSignedIn: (s: ParentSessionInfo) => void;
}) {
  const [token] = useState(tokenFromHash);
  const [dob, setDob] = useState('');
  const [checked, setChecked] = useState<InvitationChecked | null>(null);
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const submit = useSubmit<'dateOfBirth' | 'password' | 'again'>();
  const navigate = useNavigate();
  useEffect(() => {
    document.title = 'Accept your invitation – Lantern for parents';
  }, []);

  const check = async () => {
    if (!dob) {
      submit.invalid({ dateOfBirth: 'Enter your child’s date of birth.' });
      return;
    }
    setChecked(
      await parentApi<InvitationChecked>('POST', '/api/parent/invitation/check', {
        token,
        dateOfBirth: dob,
      }),
    );
  };
  const accept = async () => {
    if (checked?.needsPassword) {
      if (!password) {
        submit.invalid({ password: 'Choose a password.' });
        return;
      }
      if (password !== again) {
        submit.invalid({ again: 'The two passwords are not the same.' });
        return;
      }
    }
    const s = await parentApi<ParentSessionInfo>('POST', '/api/parent/invitation/accept', {
      token,
      dateOfBirth: dob,
      ...(checked?.needsPassword ? { password } : {}),
    });
    setPassword('');
    setAgain('');
    onSignedIn(s);
    void navigate('/parent', { replace: true });
  };

  return (
    <main id="main" className="page page-narrow parent">
      <p className="brand-name brand-standalone">Lantern for parents and carers</p>
      <h1 className="page-title">Accept your invitation</h1>
      {!token ? (
        <p className="message message-error" role="alert">
          This page needs the link from your invitation email. Open the link from the email again.
        </p>
      ) : !checked ? (
        <Form submit={submit} onSubmit={check} className="stack card">
          <p>To check this invitation is yours, enter the date of birth of your child.</p>
          <DateField
            label="Your child’s date of birth"
            name="dateOfBirth"
            value={dob}
            onChange={setDob}
          />
          <FormError />
          <div className="actions">
            <SubmitButton>Continue</SubmitButton>
          </div>
        </Form>
      ) : (
        <Form submit={submit} onSubmit={accept} className="stack card">
          <p>Thank you. {checked.school} has invited you.</p>
          {checked.needsPassword && (
            <>
              <TextField
                label="Choose a password"
                type="password"
                name="password"
                value={password}
                onChange={setPassword}
                autoComplete="new-password"
                hint="At least 12 characters, with a letter, a digit and a symbol. Not a common password."
              />
              <TextField
                label="Type the password again"
                type="password"
                name="again"
                value={again}
                onChange={setAgain}
                autoComplete="new-password"
              />
            </>
          )}
          <FormError />
          <div className="actions">
            <SubmitButton>Accept the invitation</SubmitButton>
          </div>
        </Form>
      )}
    </main>
  );
}
