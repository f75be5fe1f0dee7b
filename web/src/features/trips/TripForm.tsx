// The details of a trip (issue 21): its name, dates, leaders, pupils and the school's consent
// forms that apply to it; used to create a trip and to edit one (TripPage).
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { Checkbox, DateField } from '../../ui/Field.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import type { NewTrip, Trip } from '../../../../src/shared/trips.ts';
import type { ConsentFormList } from '../../../../src/shared/consents.ts';
import type { PupilChoices } from '../../../../src/shared/medical.ts';
import { Loaded } from './Loaded.tsx';

type Person = { id: string; name: string };
type Field = 'name' | 'startsOn' | 'endsOn' | 'leaders' | 'pupils';

function PupilSearch({ chosen, onAdd }: { chosen: Person[]; onAdd: (p: Person) => void }) {
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Person[]>([]);
  const find = async () => {
    if (!q.trim()) return;
    const res = await api<PupilChoices>(
      'GET',
      `/api/medical/pupils?q=${encodeURIComponent(q.trim())}`,
    );
    setFound(res.items.filter((p) => !chosen.some((c) => c.id === p.id)));
  };
  return (
    <div className="stack-tight">
      <TextField name="pupils" label="Find a pupil by name" value={q} onChange={setQ} />
      <Button onPress={() => void find()}>Find pupils</Button>
      <ul aria-label="Pupils found">
        {found.map((p) => (
          <li key={p.id}>
            {p.name}{' '}
            <Button
              variant="quiet"
              aria-label={`Add ${p.name}`}
              onPress={() => {
                onAdd(p);
                setFound(found.filter((f) => f.id !== p.id));
              }}
            >
              Add
            </Button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * A trip's details: a new trip, or an existing one edited (given whole: `initial` is the trip as
 * it is). `onSave` sends the body and answers the message to show.
 */
export function TripForm({
  initial,
  label,
  submitLabel,
  onSave,
  onCancel,
}: {
  initial?: Trip;
  label: string;
  submitLabel: string;
  onSave: (body: NewTrip) => Promise<string | void>;
  onCancel?: () => void;
}) {
  const leaders = useLoad<{ items: Person[] }>('/api/trips/leaders');
  const forms = useLoad<ConsentFormList>('/api/consents/forms');
  const [name, setName] = useState(initial?.name ?? '');
  const [startsOn, setStartsOn] = useState(initial?.startsOn ?? '');
  const [endsOn, setEndsOn] = useState(initial?.endsOn ?? '');
  const [leaderIds, setLeaderIds] = useState<string[]>(initial?.leaders.map((l) => l.id) ?? []);
  const [pupils, setPupils] = useState<Person[]>(
    initial?.pupilList.map((p) => ({ id: p.id, name: p.name })) ?? [],
  );
  const [formIds, setFormIds] = useState<string[]>(initial?.consentForms.map((f) => f.id) ?? []);
  const submit = useSubmit<Field>();
  const make = async () => {
    const problems: Partial<Record<Field, string>> = {};
    if (!name.trim()) problems.name = 'Give the trip a name.';
    if (!startsOn) problems.startsOn = 'Enter the day it starts.';
    if (!endsOn) problems.endsOn = 'Enter the day it ends.';
    if (leaderIds.length === 0) problems.leaders = 'Choose at least one leader.';
    if (pupils.length === 0) problems.pupils = 'Add at least one pupil.';
    // `invalid` with a message refuses even with no field named: only when something is missing.
    if (
      Object.keys(problems).length > 0 &&
      submit.invalid(problems, 'Some details are missing: see below.')
    )
      return;
    const body: NewTrip = {
      name: name.trim(),
      startsOn,
      endsOn,
      leaderIds,
      pupilIds: pupils.map((p) => p.id),
      consentFormIds: formIds,
    };
    return onSave(body);
  };
  return (
    <Form submit={submit} onSubmit={make} className="card stack-tight" aria-label={label}>
      <h2>{label}</h2>
      <TextField name="name" label="Trip name" value={name} onChange={setName} maxLength={200} />
      <DateField name="startsOn" label="First day" value={startsOn} onChange={setStartsOn} />
      <DateField name="endsOn" label="Last day" value={endsOn} onChange={setEndsOn} />
      <fieldset className="stack-tight">
        <legend>Leaders</legend>
        <Loaded state={leaders}>
          {(d) => (
            <>
              {d.items.map((u) => (
                <Checkbox
                  key={u.id}
                  checked={leaderIds.includes(u.id)}
                  onChange={(on) =>
                    setLeaderIds(on ? [...leaderIds, u.id] : leaderIds.filter((x) => x !== u.id))
                  }
                >
                  {u.name}
                </Checkbox>
              ))}
            </>
          )}
        </Loaded>
      </fieldset>
      <PupilSearch chosen={pupils} onAdd={(p) => setPupils([...pupils, p])} />
      <h3>Pupils on the trip</h3>
      <ul aria-label="Pupils on the trip">
        {pupils.map((p) => (
          <li key={p.id}>
            {p.name}{' '}
            <Button
              variant="quiet"
              aria-label={`Remove ${p.name}`}
              onPress={() => setPupils(pupils.filter((x) => x.id !== p.id))}
            >
              Remove
            </Button>
          </li>
        ))}
      </ul>
      <fieldset className="stack-tight">
        <legend>Consent forms for this trip</legend>
        <p className="hint">Their answers go on the trip’s emergency cards.</p>
        <Loaded state={forms}>
          {(d) =>
            d.items.length === 0 ? (
              <p>The school has no consent forms yet.</p>
            ) : (
              <>
                {d.items.map((f) => (
                  <Checkbox
                    key={f.id}
                    checked={formIds.includes(f.id)}
                    onChange={(on) =>
                      setFormIds(on ? [...formIds, f.id] : formIds.filter((x) => x !== f.id))
                    }
                  >
                    {f.title}
                  </Checkbox>
                ))}
              </>
            )
          }
        </Loaded>
      </fieldset>
      <FormError />
      <div className="actions">
        <SubmitButton>{submitLabel}</SubmitButton>
        {onCancel && <Button onPress={onCancel}>Cancel</Button>}
      </div>
    </Form>
  );
}
