// A file another school on this Lantern sent (issue 18), for the receiving DSL team: opening it
// tells the sender it was viewed; receipt is confirmed by name and role, or the file is rejected
// with a reason (a file sent in error). Items withheld by the sender are counted, with reasons.
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { formatWhen } from '../../lib/format.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import { TextArea, TextField } from '../../ui/TextField.tsx';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import type { ReceivedFile } from '../../../../src/shared/schemas/transfers.ts';
import { ReceivedFileView } from './PreviousSchool.tsx';

export function ReceivedPage() {
  const { id = '' } = useParams();
  const state = useLoad<ReceivedFile>(`/api/transfers/inbox/${encodeURIComponent(id)}`);
  if (state.status === 'loading')
    return (
      <>
        <PageHeading title="File from another school">File from another school</PageHeading>
        <p role="status">Loading…</p>
      </>
    );
  if (state.status === 'error')
    return <LoadProblem title="File from another school" state={state} />;
  const file = state.data;
  return (
    <>
      <PageHeading title={`File from ${file.fromSchool}`}>File from {file.fromSchool}</PageHeading>
      <p className="lead">
        <Link to="/">Back to the dashboard</Link>
      </p>
      {file.receipt ? (
        <p role="status">
          Receipt confirmed by {file.receipt.name}, {file.receipt.role}
          {file.acceptedAt && `, ${formatWhen(file.acceptedAt)}`}.
        </p>
      ) : (
        <Decide id={file.id} onDone={() => void state.reload()} />
      )}
      <ReceivedFileView file={file} />
    </>
  );
}

function Decide({ id, onDone }: { id: string; onDone: () => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState('');
  const [reason, setReason] = useState('');
  const accept = useSubmit<'name' | 'role'>();
  const reject = useSubmit<'reason'>();
  const confirm = async () => {
    if (
      accept.invalid({
        name: !name.trim() && 'Give your name.',
        role: !role.trim() && 'Give your role.',
      })
    )
      return;
    await api('POST', `/api/transfers/inbox/${id}/accept`, {
      name: name.trim(),
      role: role.trim(),
    });
    onDone();
  };
  const refuse = async () => {
    if (reject.invalid({ reason: !reason.trim() && 'Say why the file is rejected.' })) return;
    await api('POST', `/api/transfers/inbox/${id}/reject`, { reason: reason.trim() });
    onDone();
  };
  return (
    <section aria-labelledby="receipt-heading" className="section card">
      <h2 id="receipt-heading">Confirm receipt</h2>
      <p>Confirm that you have received this file. The sending school is told who confirmed it.</p>
      <Form submit={accept} onSubmit={confirm} aria-label="Confirm receipt">
        <TextField name="name" label="Your name" value={name} onChange={setName} maxLength={200} />
        <TextField name="role" label="Your role" value={role} onChange={setRole} maxLength={200} />
        <FormError />
        <FormStatus />
        <div className="actions">
          <SubmitButton>Confirm receipt</SubmitButton>
        </div>
      </Form>
      <Form submit={reject} onSubmit={refuse} aria-label="Reject the file">
        <TextArea
          name="reason"
          label="Why reject this file?"
          hint="Only for a file sent in error"
          rows={2}
          maxLength={2000}
          value={reason}
          onChange={setReason}
        />
        <FormError />
        <div className="actions">
          <SubmitButton variant="secondary">Reject the file</SubmitButton>
        </div>
      </Form>
    </section>
  );
}
