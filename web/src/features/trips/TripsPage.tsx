// Trips (issue 21): every trip for those who manage them, the trips one leads otherwise; a new
// trip's name, dates, leaders and pupils; each trip's page prepares its emergency cards.
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { useSession } from '../../app/session.tsx';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { Form, FormError } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { Checkbox, DateField } from '../../ui/Field.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import type { NewTrip, TripList } from '../../../../src/shared/trips.ts';
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

function NewTripForm({ onMade }: { onMade: (id: string) => void }) {
  const leaders = useLoad<{ items: Person[] }>('/api/trips/leaders');
  const [name, setName] = useState('');
  const [startsOn, setStartsOn] = useState('');
  const [endsOn, setEndsOn] = useState('');
  const [leaderIds, setLeaderIds] = useState<string[]>([]);
  const [pupils, setPupils] = useState<Person[]>([]);
  const submit = useSubmit<Field>();
  const make = async () => {
    const problems: Partial<Record<Field, string>> = {};
    if (!name.trim()) problems.name = 'Give the trip a name.';
    if (!startsOn) problems.startsOn = 'Enter the day it starts.';
    if (!endsOn) problems.endsOn = 'Enter the day it ends.';
    if (leaderIds.length === 0) problems.leaders = 'Choose at least one leader.';
    if (pupils.length === 0) problems.pupils = 'Add at least one pupil.';
    if (submit.invalid(problems, 'Some details are missing: see below.')) return;
    const body: NewTrip = {
      name: name.trim(),
      startsOn,
      endsOn,
      leaderIds,
      pupilIds: pupils.map((p) => p.id),
    };
    const made = await api<{ id: string }>('POST', '/api/trips', body);
    onMade(made.id);
  };
  return (
    <Form submit={submit} onSubmit={make} className="card stack-tight" aria-label="New trip">
      <h2>New trip</h2>
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
      <FormError />
      <SubmitButton>Create trip</SubmitButton>
    </Form>
  );
}

export default function TripsPage() {
  const session = useSession();
  const navigate = useNavigate();
  const trips = useLoad<TripList>('/api/trips');
  const manages = (session.capabilitiesWhenElevated ?? []).includes('parents');
  return (
    <>
      <PageHeading title="Trips">Trips</PageHeading>
      <Loaded state={trips}>
        {(d) =>
          d.items.length === 0 ? (
            <p>No trips.</p>
          ) : (
            <ul className="stack-tight">
              {d.items.map((trip) => (
                <li key={trip.id}>
                  <Link to={`/trips/${trip.id}`}>{trip.name}</Link> — {trip.startsOn} to{' '}
                  {trip.endsOn}, {trip.pupils} pupils
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
      {manages && <NewTripForm onMade={(id) => void navigate(`/trips/${id}`)} />}
    </>
  );
}
