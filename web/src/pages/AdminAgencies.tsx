// Referral agencies (issue 4): the agencies the school refers to — children's social care, early
// help, CAMHS, police, LADO, school nurse and any it adds — each with the time within which a
// response is expected (none is allowed). Add one, rename it or change its time, archive it (no
// longer offered for new referrals) or restore it. Referrals already made keep the time they were
// given, so nothing here rewrites history. The server checks every value again (duplicate names,
// hours out of range) and its refusal is shown by the field it concerns.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Button } from 'react-aria-components';
import { api, ApiError, errorMessage } from '../api.ts';
import { useLoad } from '../useLoad.ts';
import { responseTimeText, type AdminAgency } from '../caseWork.ts';
import { FormField, focusFirstError } from '../components/FormField.tsx';
import { AdminLoaded } from './AdminShared.tsx';
import '../case-work.css';

/** The server's limit (src/referrals/agencies.ts): a year. */
const MAX_HOURS = 8760;

type Field = 'name' | 'hours';
type Errors = Partial<Record<Field, string>>;
type Values = { name: string; hours: string };

export function AdminAgenciesPage() {
  const [attempt, setAttempt] = useState(0);
  const state = useLoad<{ items: AdminAgency[] }>('/api/admin/referral-agencies', attempt);
  return (
    <AdminLoaded title="Referral agencies" state={state} retry={() => setAttempt((n) => n + 1)}>
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
      <div role="status" className={said ? 'message message-success' : 'visually-empty'}>
        {said}
      </div>
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
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const editRef = useRef<HTMLButtonElement>(null);
  const patch = (body: Record<string, unknown>) =>
    api<AdminAgency>('PATCH', `/api/admin/referral-agencies/${a.id}`, body);
  const archive = async () => {
    if (busy) return;
    setError(null);
    setBusy(true);
    try {
      const next = await patch({ archived: !a.archived });
      onChanged(
        next,
        next.archived
          ? `${next.name} was archived: it is no longer offered for new referrals.`
          : `${next.name} was restored.`,
      );
    } catch (err) {
      setError(`${a.name} was not changed. ${errorMessage(err)}`);
    } finally {
      setBusy(false);
    }
  };
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
          <Button
            ref={editRef}
            className="button"
            aria-label={`Edit ${a.name}`}
            onPress={() => setEditing(true)}
          >
            Edit
          </Button>
          <Button
            className="button button-quiet"
            aria-label={`${a.archived ? 'Restore' : 'Archive'} ${a.name}`}
            onPress={() => void archive()}
          >
            {a.archived ? 'Restore' : 'Archive'}
          </Button>
        </div>
      )}
      <div role="alert" className={error ? 'message message-error' : 'visually-empty'}>
        {error}
      </div>
    </li>
  );
}

function check(values: Values): Errors {
  const found: Errors = {};
  if (!values.name.trim()) found.name = 'Give the agency a name.';
  const h = values.hours.trim();
  if (h && (!/^\d+$/.test(h) || Number(h) < 1 || Number(h) > MAX_HOURS))
    found.hours = `Enter a whole number of hours from 1 to ${MAX_HOURS}, or leave it empty for none.`;
  return found;
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
  const uid = useId();
  const ids: Record<Field, string> = { name: `${uid}-name`, hours: `${uid}-hours` };
  const [values, setValues] = useState<Values>({
    name: agency?.name ?? '',
    hours: agency?.expectedResponseHours == null ? '' : String(agency.expectedResponseHours),
  });
  const [errors, setErrors] = useState<Errors>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    // Editing opens in place: start at the name.
    if (agency) document.getElementById(ids.name)?.focus();
  }, [agency, ids.name]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setServerError(null);
    const found = check(values);
    setErrors(found);
    if (focusFirstError(ids, found)) return;
    setBusy(true);
    try {
      await onSave({
        name: values.name.trim(),
        expectedResponseHours: values.hours.trim() ? Number(values.hours.trim()) : null,
      });
      if (!agency) setValues({ name: '', hours: '' });
    } catch (err) {
      const message = errorMessage(err);
      // A clash of names (409) or a refused time (400) sits by its field as well.
      const field: Field | null =
        err instanceof ApiError && err.status === 409
          ? 'name'
          : /hours|response time/i.test(message)
            ? 'hours'
            : /name/i.test(message)
              ? 'name'
              : null;
      if (field) {
        setErrors({ [field]: message });
        document.getElementById(ids[field])?.focus();
      }
      setServerError(`Not saved: ${message}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="stack-tight" onSubmit={(e) => void submit(e)} noValidate>
      <FormField id={ids.name} label="Agency name" error={errors.name}>
        {(p) => (
          <input
            {...p}
            className="input"
            type="text"
            maxLength={100}
            autoComplete="off"
            value={values.name}
            onChange={(e) => setValues((v) => ({ ...v, name: e.target.value }))}
          />
        )}
      </FormField>
      <FormField
        id={ids.hours}
        label="Expected response time in hours"
        optional
        hint="Leave empty when there is no expected time. 24 hours is a day; 168 is a week."
        error={errors.hours}
      >
        {(p) => (
          <input
            {...p}
            className="input input-short"
            type="text"
            inputMode="numeric"
            autoComplete="off"
            value={values.hours}
            onChange={(e) => setValues((v) => ({ ...v, hours: e.target.value }))}
          />
        )}
      </FormField>
      <div role="alert" className={serverError ? 'message message-error' : 'visually-empty'}>
        {serverError}
      </div>
      <div className="actions">
        <Button type="submit" className="button button-primary">
          {submitLabel}
        </Button>
        {onCancel && (
          <Button className="button button-quiet" onPress={onCancel}>
            Cancel
          </Button>
        )}
      </div>
    </form>
  );
}
