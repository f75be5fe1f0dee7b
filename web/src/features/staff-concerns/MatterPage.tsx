// One concern about an adult for its case manager (issue 19): what was raised, the triage with
// its rationale (which starts the LADO clock for a possible allegation), and the LADO contacts.
// The server sends what may be done now (`allowed`); the page offers only that.
import { useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { formatDay, formatWhen } from '../../lib/format.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextArea } from '../../ui/TextField.tsx';
import { RadioGroup, Select } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import { Notice } from '../../ui/Message.tsx';
import {
  CLASSIFICATIONS,
  type Classification,
  type LadoContact,
  type Matter,
  type StaffConcernSettings,
} from '../../../../src/shared/schemas/staff-concerns.ts';
import {
  CLASSIFICATION_NAMES,
  OUTCOME_NAMES,
  ROUTED_TO_NAMES,
  SUBJECT_KIND_NAMES,
} from './words.ts';
import { LadoClock } from './CaseManagerList.tsx';
import { StepUpSection } from '../identity/StepUpSection.tsx';
import { CopyGivenForm, LadoContactForm, OutcomeForm } from './MatterForms.tsx';
import { LinkPupilForm } from './LinkPupil.tsx';
import { LeavingForm } from './LeavingForm.tsx';

const TITLE = 'Concern about an adult';

export function MatterPage() {
  const { id = '' } = useParams();
  const matter = useLoad<Matter>(`/api/staff-concerns/${id}`);
  // What a form said once it has gone (an outcome is recorded once): shown here, and focused.
  const [notice, setNotice] = useState<string | null>(null);
  const noticeRef = useRef<HTMLDivElement>(null);
  if (matter.status === 'loading')
    return (
      <>
        <PageHeading title={TITLE}>{TITLE}</PageHeading>
        <p role="status">Loading…</p>
      </>
    );
  if (matter.status === 'error') {
    if (matter.code === 'step_up_required')
      return (
        <>
          <PageHeading title={TITLE}>{TITLE}</PageHeading>
          <StepUpSection
            purpose="to open concerns about adults"
            area="Concerns about adults"
            onDone={() => void matter.reload()}
          />
        </>
      );
    return <LoadProblem title={TITLE} state={matter} />;
  }
  const m = matter.data;
  const reload = () => void matter.reload();
  return (
    <>
      <PageHeading title={TITLE}>{`Concern about ${m.subjectName}`}</PageHeading>
      <dl className="stack-tight">
        <dt>Who it is about</dt>
        <dd>
          {m.subjectName} ({SUBJECT_KIND_NAMES[m.subjectKind].toLowerCase()})
          {m.agency ? `, from ${m.agency}` : ''}
        </dd>
        <dt>Raised</dt>
        <dd>
          {formatWhen(m.raisedAt)} by {m.raisedBy}
          {m.withholdName ? ' (asked that their name is withheld from the person)' : ''}, sent to{' '}
          {ROUTED_TO_NAMES[m.routedTo]}
        </dd>
        <dt>Triage</dt>
        <dd>
          {m.classification ? CLASSIFICATION_NAMES[m.classification] : 'Waiting for triage'}
          {m.theme ? ` (theme: ${m.theme})` : ''}
        </dd>
        {m.outcome && (
          <>
            <dt>Outcome</dt>
            <dd>{OUTCOME_NAMES[m.outcome]}</dd>
          </>
        )}
        {m.lado && (
          <>
            <dt>LADO clock</dt>
            <dd>
              <LadoClock lado={m.lado} />
            </dd>
          </>
        )}
      </dl>
      <section aria-labelledby="what-heading" className="section">
        <h2 id="what-heading">What happened</h2>
        <p className="prewrap">{m.whatHappened}</p>
        {m.rationale && (
          <>
            <h3>Rationale</h3>
            <p className="prewrap">{m.rationale}</p>
          </>
        )}
      </section>
      {m.tasks.length > 0 && (
        <section aria-labelledby="tasks-heading" className="section">
          <h2 id="tasks-heading">Tasks</h2>
          <ul>
            {m.tasks.map((k) => (
              <li key={k.id}>
                Inform the agency, due {k.dueOn}
                {k.done ? ' (done)' : ''}
              </li>
            ))}
          </ul>
        </section>
      )}
      {m.ladoContacts.length > 0 && (
        <section aria-labelledby="lado-heading" className="section">
          <h2 id="lado-heading">LADO contacts</h2>
          <ul className="stack-tight" aria-label="LADO contacts">
            {m.ladoContacts.map((c) => (
              <li key={c.id} className="card">
                <LadoContactView c={c} />
              </li>
            ))}
          </ul>
        </section>
      )}
      {m.copyGivenOn && <p>A copy was given to the member on {formatDay(m.copyGivenOn)}.</p>}
      {m.retention && (
        <section aria-labelledby="retention-heading" className="section">
          <h2 id="retention-heading">Retention</h2>
          <p>
            {m.retention.rule}
            {m.retention.dueOn ? ` Due ${formatDay(m.retention.dueOn)}.` : ''}
          </p>
        </section>
      )}
      {m.pupils.length > 0 && (
        <section aria-labelledby="pupils-heading" className="section">
          <h2 id="pupils-heading">Linked pupils</h2>
          <ul>
            {/* A link only where the reader may open the pupil's page (the server says). */}
            {m.pupils.map((p) => (
              <li key={p.id}>
                {p.canOpen ? <Link to={`/pupils/${p.id}`}>{p.name}</Link> : p.name}
              </li>
            ))}
          </ul>
        </section>
      )}
      {m.allowed.includes('triage') && <TriageForm matter={m} onDone={reload} />}
      {m.allowed.includes('record_lado') && <LadoContactForm matter={m} onDone={reload} />}
      <Notice text={notice} focusRef={noticeRef} />
      {m.allowed.includes('record_outcome') && (
        <OutcomeForm
          matter={m}
          onDone={(message) => {
            setNotice(message);
            reload();
            noticeRef.current?.focus();
          }}
        />
      )}
      {m.allowed.includes('record_copy') && <CopyGivenForm matter={m} onDone={reload} />}
      {m.allowed.includes('link_pupil') && <LinkPupilForm matter={m} onDone={reload} />}
      {m.allowed.includes('record_leaving') && <LeavingForm matter={m} onDone={reload} />}
    </>
  );
}

function TriageForm({ matter, onDone }: { matter: Matter; onDone: () => void }) {
  const [classification, setClassification] = useState<Classification>(
    matter.classification ?? 'low_level',
  );
  const [rationale, setRationale] = useState('');
  const [theme, setTheme] = useState(matter.theme ?? '');
  const settings = useLoad<StaffConcernSettings>('/api/staff-concerns/settings');
  const themes = settings.status === 'ok' ? settings.data.themes : [];
  const submit = useSubmit<'rationale'>();
  const send = async () => {
    if (!rationale.trim()) {
      submit.invalid(
        { rationale: 'Give the reason for your decision.' },
        'The rationale is missing.',
      );
      return;
    }
    await api('POST', `/api/staff-concerns/${matter.id}/triage`, {
      classification,
      rationale: rationale.trim(),
      ...(classification === 'low_level' && theme !== '' && { theme }),
    });
    setRationale('');
    onDone();
    return 'Triage recorded.';
  };
  return (
    <section aria-labelledby="triage-heading" className="section card">
      <h2 id="triage-heading">Triage</h2>
      <Form submit={submit} onSubmit={send} className="stack-tight" aria-label="Triage">
        <RadioGroup
          legend="Decision"
          value={classification}
          onChange={setClassification}
          options={CLASSIFICATIONS.map((c) => [c, CLASSIFICATION_NAMES[c]] as const)}
        />
        {classification === 'low_level' && themes.length > 0 && (
          <Select
            label="Theme"
            optional
            hint="The school’s themes: two low-level concerns about one person with the same theme prompt a review."
            value={theme}
            onChange={setTheme}
          >
            <option value="">No theme</option>
            {themes.map((x) => (
              <option key={x} value={x}>
                {x}
              </option>
            ))}
          </Select>
        )}
        <TextArea
          name="rationale"
          label="Rationale"
          rows={4}
          maxLength={5000}
          value={rationale}
          onChange={setRationale}
        />
        <FormError />
        <FormStatus />
        <div className="actions">
          <SubmitButton>Record triage</SubmitButton>
        </div>
      </Form>
    </section>
  );
}

function LadoContactView({ c }: { c: LadoContact }) {
  const involved = [
    c.policeInvolved ? 'the police' : null,
    c.socialCareInvolved ? 'children’s social care' : null,
  ].filter(Boolean);
  return (
    <dl className="stack-tight">
      <dt>Officer</dt>
      <dd>{c.officer}</dd>
      <dt>Contacted</dt>
      <dd>{formatWhen(c.contactedAt)}</dd>
      <dt>Advice</dt>
      <dd className="prewrap">{c.advice}</dd>
      {c.reference && (
        <>
          <dt>Reference</dt>
          <dd>{c.reference}</dd>
        </>
      )}
      {c.strategyMeetingOn && (
        <>
          <dt>Strategy meeting</dt>
          <dd>{formatDay(c.strategyMeetingOn)}</dd>
        </>
      )}
      <dt>Also involved</dt>
      <dd>
        {involved.length > 0
          ? involved.join(' and ')
          : 'Neither the police nor children’s social care'}
      </dd>
      {c.suspension && (
        <>
          <dt>Suspension decision</dt>
          <dd className="prewrap">{c.suspension}</dd>
        </>
      )}
      {c.reviewOn && (
        <>
          <dt>Review date</dt>
          <dd>{formatDay(c.reviewOn)}</dd>
        </>
      )}
    </dl>
  );
}
