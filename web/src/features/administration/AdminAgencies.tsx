// Referral agencies (issue 4): the agencies the school refers to — children's social care, early
// help, CAMHS, police, LADO, school nurse and any it adds — each with the time within which a
// response is expected (none is allowed). Add one, rename it or change its time, archive it (no
// longer offered for new referrals) or restore it. Referrals already made keep the time they were
// given, so nothing here rewrites history. The server checks every value again (duplicate names,
// hours out of range) and its refusal is shown by the field it concerns.
import { useRef, useState } from 'react';
import { api, ApiError, errorMessage } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import { Notice } from '../../ui/Message.tsx';
import { responseTimeText } from '../referrals/labels.ts';
import type { AdminAgency, AdminAgencyList } from '../../../../src/shared/schemas/referrals.ts';
import { AdminLoaded } from './AdminShared.tsx';
import '../../ui/records.css';
import { MAX_RESPONSE_HOURS } from '../../../../src/shared/limits.ts';

type Field = 'name' | 'hours';
type Values = { name: string; hours: string };

export function AdminAgenciesPage() {
  const state = useLoad<AdminAgencyList>('/api/admin/referral-agencies');
  return (
    <AdminLoaded title="Referral agencies" state={state} retry={() => void state.reload()}>
      {(data) => <Agencies initial={data.items} />}
    </AdminLoaded>
  );
}

function Agencies({ initial }: { initial: AdminAgency[] }) {
  const [items, setItems] = useState(initial);
  const [said, setSaid] = useState<string | null>(null);
  const changed = (agency: AdminAgency, message: string) => {
    setItems((all) => {
      const rest = all.filter((a) => a.id !== agency.id);
      // Active agencies by name, archived ones after them, as the server lists them.
      return [...rest, agency].sort(
        (a, b) =>
          Number(a.archived) - Number(b.archived) ||
          a.name.localeCompare(b.name, 'en-GB', { sensitivity: 'base' }),
      );
    });
    setSaid(message);
  };
  const active = items.filter((a) => !a.archived).length;
  return (
    <>
      <p>
        Referrals are made to these agencies. Each referral keeps the expected response time in
        force when it was made, so changing a time here applies to new referrals only. An archived
        agency is no longer offered for new referrals; its referrals keep its name.
      </p>
      <Notice text={said} />
      <section aria-labelledby="add-agency-heading" className="section card">
        <h2 id="add-agency-heading">Add an agency</h2>
        <AgencyForm
          submitLabel="Add agency"
          onSave={async (body) => {
            const agency = await api<AdminAgency>('POST', '/api/admin/referral-agencies', body);
            changed(agency, `${agency.name} was added.`);
          }}
        />
      </section>
      <section aria-labelledby="agencies-heading" className="section">
        <h2 id="agencies-heading">
          Agencies ({active} in use
          {items.length > active ? `, ${items.length - active} archived` : ''})
        </h2>
        <ul className="admin-list" aria-labelledby="agencies-heading">
          {items.map((a) => (
            <AgencyItem key={a.id} agency={a} onChanged={changed} />
          ))}
        </ul>
      </section>
    </>
  );
}

function AgencyItem({
  agency: a,
  onChanged,
}: {
  agency: AdminAgency;
  onChanged: (agency: AdminAgency, message: string) => void;
}) {
  const [editing, setEditing] = useState(false);
  const submit = useSubmit({
    describe: (err) => `${a.name} was not changed. ${errorMessage(err)}`,
  });
  const editRef = useRef<HTMLButtonElement>(null);
  const patch = (body: Record<string, unknown>) =>
    api<AdminAgency>('PATCH', `/api/admin/referral-agencies/${a.id}`, body);
  const archive = () =>
    submit.run(async () => {
      const next = await patch({ archived: !a.archived });
      onChanged(
        next,
        next.archived
          ? `${next.name} was archived: it is no longer offered for new referrals.`
          : `${next.name} was restored.`,
      );
    });
  const close = () => {
    setEditing(false);
    requestAnimationFrame(() => editRef.current?.focus());
  };
  return (
    <li className="card admin-item">
      <h3>
        {a.name}
        {a.archived && <span className="badge badge-archived">Archived</span>}
      </h3>
      <dl className="admin-facts">
        <dt>Expected response</dt>
        <dd>{responseTimeText(a.expectedResponseHours)}</dd>
        <dt>Referrals made</dt>
        <dd>{a.referrals}</dd>
      </dl>
      {editing ? (
        <AgencyForm
          agency={a}
          submitLabel="Save changes"
          onCancel={close}
          onSave={async (body) => {
            const next = await patch(body);
            onChanged(next, `${next.name} was saved.`);
            close();
          }}
        />
      ) : (
        <div className="actions">
          <Button ref={editRef} aria-label={`Edit ${a.name}`} onPress={() => setEditing(true)}>
            Edit
          </Button>
          <Button
            variant="quiet"
            aria-label={`${a.archived ? 'Restore' : 'Archive'} ${a.name}`}
            onPress={() => void archive()}
          >
            {a.archived ? 'Restore' : 'Archive'}
          </Button>
        </div>
      )}
      <FormError submit={submit} />
    </li>
  );
}

function check(values: Values): Partial<Record<Field, string>> {
  const found: Partial<Record<Field, string>> = {};
  if (!values.name.trim()) found.name = 'Give the agency a name.';
  const h = values.hours.trim();
  if (h && (!/^\d+$/.test(h) || Number(h) < 1 || Number(h) > MAX_RESPONSE_HOURS))
    found.hours = `Enter a whole number of hours from 1 to ${MAX_RESPONSE_HOURS}, or leave it empty for none.`;
  return found;
}

/** A clash of names (409) or a refused time (400) sits by its field as well. */
function fieldOf(err: unknown): Field | null {
  const message = errorMessage(err);
  if (err instanceof ApiError && err.status === 409) return 'name';
  if (/hours|response time/i.test(message)) return 'hours';
  return /name/i.test(message) ? 'name' : null;
}

/** Name and expected response time; used to add an agency and to change one. */
function AgencyForm({
  agency,
  submitLabel,
  onSave,
  onCancel,
}: {
  agency?: AdminAgency;
  submitLabel: string;
  onSave: (body: { name: string; expectedResponseHours: number | null }) => Promise<void>;
  onCancel?: () => void;
}) {
  const [values, setValues] = useState<Values>({
    name: agency?.name ?? '',
    hours: agency?.expectedResponseHours == null ? '' : String(agency.expectedResponseHours),
  });
  const submit = useSubmit<Field>({
    describe: (err) => `Not saved: ${errorMessage(err)}`,
    fieldOf,
  });

  const save = async () => {
    if (submit.invalid(check(values))) return;
    await onSave({
      name: values.name.trim(),
      expectedResponseHours: values.hours.trim() ? Number(values.hours.trim()) : null,
    });
    if (!agency) setValues({ name: '', hours: '' });
  };

  return (
    <Form submit={submit} onSubmit={save} className="stack-tight">
      <TextField
        name="name"
        label="Agency name"
        maxLength={100}
        autoComplete="off"
        // Editing opens in place: start at the name.
        autoFocus={agency !== undefined}
        value={values.name}
        onChange={(name) => setValues((v) => ({ ...v, name }))}
      />
      <TextField
        name="hours"
        label="Expected response time in hours"
        optional
        hint="Leave empty when there is no expected time. 24 hours is a day; 168 is a week."
        inputClassName="input input-short"
        inputMode="numeric"
        autoComplete="off"
        value={values.hours}
        onChange={(hours) => setValues((v) => ({ ...v, hours }))}
      />
      <FormError />
      <div className="actions">
        <SubmitButton>{submitLabel}</SubmitButton>
        {onCancel && (
          <Button variant="quiet" onPress={onCancel}>
            Cancel
          </Button>
        )}
      </div>
    </Form>
  );
}
