// The public complaint form (issue 17; the Data (Use and Access) Act 2025): anyone may complain
// about how the school handles personal data, with no account. Outside the signed-in shell; the
// school is named by its id in the link (?school=…), as the server's routes name it. Sending
// first fetches a one-use challenge and solves its proof of work in the browser ("Checking…"),
// then sends the complaint; the confirmation gives the date the school must acknowledge it by.
// A flood refusal (429) or a spent challenge is shown as the server words it; nothing typed is
// lost.
import { useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { api } from '../../../lib/api.ts';
import { useSubmit } from '../../../lib/useSubmit.ts';
import { Form, FormError } from '../../../ui/Form.tsx';
import { TextArea, TextField } from '../../../ui/TextField.tsx';
import { SubmitButton } from '../../../ui/Button.tsx';
import type { ComplaintChallenge } from '../../../../../src/shared/schemas/data-protection.ts';
import { formatDay } from '../words.ts';
import { solveChallenge } from './proofOfWork.ts';

const TITLE = 'Complain about how the school handles personal data';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
type Field = 'complainant' | 'contact' | 'details';

export function PublicComplaintPage() {
  const school = useSearchParams()[0].get('school') ?? '';
  const [complainant, setComplainant] = useState('');
  const [contact, setContact] = useState('');
  const [details, setDetails] = useState('');
  const [checking, setChecking] = useState(false);
  const [received, setReceived] = useState<string | null>(null);
  const confirmation = useRef<HTMLDivElement>(null);
  const submit = useSubmit<Field>();
  if (!UUID.test(school))
    return (
      <main id="main" className="page page-narrow">
        <h1 className="page-title">{TITLE}</h1>
        <p className="message message-error" role="alert">
          This link does not name a school. Use the complaint link on the school&apos;s website.
        </p>
      </main>
    );
  const send = async () => {
    const problems: Partial<Record<Field, string>> = {};
    if (!complainant.trim()) problems.complainant = 'Enter your name.';
    if (!contact.trim()) problems.contact = 'Say how the school can reach you.';
    if (!details.trim()) problems.details = 'Describe your complaint.';
    if (Object.keys(problems).length > 0) {
      submit.invalid(problems, 'Some details are missing: see below.');
      return;
    }
    const base = `/api/public/schools/${school}`;
    setChecking(true);
    let counter: number;
    let challenge: string;
    try {
      const c = await api<ComplaintChallenge>('GET', `${base}/complaint-challenge`);
      challenge = c.challenge;
      counter = await solveChallenge(c.challenge, c.bits);
    } finally {
      setChecking(false);
    }
    const done = await api<{ acknowledgeBy: string }>('POST', `${base}/complaints`, {
      challenge,
      counter,
      complainant: complainant.trim(),
      contact: contact.trim(),
      details: details.trim(),
    });
    setReceived(done.acknowledgeBy);
    setTimeout(() => confirmation.current?.focus(), 0);
  };
  return (
    <main id="main" className="page page-narrow">
      <h1 className="page-title">{TITLE}</h1>
      {received ? (
        <div ref={confirmation} tabIndex={-1} className="message message-success" role="status">
          <p>
            <strong>Your complaint has been sent to the school.</strong>
          </p>
          <p>
            The school must acknowledge it by {formatDay(received)}, and then tell you what it has
            done. If you are not satisfied with its response, you can complain to the Information
            Commissioner&apos;s Office (ico.org.uk).
          </p>
        </div>
      ) : (
        <>
          <p>
            Use this form if you are unhappy with how the school has handled your personal data, or
            your child&apos;s. You do not need an account. The school must acknowledge your
            complaint within 30 days.
          </p>
          <Form submit={submit} onSubmit={send} className="stack card" aria-label="Complaint">
            <TextField
              name="complainant"
              label="Your name"
              value={complainant}
              onChange={setComplainant}
              autoComplete="name"
              maxLength={300}
            />
            <TextField
              name="contact"
              label="How the school can reach you"
              hint="An email address, phone number or postal address."
              value={contact}
              onChange={setContact}
              maxLength={300}
            />
            <TextArea
              name="details"
              label="Your complaint"
              hint="What happened, and what you would like the school to do."
              rows={8}
              maxLength={8000}
              value={details}
              onChange={setDetails}
            />
            <FormError />
            {checking && (
              <p role="status" className="message">
                Checking… (your browser is doing a short check that stops automated messages)
              </p>
            )}
            <div className="actions">
              <SubmitButton>Send the complaint</SubmitButton>
            </div>
          </Form>
        </>
      )}
    </main>
  );
}
