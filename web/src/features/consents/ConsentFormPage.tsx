// One consent form (issue 21): every version with its text's SHA-256 and dates, and per pupil who
// answered what to which version (nothing overwritten), with disagreements between parents
// flagged. A new version asks every parent again; withdrawing stops the form being asked.
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { formatWhen } from '../../lib/format.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextArea } from '../../ui/TextField.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import type { ConsentFormDetail, ConsentState } from '../../../../src/shared/consents.ts';
import { StepUpSection } from '../identity/StepUpSection.tsx';

const STATE: Record<ConsentState, string> = {
  given: 'Consent given',
  refused: 'Consent refused',
  disagreement: 'Parents disagree',
  unanswered: 'Not answered yet',
  withdrawn_form: 'Form withdrawn',
};
const SAID = { given: 'gave consent', refused: 'refused', withdrawn: 'withdrew consent' };

export function ConsentFormPage() {
  const { id = '' } = useParams();
  const form = useLoad<ConsentFormDetail>(`/api/consents/forms/${id}`);
  const withdraw = useSubmit();
  const [confirming, setConfirming] = useState(false);
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
    return <LoadProblem title="Consent form" state={form} />;
  }
  const d = form.data;
  return (
    <>
      <PageHeading title={d.form.title}>{d.form.title}</PageHeading>
      <p>
        <Link to="/parents/consents">Consent forms</Link>
      </p>
      <section aria-labelledby="cf-pupils" className="section">
        <h2 id="cf-pupils">Answers</h2>
        <ul className="stack-tight">
          {d.pupils.map((p) => (
            <li key={p.pupilId} className="card">
              <strong>{p.pupilName}</strong>: {STATE[p.state]}
              {p.answers.length > 0 && (
                <ul>
                  {p.answers.map((a, i) => (
                    <li key={i}>
                      {a.contactName} {SAID[a.answer]} to version {a.version} on{' '}
                      {formatWhen(a.answeredAt)}
                      {a.note ? ` (“${a.note}”)` : ''}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="cf-versions" className="section">
        <h2 id="cf-versions">Versions</h2>
        <ol className="stack-tight">
          {d.versions.map((v) => (
            <li key={v.id} className="card">
              Version {v.version}, published {formatWhen(v.publishedAt)}
              {v.supersededAt ? `, replaced ${formatWhen(v.supersededAt)}` : ''}
              {v.withdrawnAt ? `, withdrawn ${formatWhen(v.withdrawnAt)}` : ''}. SHA-256 {v.sha256}
              <p>{v.text}</p>
            </li>
          ))}
        </ol>
      </section>
      {d.form.allowed.includes('new_version') && (
        <NewVersion formId={id} onDone={() => void form.reload()} />
      )}
      {d.form.allowed.includes('withdraw') && (
        <Form submit={withdraw} onSubmit={() => undefined} aria-label="Withdraw the form">
          <FormError />
          {!confirming ? (
            <Button onPress={() => setConfirming(true)}>Withdraw this form</Button>
          ) : (
            <div className="stack" role="group" aria-label="Confirm withdrawing the form">
              <p>
                Withdraw “{d.form.title}”? Parents will no longer be asked to answer it. This cannot
                be undone.
              </p>
              <div className="actions">
                <Button
                  variant="primary"
                  isPending={withdraw.pending}
                  onPress={() =>
                    void withdraw.run(async () => {
                      await api('POST', `/api/consents/forms/${id}/withdraw`);
                      setConfirming(false);
                      void form.reload();
                    })
                  }
                >
                  Yes, withdraw the form
                </Button>
                <Button onPress={() => setConfirming(false)}>Cancel</Button>
              </div>
            </div>
          )}
        </Form>
      )}
    </>
  );
}

function NewVersion({ formId, onDone }: { formId: string; onDone: () => void }) {
  const [text, setText] = useState('');
  const submit = useSubmit<'text'>();
  const publish = async () => {
    if (submit.invalid({ text: !text.trim() && 'Write the new version’s text.' })) return;
    await api('POST', `/api/consents/forms/${formId}/versions`, { text: text.trim() });
    setText('');
    onDone();
    return 'The new version was published: every parent is asked again.';
  };
  return (
    <Form
      submit={submit}
      onSubmit={publish}
      className="card stack-tight"
      aria-label="Publish a new version"
    >
      <h2>Publish a new version</h2>
      <TextArea
        name="text"
        label="The new version’s text"
        rows={4}
        maxLength={20000}
        value={text}
        onChange={setText}
      />
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton>Publish the new version</SubmitButton>
      </div>
    </Form>
  );
}
