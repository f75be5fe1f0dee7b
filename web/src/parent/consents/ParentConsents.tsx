// A parent's consent forms (issue 21): for each child, each form's current text (its version and
// fingerprint shown), the parent's own answer, and their answers to earlier versions, kept. Each
// parent answers for themselves; a new version of a form asks again. Withdrawing consent is a new
// answer that counts from then on.
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import type { ParentChildren } from '../../../../src/shared/schemas/parents.ts';
import type { ParentConsent, ParentConsentList } from '../../../../src/shared/consents.ts';
import { useParentLoad } from '../useParentLoad.ts';
import { parentApi } from '../api.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { RadioGroup } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import { formatWhen } from '../../lib/format.ts';

const SAID = {
  given: 'You gave consent',
  refused: 'You did not give consent',
  withdrawn: 'You withdrew consent',
};

export default function ParentConsents() {
  const children = useParentLoad<ParentChildren>('/api/parent/children');
  useEffect(() => {
    document.title = 'Consent forms – Lantern for parents';
  }, []);
  return (
    <>
      <h1 className="page-title">Consent forms</h1>
      <p>
        <Link to="/parent">Home</Link>
      </p>
      {children.status === 'loading' && <p role="status">Loading…</p>}
      {children.status === 'error' && <p role="alert">{children.message}</p>}
      {children.status === 'ok' &&
        children.data.children.map((c) => (
          <ChildConsents key={c.id} pupilId={c.id} name={`${c.firstName} ${c.lastName}`} />
        ))}
    </>
  );
}

function ChildConsents({ pupilId, name }: { pupilId: string; name: string }) {
  const url = `/api/parent/children/${pupilId}/consents`;
  const list = useParentLoad<ParentConsentList>(url);
  const headingId = `consents-${pupilId}`;
  return (
    <section aria-labelledby={headingId} className="section stack">
      <h2 id={headingId}>{name}</h2>
      {list.status === 'loading' && <p role="status">Loading…</p>}
      {list.status === 'error' && <p role="alert">{list.message}</p>}
      {list.status === 'ok' &&
        (list.data.items.length === 0 ? (
          <p>There is nothing to answer for {name}.</p>
        ) : (
          list.data.items.map((c) => <ConsentCard key={c.versionId} url={url} initial={c} />)
        ))}
    </section>
  );
}

function ConsentCard({ url, initial }: { url: string; initial: ParentConsent }) {
  const [c, setC] = useState(initial);
  // Nothing is chosen for the parent: they pick an answer themselves (a withdrawal too).
  const [choice, setChoice] = useState<'' | 'given' | 'refused' | 'withdrawn'>('');
  const submit = useSubmit<'answer'>();
  const options =
    c.myAnswer === 'given'
      ? ([['withdrawn', 'Withdraw my consent from now on']] as const)
      : ([
          ['given', 'I give consent'],
          ['refused', 'I do not give consent'],
        ] as const);
  const answer = async () => {
    if (choice === '') {
      submit.invalid({
        answer:
          options.length === 1
            ? 'Choose “Withdraw my consent from now on” to withdraw, or leave this form as it is.'
            : 'Choose whether you give consent before sending your answer.',
      });
      return;
    }
    const next = await parentApi<ParentConsentList>('POST', url, {
      versionId: c.versionId,
      answer: choice,
    });
    const mine = next.items.find((x) => x.formId === c.formId);
    if (mine) {
      setC(mine);
      setChoice('');
    }
    return 'Thank you: your answer has been recorded.';
  };
  const headingId = `consent-${c.versionId}`;
  return (
    <article className="card stack-tight" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {c.title} (version {c.version})
      </h3>
      <p>{c.text}</p>
      <p className="hint">Fingerprint of this text: {c.sha256.slice(0, 16)}…</p>
      {c.myAnswer && c.answeredAt && (
        <p>
          {SAID[c.myAnswer]} on {formatWhen(c.answeredAt)}.
        </p>
      )}
      {c.earlier.length > 0 && (
        <p>
          Earlier versions:{' '}
          {c.earlier.map((e) => `version ${e.version}: ${SAID[e.answer].toLowerCase()}`).join('; ')}
          .
        </p>
      )}
      <Form
        submit={submit}
        onSubmit={answer}
        className="stack-tight"
        aria-label={`Answer: ${c.title}`}
      >
        <RadioGroup
          name="answer"
          legend={`Your answer for ${c.pupilName}`}
          value={choice}
          onChange={setChoice}
          options={options}
        />
        <FormError />
        <FormStatus />
        <div className="actions">
          <SubmitButton>Send my answer</SubmitButton>
        </div>
      </Form>
    </article>
  );
}
