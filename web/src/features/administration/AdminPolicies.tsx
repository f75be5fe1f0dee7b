// The school's policies (issues 3 and 4): sessions, second factor at sign-in, dormant accounts,
// passwords, the records workflow's escalation time and attachment limit, and the largest MIS
// push. Saved together with PATCH; the server checks every value, and a refusal is shown
// above the button and beside the field it names. The notes beside password expiry, escalation
// and the attachment limit come from the server, so they say what the server enforces.
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { Checkbox, RadioGroup } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import { AdminLoaded } from './AdminShared.tsx';
import { TrustSharingSection } from '../trust/TrustSharing.tsx';
import type { Policies, PolicyView } from '../../../../src/shared/schemas/administration.ts';

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
  maxMisPushMegabytes: 'Largest feed the MIS may push, in MB',
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
    maxMisPushMegabytes: String(p.maxMisPushMegabytes),
  };
}

export function AdminPoliciesPage() {
  const state = useLoad<PolicyView>('/api/admin/policies');
  return (
    <AdminLoaded title="School policies" state={state} retry={() => void state.reload()}>
      {(view) => (
        <>
          <PolicyForm initial={view} />
          <TrustSharingSection />
        </>
      )}
    </AdminLoaded>
  );
}

function PolicyForm({ initial }: { initial: PolicyView }) {
  const [numbers, setNumbers] = useState(() => numbersOf(initial.policies));
  const [everyone, setEveryone] = useState(initial.policies.secondFactorAtSignIn === 'everyone');
  const [composition, setComposition] = useState(
    initial.policies.passwordPolicy.requireComposition,
  );
  const [checkCommon, setCheckCommon] = useState(initial.policies.passwordPolicy.checkCommon);
  const [marking, setMarking] = useState(initial.policies.protectiveMarking);
  // Each field is named as the server names it, so a 400 about one is shown beside it.
  const submit = useSubmit<NumberField | 'protectiveMarking'>();

  const save = async () => {
    const bad = (Object.keys(NUMBERS) as NumberField[]).find(
      (k) => !/^\d{1,5}$/.test(numbers[k].trim()),
    );
    if (bad) {
      const message = `${NUMBERS[bad]}: enter a whole number.`;
      submit.invalid({ [bad]: message }, message);
      return;
    }
    const n = (k: NumberField) => Number(numbers[k].trim());
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
      maxMisPushMegabytes: n('maxMisPushMegabytes'),
      protectiveMarking: marking.trim().toUpperCase(),
    });
    setNumbers(numbersOf(next.policies));
    setMarking(next.policies.protectiveMarking);
    return 'The school’s policies were saved. They apply from each person’s next request.';
  };

  const number = (k: NumberField, hint?: string) => (
    <TextField
      name={k}
      label={NUMBERS[k]}
      {...(hint ? { hint } : {})}
      inputClassName="input input-short"
      inputMode="numeric"
      autoComplete="off"
      value={numbers[k]}
      onChange={(value) => setNumbers({ ...numbers, [k]: value })}
    />
  );

  return (
    <Form submit={submit} onSubmit={save}>
      <fieldset className="admin-fieldset card stack-tight">
        <legend>Sessions</legend>
        {number('idleTimeoutMinutes')}
        {number('idleWarningMinutes')}
        {number('absoluteSessionHours')}
        {number('elevationMinutes')}
      </fieldset>
      <RadioGroup
        legend="Second factor at sign-in"
        hint="Everyone gives a second factor to open records or administration; this decides who also gives it when signing in."
        className="admin-fieldset card stack-tight"
        itemClassName="admin-check"
        value={everyone ? 'everyone' : 'readers'}
        onChange={(v) => setEveryone(v === 'everyone')}
        options={[
          ['readers', 'Every role that can read records (the default)'],
          ['everyone', 'Everyone'],
        ]}
      />
      <fieldset className="admin-fieldset card stack-tight">
        <legend>Accounts</legend>
        {number('dormancyDays', 'A dormant account must be reactivated here before it is used.')}
      </fieldset>
      <fieldset className="admin-fieldset card stack-tight">
        <legend>Passwords</legend>
        {number('minLength')}
        <Checkbox className="admin-check" checked={composition} onChange={setComposition}>
          Require a letter, a digit and a symbol
        </Checkbox>
        <Checkbox className="admin-check" checked={checkCommon} onChange={setCheckCommon}>
          Refuse common and breached passwords
        </Checkbox>
        {number('historyCount')}
        {number('expiryDays', initial.notes.passwordExpiryDays)}
      </fieldset>
      <fieldset className="admin-fieldset card stack-tight">
        <legend>Records</legend>
        {number('alertEscalationMinutes', initial.notes.alertEscalationMinutes)}
        {number('maxUploadMegabytes', initial.notes.maxUploadMegabytes)}
        <TextField
          name="protectiveMarking"
          label="Protective marking on exported chronologies"
          hint={initial.notes.protectiveMarking}
          autoComplete="off"
          maxLength={60}
          value={marking}
          onChange={setMarking}
        />
      </fieldset>
      <fieldset className="admin-fieldset card stack-tight">
        <legend>MIS</legend>
        {number('maxMisPushMegabytes', initial.notes.maxMisPushMegabytes)}
      </fieldset>
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton>Save policies</SubmitButton>
      </div>
    </Form>
  );
}
