// The DSL team's triage of a concern (issue 14): where it stands (new; triaged with a risk level
// and a reason; no further action), and — behind one button, so the page keeps one primary action
// at a time — the form to record a decision. Shown only when the server sends `triage` and allows
// it; the reason is required, and a risk level exactly when the concern is triaged. What was typed
// stays if the server refuses it.
import { useEffect, useRef, useState } from 'react';
import type { ConcernView, TriageView } from '../../../../src/shared/schemas/concerns.ts';
import {
  MAX_TRIAGE_REASON,
  RISK_LEVELS,
  triageLabel,
  type RiskLevel,
  type TriageState,
} from '../../../../src/shared/triage.ts';
import { api } from '../../lib/api.ts';
import { formatWhen } from '../../lib/format.ts';
import { refusedAs, useSubmit } from '../../lib/useSubmit.ts';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import { RadioGroup } from '../../ui/Field.tsx';
import { Form, FormError } from '../../ui/Form.tsx';
import { TextArea } from '../../ui/TextField.tsx';
import { Notice } from '../../ui/Message.tsx';

type Props = { concern: ConcernView; onSaved: () => void };
type Field = 'state' | 'risk' | 'reason';

const DECISIONS = [
  ['triaged', 'Triaged, with a risk level'],
  ['no_further_action', 'No further action'],
  ['new', 'Back to new (not yet triaged)'],
] as const satisfies readonly (readonly [TriageState, string])[];

const RISKS = RISK_LEVELS.map((r) => [r, r.charAt(0).toUpperCase() + r.slice(1)] as const);

export function TriagePanel({ concern, onSaved }: Props) {
  const [open, setOpen] = useState(false);
  // The confirmation sits here, beside the button that was pressed, not at the top of the page.
  const [said, setSaid] = useState<string | null>(null);
  const opener = useRef<HTMLButtonElement>(null);
  // When the form closes, the focus returns to the button that opened it (once it is drawn).
  const [closings, setClosings] = useState(0);
  useEffect(() => {
    if (closings > 0) opener.current?.focus();
  }, [closings]);
  const t = concern.triage;
  if (!t || !concern.allowed.includes('triage')) return null;
  return (
    <section aria-labelledby="triage-heading" className="section card">
      <h2 id="triage-heading">Triage</h2>
      <TriageFacts triage={t} />
      <Notice text={said} />
      {open ? (
        <TriageForm
          concern={concern}
          current={t}
          onCancel={() => {
            setOpen(false);
            setClosings((n) => n + 1);
          }}
          onSaved={(message) => {
            setOpen(false);
            setSaid(message);
            onSaved();
            setClosings((n) => n + 1);
          }}
        />
      ) : (
        <Button
          ref={opener}
          onPress={() => {
            setSaid(null);
            setOpen(true);
          }}
        >
          Record a triage decision
        </Button>
      )}
    </section>
  );
}

function TriageFacts({ triage: t }: { triage: TriageView }) {
  return (
    <dl className="facts">
      <div>
        <dt>State</dt>
        <dd>{triageLabel(t.state, t.risk)}</dd>
      </div>
      {t.decidedBy && t.decidedAt && (
        <div>
          <dt>Decided</dt>
          <dd>
            <time dateTime={t.decidedAt}>{formatWhen(t.decidedAt)}</time> by {t.decidedBy.name}
          </dd>
        </div>
      )}
      {t.reason && (
        <div>
          <dt>Reason</dt>
          <dd className="entry-text">{t.reason}</dd>
        </div>
      )}
    </dl>
  );
}

function TriageForm({
  concern,
  current,
  onCancel,
  onSaved,
}: {
  concern: ConcernView;
  current: TriageView;
  onCancel: () => void;
  onSaved: (message: string) => void;
}) {
  const [state, setState] = useState<TriageState>(
    current.state === 'new' ? 'triaged' : current.state,
  );
  const [risk, setRisk] = useState<RiskLevel | ''>(current.risk ?? '');
  const [reason, setReason] = useState('');
  const submit = useSubmit<Field>({ describe: refusedAs('The triage was not saved') });
  const send = async () => {
    if (
      submit.invalid({
        risk: state === 'triaged' && !risk && 'Choose a risk level',
        reason: !reason.trim() && 'Write the reason for this decision',
      })
    )
      return;
    await api('POST', `/api/concerns/${encodeURIComponent(concern.id)}/triage`, {
      state,
      ...(state === 'triaged' && risk ? { risk } : {}),
      reason,
    });
    onSaved(`Triage saved: ${triageLabel(state, state === 'triaged' && risk ? risk : null)}.`);
  };
  return (
    <Form submit={submit} onSubmit={send} aria-label="Triage decision">
      <FormError />
      <RadioGroup
        name="state"
        legend="Decision"
        value={state}
        onChange={setState}
        options={DECISIONS}
      />
      {state === 'triaged' && (
        <RadioGroup
          name="risk"
          legend="Risk level"
          value={risk}
          onChange={setRisk}
          options={RISKS}
        />
      )}
      <TextArea
        name="reason"
        label="Reason"
        hint="Why this decision: what you weighed. Only the DSL team sees it."
        value={reason}
        onChange={setReason}
        maxLength={MAX_TRIAGE_REASON}
        rows={4}
      />
      <div className="toolbar">
        <SubmitButton>Save triage decision</SubmitButton>
        <Button variant="quiet" onPress={onCancel}>
          Cancel
        </Button>
      </div>
    </Form>
  );
}
