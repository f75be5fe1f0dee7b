// Unusual access on the audit trail page (issue 20): the newest signals the school's rules raised
// (who, what was seen, when; each links to that person's entries), with "Draft a breach from this"
// for whoever holds the breach register (the server says so in `allowed`), and, for the DSL team
// and the headteacher, the rules themselves to tune. The server checks the numbers and hours again.
import { useState } from 'react';
import { Link } from 'react-router';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { api } from '../../lib/api.ts';
import { formatWhen } from '../../lib/format.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { Checkbox } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import { useSession } from '../../app/session.tsx';
import type {
  AccessSignal,
  UnusualAccess,
  UnusualAccessRules,
} from '../../../../src/shared/schemas/audit-trail.ts';

export function UnusualAccessSection() {
  const session = useSession();
  const state = useLoad<UnusualAccess>('/api/audit/unusual-access');
  return (
    <section className="card stack" aria-labelledby="unusual-heading">
      <h2 id="unusual-heading">Unusual access</h2>
      {state.status === 'loading' && <p role="status">Loading…</p>}
      {state.status === 'error' && (
        <p role="alert" className="message message-error">
          {state.message}
        </p>
      )}
      {state.status === 'ok' && (
        <>
          {state.data.signals.length === 0 ? (
            <p className="muted">Nothing unusual has been noticed.</p>
          ) : (
            <ul className="stack">
              {state.data.signals.map((s) => (
                <SignalItem key={s.id} signal={s} onDrafted={() => void state.reload()} />
              ))}
            </ul>
          )}
          {session.has('case.manage') && <RulesForm rules={state.data.rules} />}
        </>
      )}
    </section>
  );
}

function SignalItem({ signal: s, onDrafted }: { signal: AccessSignal; onDrafted: () => void }) {
  const draft = useSubmit();
  return (
    <li className="stack-tight">
      <p>
        {/* A trust member is no person of the school's explorer: named, with their trust. */}
        {s.actor === 'staff' ? (
          <Link to={`/audit?person=${encodeURIComponent(s.memberId)}`}>{s.member}</Link>
        ) : (
          <>Trust member {s.member}</>
        )}{' '}
        {s.what}{' '}
        <span className="muted">
          (noticed <time dateTime={s.raisedAt}>{formatWhen(s.raisedAt)}</time>)
        </span>
      </p>
      {s.breachId && (
        <p>
          A breach was drafted from this.{' '}
          <Link to="/data-protection/breaches">Open the breach register</Link>
        </p>
      )}
      {s.allowed.includes('draft_breach') && (
        <Form
          submit={draft}
          aria-label={`Draft a breach: ${s.member}, ${formatWhen(s.raisedAt)}`}
          onSubmit={async () => {
            await api('POST', `/api/audit/unusual-access/signals/${s.id}/breach`);
            onDrafted();
          }}
        >
          <FormError />
          <div className="actions">
            <SubmitButton variant="secondary">Draft a breach from this</SubmitButton>
          </div>
        </Form>
      )}
    </li>
  );
}

const COUNTS = [
  'pupilsPerHour',
  'pupilsPerDay',
  'refusalsPerHour',
  'exportsPerDay',
  'wideGrantPupilsPerDay',
] as const;
type CountName = (typeof COUNTS)[number];

type Draft = Record<CountName | 'from' | 'to', string> & {
  hours: boolean;
};

function RulesForm({ rules }: { rules: UnusualAccessRules }) {
  const [draft, setDraft] = useState<Draft>({
    pupilsPerHour: String(rules.pupilsPerHour),
    pupilsPerDay: String(rules.pupilsPerDay),
    refusalsPerHour: String(rules.refusalsPerHour),
    exportsPerDay: String(rules.exportsPerDay),
    wideGrantPupilsPerDay: String(rules.wideGrantPupilsPerDay ?? 3),
    hours: rules.schoolHours !== null,
    from: rules.schoolHours?.from ?? '08:00',
    to: rules.schoolHours?.to ?? '18:00',
  });
  const submit = useSubmit<CountName>();
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  const count = (name: CountName, label: string) => (
    <TextField
      name={name}
      label={label}
      hint="0 switches this rule off."
      inputMode="numeric"
      value={draft[name]}
      onChange={(v) => set({ [name]: v })}
    />
  );
  return (
    <Form
      submit={submit}
      aria-label="Unusual-access rules"
      className="stack"
      onSubmit={async () => {
        const wrong = COUNTS.filter((k) => !/^\d{1,6}$/.test(draft[k].trim()));
        if (wrong.length) {
          submit.invalid(
            Object.fromEntries(wrong.map((k) => [k, 'Enter a whole number, 0 or more.'])),
            'Some rules need a whole number.',
          );
          return;
        }
        const time = /^([01]\d|2[0-3]):[0-5]\d$/;
        if (draft.hours && !(time.test(draft.from) && time.test(draft.to))) {
          submit.invalid({}, 'Give school hours as 24-hour times, such as 08:30 and 16:00.');
          return;
        }
        await api('PUT', '/api/audit/unusual-access/rules', {
          pupilsPerHour: Number(draft.pupilsPerHour),
          pupilsPerDay: Number(draft.pupilsPerDay),
          refusalsPerHour: Number(draft.refusalsPerHour),
          exportsPerDay: Number(draft.exportsPerDay),
          wideGrantPupilsPerDay: Number(draft.wideGrantPupilsPerDay),
          schoolHours: draft.hours ? { from: draft.from, to: draft.to } : null,
        });
        // The form keeps what was typed (the server's answer is the same rules), so no reload.
        return 'Rules saved.';
      }}
    >
      <h3>Rules</h3>
      <div className="field-row">
        {count('pupilsPerHour', 'Pupils’ records one person opens in an hour, at most')}
        {count('pupilsPerDay', 'Pupils’ records one person opens in a day, at most')}
        {count('refusalsPerHour', 'Refusals in an hour before telling you')}
        {count('exportsPerDay', 'Exports and downloads in a day before telling you')}
        {count(
          'wideGrantPupilsPerDay',
          'Pupils a teacher does not teach, opened in a day through a wide grant, before telling you',
        )}
      </div>
      <Checkbox checked={draft.hours} onChange={(hours) => set({ hours })}>
        Tell us when records are opened outside school hours
      </Checkbox>
      {draft.hours && (
        <div className="field-row">
          <TextField
            label="School hours start"
            hint="24-hour time, such as 08:00."
            value={draft.from}
            onChange={(from) => set({ from })}
          />
          <TextField
            label="School hours end"
            hint="24-hour time, such as 18:00."
            value={draft.to}
            onChange={(to) => set({ to })}
          />
        </div>
      )}
      <FormError />
      <FormStatus submit={submit} />
      <div className="actions">
        <SubmitButton variant="secondary">Save rules</SubmitButton>
      </div>
    </Form>
  );
}
