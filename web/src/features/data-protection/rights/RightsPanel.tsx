// The other rights on a request (issue 17): for a rectification, attaching the subject's
// statement to one of their records; for a restriction, restricting a record to the DSL team (and
// lifting it); for an erasure or an objection, recording the decision and its reasoning. The
// server sends which acts are allowed now; the register shows records by date and category only.
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../../lib/api.ts';
import { useLoad } from '../../../lib/useLoad.ts';
import { useSubmit } from '../../../lib/useSubmit.ts';
import { WhenLoaded } from '../../../ui/Message.tsx';
import { Form, FormError, FormStatus } from '../../../ui/Form.tsx';
import { TextArea } from '../../../ui/TextField.tsx';
import { Select } from '../../../ui/Field.tsx';
import { SubmitButton } from '../../../ui/Button.tsx';
import type { RequestKind } from '../../../../../src/shared/schemas/data-protection.ts';
import {
  ERASURE_DECISIONS,
  OBJECTION_DECISIONS,
  type RightsDecision,
  type RightsView,
} from '../../../../../src/shared/schemas/dp-rights.ts';
import { formatDay } from '../words.ts';

const KINDS: readonly RequestKind[] = ['rectification', 'restriction', 'erasure', 'objection'];

export const DECISION_NAMES: Record<RightsDecision, string> = {
  erase_by_retention: 'Erase, through the retention schedule’s destruction (two approvals)',
  refused_public_task: 'Refuse: needed for a task in the public interest (safeguarding)',
  refused_legal_obligation: 'Refuse: needed to meet a legal obligation',
  objection_upheld: 'Uphold the objection',
  objection_not_upheld: 'Do not uphold: compelling legitimate grounds outweigh it',
};

type Rec = RightsView['records'][number];
const recordName = (r: Rec) =>
  `${formatDay(r.happenedAt.slice(0, 10))}: ${r.categories.join(', ') || 'no category'}${r.restricted ? ' (restricted)' : ''}`;

/** Renders nothing for a request of another kind. */
export function RightsPanel({ id, kind }: { id: string; kind: RequestKind }) {
  const view = useLoad<RightsView>(
    KINDS.includes(kind) ? `/api/data-protection/requests/${id}/rights` : null,
  );
  if (!KINDS.includes(kind)) return null;
  const reload = () => void view.reload();
  return (
    <section className="card stack-tight" aria-labelledby="rights-heading">
      <h2 id="rights-heading">The subject&apos;s records and the decision</h2>
      <WhenLoaded state={view} loading="Loading the subject’s records…">
        {(v) => (
          <>
            {v.records.length === 0 ? (
              <p>No records are about the request&apos;s subjects.</p>
            ) : (
              <ul>
                {v.records.map((r) => (
                  <li key={r.id}>
                    {recordName(r)}
                    {r.statements > 0 && ` — ${r.statements} statement(s) attached`}
                  </li>
                ))}
              </ul>
            )}
            {v.decision && (
              <p>
                Decided: {DECISION_NAMES[v.decision.decision]}. {v.decision.reasoning}
              </p>
            )}
            {v.allowed.includes('attach_statement') && (
              <StatementForm id={id} records={v.records} onDone={reload} />
            )}
            {v.allowed.includes('restrict') && (
              <RecordActForm
                id={id}
                records={v.records.filter((r) => !r.restricted)}
                act="restrictions"
                title="Restrict a record"
                button="Restrict the record"
                done="The record is restricted to the DSL team, and left out of reports and transfers."
                onDone={reload}
              />
            )}
            {v.allowed.includes('lift') && v.records.some((r) => r.restricted) && (
              <RecordActForm
                id={id}
                records={v.records.filter((r) => r.restricted)}
                act="restrictions/lift"
                title="Lift a restriction"
                button="Lift the restriction"
                done="The restriction was lifted."
                onDone={reload}
              />
            )}
            {v.allowed.includes('decide') && <DecisionForm id={id} kind={kind} onDone={reload} />}
          </>
        )}
      </WhenLoaded>
    </section>
  );
}

function RecordPicker(p: { records: Rec[]; value: string; onChange: (v: string) => void }) {
  return (
    <Select name="concernId" label="Record" value={p.value} onChange={p.onChange}>
      {p.records.map((r) => (
        <option key={r.id} value={r.id}>
          {recordName(r)}
        </option>
      ))}
    </Select>
  );
}

function StatementForm(p: { id: string; records: Rec[]; onDone: () => void }) {
  const [concernId, setConcernId] = useState(p.records[0]?.id ?? '');
  const [statement, setStatement] = useState('');
  const submit = useSubmit<'statement'>();
  if (p.records.length === 0) return null;
  const save = async () => {
    if (!statement.trim()) {
      submit.invalid({ statement: 'Enter the subject’s statement.' }, 'The statement is missing.');
      return;
    }
    await api('POST', `/api/data-protection/requests/${p.id}/statements`, {
      concernId,
      statement: statement.trim(),
    });
    setStatement('');
    p.onDone();
    return 'The statement is attached to the record; the record itself is unchanged.';
  };
  return (
    <Form submit={submit} onSubmit={save} className="stack-tight" aria-label="Attach a statement">
      <h3>Attach the subject&apos;s statement</h3>
      <RecordPicker records={p.records} value={concernId} onChange={setConcernId} />
      <TextArea
        name="statement"
        label="The subject's statement"
        rows={4}
        maxLength={8000}
        value={statement}
        onChange={setStatement}
      />
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton>Attach the statement</SubmitButton>
      </div>
    </Form>
  );
}

function RecordActForm(p: {
  id: string;
  records: Rec[];
  act: 'restrictions' | 'restrictions/lift';
  title: string;
  button: string;
  done: string;
  onDone: () => void;
}) {
  const [concernId, setConcernId] = useState(p.records[0]?.id ?? '');
  const submit = useSubmit();
  if (p.records.length === 0) return null;
  const chosen = p.records.some((r) => r.id === concernId) ? concernId : (p.records[0]?.id ?? '');
  const save = async () => {
    await api('POST', `/api/data-protection/requests/${p.id}/${p.act}`, { concernId: chosen });
    p.onDone();
    return p.done;
  };
  return (
    <Form submit={submit} onSubmit={save} className="stack-tight" aria-label={p.title}>
      <h3>{p.title}</h3>
      <RecordPicker records={p.records} value={chosen} onChange={setConcernId} />
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton>{p.button}</SubmitButton>
      </div>
    </Form>
  );
}

function DecisionForm(p: { id: string; kind: RequestKind; onDone: () => void }) {
  const choices: readonly RightsDecision[] =
    p.kind === 'erasure' ? ERASURE_DECISIONS : OBJECTION_DECISIONS;
  const [decision, setDecision] = useState<RightsDecision>(choices[0]!);
  const [reasoning, setReasoning] = useState('');
  const submit = useSubmit<'reasoning'>();
  const save = async () => {
    if (!reasoning.trim()) {
      submit.invalid(
        { reasoning: p.kind === 'erasure' ? 'Explain the decision.' : 'Record the balance.' },
        'The reasoning is missing.',
      );
      return;
    }
    await api('POST', `/api/data-protection/requests/${p.id}/decision`, {
      decision,
      reasoning: reasoning.trim(),
    });
    p.onDone();
    return 'The decision was recorded.';
  };
  return (
    <Form submit={submit} onSubmit={save} className="stack-tight" aria-label="Record the decision">
      <h3>Record the decision</h3>
      <Select
        name="decision"
        label="Decision"
        value={decision}
        onChange={(v) => setDecision(choices.find((c) => c === v) ?? choices[0]!)}
      >
        {choices.map((c) => (
          <option key={c} value={c}>
            {DECISION_NAMES[c]}
          </option>
        ))}
      </Select>
      {decision === 'erase_by_retention' && (
        <p>
          The records are destroyed through the <Link to="/retention">retention review</Link>, with
          its two approvals and certificate.
        </p>
      )}
      <TextArea
        name="reasoning"
        label={p.kind === 'erasure' ? 'Reasoning' : 'The balance of interests'}
        rows={4}
        maxLength={8000}
        value={reasoning}
        onChange={setReasoning}
      />
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton>Record the decision</SubmitButton>
      </div>
    </Form>
  );
}
