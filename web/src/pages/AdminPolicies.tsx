// The school's policies (issues 3 and 4): sessions, second factor at sign-in, dormant accounts,
// passwords, and the records workflow's escalation time and attachment limit. Saved together with PATCH; the server checks every value, and a refusal is shown
// above the button and beside the field it names. The notes beside password expiry, escalation
// and the attachment limit come from the server, so they say what the server enforces.
import { useId, useState, type FormEvent } from 'react';
import { Button } from 'react-aria-components';
import { api, errorMessage } from '../api.ts';
import { useLoad } from '../useLoad.ts';
import { AdminLoaded, fieldOf } from './AdminShared.tsx';

type Policies = {
  idleTimeoutMinutes: number;
  idleWarningMinutes: number;
  absoluteSessionHours: number;
  elevationMinutes: number;
  secondFactorAtSignIn: 'everyone' | 'readers';
  dormancyDays: number;
  passwordPolicy: {
    minLength: number;
    requireComposition: boolean;
    checkCommon: boolean;
    historyCount: number;
    expiryDays: number;
  };
  alertEscalationMinutes: number;
  maxUploadMegabytes: number;
};
type PolicyView = {
  policies: Policies;
  notes: { passwordExpiryDays: string; alertEscalationMinutes: string; maxUploadMegabytes: string };
};

const NUMBERS = {
  idleTimeoutMinutes: 'Sign out after this many minutes without activity',
  idleWarningMinutes: 'Warn this many minutes before that sign-out',
  absoluteSessionHours: 'Sign out this many hours after signing in, active or not',
  elevationMinutes: 'Records stay open this many minutes after a second factor',
  dormancyDays: 'An account unused for this many days becomes dormant',
  minLength: 'Minimum password length',
  historyCount: 'Earlier passwords that cannot be used again',
  expiryDays: 'Passwords expire after this many days',
  alertEscalationMinutes:
    'Minutes an alert to the DSL team may wait unacknowledged before it goes to the deputies and the headteacher',
  maxUploadMegabytes: 'Largest attachment, in MB',
} as const;
type NumberField = keyof typeof NUMBERS;

function numbersOf(p: Policies): Record<NumberField, string> {
  const { passwordPolicy: pw } = p;
  return {
    idleTimeoutMinutes: String(p.idleTimeoutMinutes),
    idleWarningMinutes: String(p.idleWarningMinutes),
    absoluteSessionHours: String(p.absoluteSessionHours),
    elevationMinutes: String(p.elevationMinutes),
    dormancyDays: String(p.dormancyDays),
    minLength: String(pw.minLength),
    historyCount: String(pw.historyCount),
    expiryDays: String(pw.expiryDays),
    alertEscalationMinutes: String(p.alertEscalationMinutes),
    maxUploadMegabytes: String(p.maxUploadMegabytes),
  };
}

export function AdminPoliciesPage() {
  const [attempt, setAttempt] = useState(0);
  const state = useLoad<PolicyView>('/api/admin/policies', attempt);
  return (
    <AdminLoaded title="School policies" state={state} retry={() => setAttempt((n) => n + 1)}>
      {(view) => <PolicyForm initial={view} />}
    </AdminLoaded>
  );
}

function PolicyForm({ initial }: { initial: PolicyView }) {
  const id = useId();
  const [numbers, setNumbers] = useState(() => numbersOf(initial.policies));
  const [everyone, setEveryone] = useState(initial.policies.secondFactorAtSignIn === 'everyone');
  const [composition, setComposition] = useState(
    initial.policies.passwordPolicy.requireComposition,
  );
  const [checkCommon, setCheckCommon] = useState(initial.policies.passwordPolicy.checkCommon);
  const [error, setError] = useState<{ message: string; field: string | null } | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setSaved(null);
    setError(null);
    const bad = (Object.keys(NUMBERS) as NumberField[]).find(
      (k) => !/^\d{1,5}$/.test(numbers[k].trim()),
    );
    if (bad) {
      setError({ message: `${NUMBERS[bad]}: enter a whole number.`, field: bad });
      return;
    }
    const n = (k: NumberField) => Number(numbers[k].trim());
    setBusy(true);
    try {
      const next = await api<PolicyView>('PATCH', '/api/admin/policies', {
        idleTimeoutMinutes: n('idleTimeoutMinutes'),
        idleWarningMinutes: n('idleWarningMinutes'),
        absoluteSessionHours: n('absoluteSessionHours'),
        elevationMinutes: n('elevationMinutes'),
        dormancyDays: n('dormancyDays'),
        secondFactorAtSignIn: everyone ? 'everyone' : 'readers',
        passwordPolicy: {
          minLength: n('minLength'),
          requireComposition: composition,
          checkCommon,
          historyCount: n('historyCount'),
          expiryDays: n('expiryDays'),
        },
        alertEscalationMinutes: n('alertEscalationMinutes'),
        maxUploadMegabytes: n('maxUploadMegabytes'),
      });
      setNumbers(numbersOf(next.policies));
      setSaved('The school’s policies were saved. They apply from each person’s next request.');
    } catch (err) {
      const message = errorMessage(err);
      setError({ message, field: fieldOf(message) });
    } finally {
      setBusy(false);
    }
  };

  const number = (k: NumberField, hint?: string) => {
    const invalid = error?.field === k;
    const describedBy = [hint ? `${id}-${k}-hint` : '', invalid ? `${id}-${k}-error` : '']
      .filter(Boolean)
      .join(' ');
    return (
      <div className="field">
        <label className="field-label" htmlFor={`${id}-${k}`}>
          {NUMBERS[k]}
        </label>
        {hint && (
          <p className="hint" id={`${id}-${k}-hint`}>
            {hint}
          </p>
        )}
        <input
          id={`${id}-${k}`}
          className="input input-short"
          inputMode="numeric"
          autoComplete="off"
          value={numbers[k]}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy || undefined}
          onChange={(e) => setNumbers({ ...numbers, [k]: e.target.value })}
        />
        {invalid && (
          <p className="field-error" id={`${id}-${k}-error`}>
            {error.message}
          </p>
        )}
      </div>
    );
  };

  return (
    <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
      <fieldset className="admin-fieldset card stack-tight">
        <legend>Sessions</legend>
        {number('idleTimeoutMinutes')}
        {number('idleWarningMinutes')}
        {number('absoluteSessionHours')}
        {number('elevationMinutes')}
      </fieldset>
      <fieldset className="admin-fieldset card stack-tight">
        <legend>Second factor at sign-in</legend>
        <p className="hint">
          Everyone gives a second factor to open records or administration; this decides who also
          gives it when signing in.
        </p>
        <label className="admin-check">
          <input
            type="radio"
            name={`${id}-second-factor`}
            checked={!everyone}
            onChange={() => setEveryone(false)}
          />
          Every role that can read records (the default)
        </label>
        <label className="admin-check">
          <input
            type="radio"
            name={`${id}-second-factor`}
            checked={everyone}
            onChange={() => setEveryone(true)}
          />
          Everyone
        </label>
      </fieldset>
      <fieldset className="admin-fieldset card stack-tight">
        <legend>Accounts</legend>
        {number('dormancyDays', 'A dormant account must be reactivated here before it is used.')}
      </fieldset>
      <fieldset className="admin-fieldset card stack-tight">
        <legend>Passwords</legend>
        {number('minLength')}
        <label className="admin-check">
          <input
            type="checkbox"
            checked={composition}
            onChange={(e) => setComposition(e.target.checked)}
          />
          Require a letter, a digit and a symbol
        </label>
        <label className="admin-check">
          <input
            type="checkbox"
            checked={checkCommon}
            onChange={(e) => setCheckCommon(e.target.checked)}
          />
          Refuse common and breached passwords
        </label>
        {number('historyCount')}
        {number('expiryDays', initial.notes.passwordExpiryDays)}
      </fieldset>
      <fieldset className="admin-fieldset card stack-tight">
        <legend>Records</legend>
        {number('alertEscalationMinutes', initial.notes.alertEscalationMinutes)}
        {number('maxUploadMegabytes', initial.notes.maxUploadMegabytes)}
      </fieldset>
      <div role="alert" className={error ? 'message message-error' : 'visually-empty'}>
        {error?.message}
      </div>
      <div role="status" className={saved ? 'message message-success' : 'visually-empty'}>
        {saved}
      </div>
      <div className="actions">
        <Button type="submit" className="button button-primary">
          Save policies
        </Button>
      </div>
    </form>
  );
}
