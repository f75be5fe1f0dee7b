// The school's retention schedule: each kind of record with its period, trigger and action, and
// (when the server allows) a form per rule to change it. The server checks every period and says
// why a refused one is refused, beside the field; what was typed stays in the field.
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { Select } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import { formatWhen } from '../../lib/format.ts';
import {
  RETENTION_ACTIONS,
  TRANSFER_KEEPS,
  type RetentionAction,
  type TransferKeeps,
} from '../../../../src/shared/retention.ts';
import type {
  RetentionRule,
  RetentionRulePatch,
  RetentionSchedule,
} from '../../../../src/shared/schemas/retention.ts';
import { ACTION_NAMES, KEEPS_NAMES, KIND_NAMES, TRIGGER_NAMES } from './words.ts';

export function ScheduleSection(p: { schedule: RetentionSchedule; onChanged: () => void }) {
  const editable = p.schedule.allowed.includes('edit');
  return (
    <section aria-labelledby="schedule-heading" className="section">
      <h2 id="schedule-heading">Retention schedule</h2>
      <ul className="retention-rules">
        {p.schedule.rules.map((rule) => (
          <li key={rule.kind} className="card stack-tight">
            <h3>{KIND_NAMES[rule.kind]}</h3>
            <p>{describe(rule)}</p>
            {rule.updatedAt && (
              <p className="hint">Changed by the school on {formatWhen(rule.updatedAt)}.</p>
            )}
            {editable && rule.schoolSet ? (
              <RuleForm rule={rule} onChanged={p.onChanged} />
            ) : (
              !rule.schoolSet && <p className="hint">Set by law; the school cannot change it.</p>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function describe(rule: RetentionRule): string {
  const years = rule.years === 1 ? '1 year' : `${rule.years} years`;
  return `${ACTION_NAMES[rule.action]} ${years} ${TRIGGER_NAMES[rule.trigger]}.`;
}

type RuleField = 'years' | 'action' | 'transferKeeps';

function RuleForm({ rule, onChanged }: { rule: RetentionRule; onChanged: () => void }) {
  const [years, setYears] = useState(String(rule.years));
  const [action, setAction] = useState<RetentionAction>(rule.action);
  const [keeps, setKeeps] = useState<TransferKeeps | null>(rule.transferKeeps);
  const submit = useSubmit<RuleField>();
  const name = KIND_NAMES[rule.kind];

  const save = async () => {
    const typed = years.trim();
    if (!/^-?\d{1,4}$/.test(typed)) {
      submit.invalid(
        { years: 'Enter a whole number of years.' },
        `${name}: enter a whole number of years.`,
      );
      return;
    }
    const body: RetentionRulePatch = { years: Number(typed), action };
    if (keeps !== null) body.transferKeeps = keeps;
    const next = await api<RetentionRule>('PATCH', `/api/retention/schedule/${rule.kind}`, body);
    setYears(String(next.years));
    onChanged();
    return `Saved: ${describe(next)}`;
  };

  return (
    <Form submit={submit} onSubmit={save} className="stack-tight" aria-label={`Change: ${name}`}>
      <div className="retention-rule-fields">
        <TextField
          name="years"
          label="Years"
          hint={`At least ${rule.minYears}; the seeded schedule says ${rule.defaultYears}.`}
          inputClassName="input input-short"
          inputMode="numeric"
          autoComplete="off"
          value={years}
          onChange={setYears}
        />
        <Select name="action" label="Then" value={action} onChange={(v) => setAction(asAction(v))}>
          {RETENTION_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {ACTION_NAMES[a]}
            </option>
          ))}
        </Select>
        {keeps !== null && (
          <Select
            name="transferKeeps"
            label="What the school keeps of a transferred file"
            value={keeps}
            onChange={(v) => setKeeps(asKeeps(v))}
          >
            {TRANSFER_KEEPS.map((k) => (
              <option key={k} value={k}>
                {KEEPS_NAMES[k]}
              </option>
            ))}
          </Select>
        )}
      </div>
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton variant="secondary">Save this rule</SubmitButton>
      </div>
    </Form>
  );
}

const asAction = (v: string): RetentionAction => RETENTION_ACTIONS.find((a) => a === v) ?? 'review';
const asKeeps = (v: string): TransferKeeps => TRANSFER_KEEPS.find((k) => k === v) ?? 'sealed_copy';
