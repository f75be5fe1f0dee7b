// Reviewing a sent-back admission form (issue 21): each parent with parental responsibility sends
// their own copy, reviewed on its own; each field beside what the MIS holds now and held when the
// form went out. Accepting queues the field for the MIS (a field the MIS changed meanwhile, a
// conflict, needs its box ticked first); rejecting keeps a reason for staff only. A field where the
// parents' answers differ says so on both: staff choose one.
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { Checkbox } from '../../ui/Field.tsx';
import { Button } from '../../ui/Button.tsx';
import type {
  AdmissionReview,
  FieldDifference,
  ParentResponse,
} from '../../../../src/shared/admissions.ts';
import { StepUpSection } from '../identity/StepUpSection.tsx';

export function ReviewPage() {
  const { id = '' } = useParams();
  const review = useLoad<AdmissionReview>(`/api/admissions/requests/${id}/review`);
  const [data, setData] = useState<AdmissionReview | null>(null);
  if (review.status === 'loading') return <p role="status">Loading…</p>;
  if (review.status === 'error') {
    if (review.code === 'step_up_required')
      return (
        <StepUpSection
          purpose="to open parents and forms"
          area="Parents and forms"
          onDone={() => void review.reload()}
        />
      );
    return <LoadProblem title="Review" state={review} />;
  }
  const r = data ?? review.data;
  const title = `${r.pupilName}: ${r.formTitle}`;
  return (
    <>
      <PageHeading title={title}>{title}</PageHeading>
      <p>
        <Link to="/parents/admissions/writeback">Changes waiting for the MIS</Link>
      </p>
      {r.parents.length === 0 && <p>No parent has started this form yet.</p>}
      {r.parents.map((p) => (
        <section key={p.contactId} className="stack" aria-labelledby={`parent-${p.contactId}`}>
          <h2 id={`parent-${p.contactId}`}>{p.parentName}’s answers</h2>
          {p.restricted && (
            <p className="notice" role="note">
              {p.parentName} is restricted by the designated safeguarding lead. Their answers are
              shown here only: none of them can go back to the MIS.
            </p>
          )}
          {p.status !== 'submitted' ? (
            <p>{p.parentName} has started this form but not sent it yet.</p>
          ) : (
            <ul className="stack">
              {p.fields.map((f) => (
                <FieldCard key={f.field} requestId={id} parent={p} f={f} onDecided={setData} />
              ))}
            </ul>
          )}
        </section>
      ))}
    </>
  );
}

function FieldCard(p: {
  requestId: string;
  parent: ParentResponse;
  f: FieldDifference;
  onDecided: (r: AdmissionReview) => void;
}) {
  const { f } = p;
  const [reason, setReason] = useState('');
  const [resolved, setResolved] = useState(false);
  const submit = useSubmit<'reason' | 'resolved'>();
  const decide = (decision: 'accepted' | 'rejected') =>
    void submit.run(async () => {
      if (decision === 'accepted' && f.conflict && !resolved) {
        submit.invalid({ resolved: 'Tick to say you have compared both values.' });
        return;
      }
      const r = await api<AdmissionReview>(
        'POST',
        `/api/admissions/requests/${p.requestId}/decisions`,
        {
          contactId: p.parent.contactId,
          field: f.field,
          decision,
          ...(decision === 'rejected' && reason.trim() ? { reason: reason.trim() } : {}),
          ...(f.conflict ? { conflictResolved: resolved } : {}),
        },
      );
      p.onDecided(r);
      return decision === 'accepted'
        ? `${f.label} is queued for the MIS.`
        : `${f.label} was rejected.`;
    });
  const headingId = `field-${p.parent.contactId}-${f.field}`;
  const who = p.parent.parentName;
  return (
    <li className="card stack-tight" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {f.label}
        {f.conflict ? ' (conflict)' : ''}
        {f.disagreement ? ' (parents disagree)' : ''}
      </h3>
      {f.disagreement && (
        <p className="message">
          Another parent with parental responsibility sent a different answer. Compare both and
          choose one: only one answer goes back to the MIS.
        </p>
      )}
      <dl className="stack-tight">
        <dt>The MIS holds now</dt>
        <dd>{f.misNow ?? 'Nothing'}</dd>
        {f.conflict && (
          <>
            <dt>The MIS held when the form was sent</dt>
            <dd>{f.misWhenSent ?? 'Nothing'}</dd>
          </>
        )}
        <dt>{who}’s answer</dt>
        <dd>{f.answer ?? 'Not answered'}</dd>
      </dl>
      {f.decision && (
        <p role="status">
          {f.decision === 'accepted' ? 'Accepted: queued for the MIS.' : 'Rejected.'}
          {f.reason ? ` Reason (staff only): ${f.reason}` : ''}
        </p>
      )}
      {f.allowed.length > 0 && (
        <Form
          submit={submit}
          onSubmit={() => undefined}
          className="stack-tight"
          aria-label={`Decide ${f.label} from ${who}`}
        >
          {f.conflict && (
            <Checkbox name="resolved" checked={resolved} onChange={setResolved}>
              I have compared the MIS’s change with the parent’s answer
            </Checkbox>
          )}
          {f.allowed.includes('reject') && (
            <TextField
              name="reason"
              label={`Reason for rejecting ${who}’s ${f.label} (staff only)`}
              optional
              value={reason}
              onChange={setReason}
              maxLength={1000}
            />
          )}
          <FormError />
          <FormStatus />
          <div className="actions">
            {f.allowed.includes('accept') && (
              <Button
                variant="primary"
                isPending={submit.pending}
                onPress={() => decide('accepted')}
              >
                Accept {f.label}
              </Button>
            )}
            {f.allowed.includes('reject') && (
              <Button isPending={submit.pending} onPress={() => decide('rejected')}>
                Reject {f.label}
              </Button>
            )}
          </div>
        </Form>
      )}
    </li>
  );
}
