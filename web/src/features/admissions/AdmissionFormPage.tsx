// One admission form (issue 21): the pupils it was sent for, each with where it stands, sending
// it for another pupil (what the MIS holds now is kept for the review), and each sent-back form's
// review.
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { formatWhen } from '../../lib/format.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import { TextField } from '../../ui/TextField.tsx';
import type { AdmissionFormDetail } from '../../../../src/shared/admissions.ts';
import type { PupilSummary } from '../../../../src/shared/schemas/pupils.ts';
import { PupilPicker } from '../data-protection/PupilPicker.tsx';
import { StepUpSection } from '../identity/StepUpSection.tsx';
import { INTAKE_NAMES } from './AdmissionsPage.tsx';

const STATUS = {
  sent: 'Sent, not started',
  in_progress: 'Parent has started',
  submitted: 'Sent back',
};

export function AdmissionFormPage() {
  const { id = '' } = useParams();
  const form = useLoad<AdmissionFormDetail>(`/api/admissions/forms/${id}`);
  const title = 'Admission form';
  if (form.status === 'loading') return <p role="status">Loading…</p>;
  if (form.status === 'error') {
    if (form.code === 'step_up_required')
      return (
        <StepUpSection
          purpose="to open parents and forms"
          area="Parents and forms"
          onDone={() => void form.reload()}
        />
      );
    return <LoadProblem title={title} state={form} />;
  }
  const f = form.data;
  return (
    <>
      <PageHeading title={f.form.title}>{f.form.title}</PageHeading>
      <p>
        <Link to="/parents/admissions">Admission forms</Link> · {INTAKE_NAMES[f.form.intake]}
      </p>
      <section aria-labelledby="adm-sent" className="section">
        <h2 id="adm-sent">Sent for</h2>
        {f.requests.length === 0 ? (
          <p>Not sent for anyone yet.</p>
        ) : (
          <ul className="stack-tight">
            {f.requests.map((r) => (
              <li key={r.id} className="card">
                {r.pupilName} · {STATUS[r.status]}
                {r.submittedAt ? ` on ${formatWhen(r.submittedAt)}` : ''}
                {r.allowed.includes('review') && (
                  <>
                    {' '}
                    ·{' '}
                    <Link to={`/parents/admissions/review/${r.id}`}>
                      Review {r.pupilName}’s answers
                    </Link>
                    {r.undecided > 0 ? ` (${r.undecided} to decide)` : ''}
                  </>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      <SendForm formId={id} onDone={() => void form.reload()} />
    </>
  );
}

function SendForm({ formId, onDone }: { formId: string; onDone: () => void }) {
  const [chosen, setChosen] = useState<PupilSummary[]>([]);
  const [yearGroup, setYearGroup] = useState('');
  const submit = useSubmit<'subjects' | 'yearGroup'>();
  const send = async () => {
    if (
      submit.invalid({
        subjects:
          chosen.length === 0 && !yearGroup.trim() && 'Choose a pupil, or give a year group.',
      })
    )
      return;
    const r = await api<{ sent: number }>('POST', `/api/admissions/forms/${formId}/send`, {
      pupilIds: chosen.map((p) => p.id),
      ...(yearGroup.trim() ? { yearGroup: yearGroup.trim() } : {}),
    });
    setChosen([]);
    setYearGroup('');
    onDone();
    return `Sent for ${r.sent} pupil${r.sent === 1 ? '' : 's'}.`;
  };
  return (
    <Form submit={submit} onSubmit={send} className="card stack-tight" aria-label="Send the form">
      <h2>Send the form</h2>
      <PupilPicker
        chosen={null}
        onChoose={(p) => setChosen((c) => (c.some((x) => x.id === p.id) ? c : [...c, p]))}
      />
      {chosen.length > 0 && <p>To send for: {chosen.map((p) => p.name).join(', ')}</p>}
      <TextField
        name="yearGroup"
        label="Or a whole intake: the year group as the MIS names it"
        hint="For example Nursery or Reception. Pupils already sent the form are not sent it again."
        optional
        value={yearGroup}
        onChange={setYearGroup}
        maxLength={60}
      />
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton>Send to parents</SubmitButton>
      </div>
    </Form>
  );
}
