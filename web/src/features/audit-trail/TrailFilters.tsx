// The filter form shared by "Who has seen this record" and the audit explorer. It edits a draft
// and applies it to the address on submit; a backwards range is refused here with the same words
// the server would use.
import { useState } from 'react';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError } from '../../ui/Form.tsx';
import { DateField, Select } from '../../ui/Field.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import { KIND_NAMES, rangeProblem, type TrailFilter } from './trail-filters.ts';

const NONE: TrailFilter = { person: '', kind: '', action: '', pupil: '', from: '', to: '' };

export function TrailFilters(props: {
  label: string;
  applied: TrailFilter;
  onApply: (f: TrailFilter) => void;
  people: { id: string; name: string }[];
  /** The explorer's event list; the pupil's log filters by kind only. */
  events?: { action: string; label: string }[];
}) {
  const [draft, setDraft] = useState<TrailFilter>(props.applied);
  const submit = useSubmit();
  const set = (patch: Partial<TrailFilter>) => setDraft({ ...draft, ...patch });
  return (
    <Form
      submit={submit}
      onSubmit={() => {
        const wrong = rangeProblem(draft);
        if (wrong) submit.invalid({}, wrong);
        else props.onApply(draft);
      }}
      className="card stack"
      aria-label={props.label}
    >
      <div className="field-row">
        <Select
          id="trail-person"
          label="Person"
          value={draft.person}
          onChange={(person) => set({ person })}
        >
          <option value="">Everyone</option>
          {props.people.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </Select>
        <Select
          id="trail-kind"
          label="Activity"
          value={draft.kind}
          onChange={(kind) => set({ kind })}
        >
          <option value="">All activity</option>
          {Object.entries(KIND_NAMES).map(([k, name]) => (
            <option key={k} value={k}>
              {name}
            </option>
          ))}
        </Select>
        {props.events && (
          <Select
            id="trail-event"
            label="Event"
            value={draft.action}
            onChange={(action) => set({ action })}
          >
            <option value="">Any event</option>
            {props.events.map((e) => (
              <option key={e.action} value={e.action}>
                {e.label}
              </option>
            ))}
          </Select>
        )}
        <DateField
          id="trail-from"
          label="From date"
          value={draft.from}
          onChange={(from) => set({ from })}
        />
        <DateField id="trail-to" label="To date" value={draft.to} onChange={(to) => set({ to })} />
      </div>
      <FormError />
      <div className="actions">
        <SubmitButton variant="secondary">Apply filters</SubmitButton>
        <Button
          variant="quiet"
          onPress={() => {
            const cleared = { ...NONE, pupil: props.applied.pupil };
            setDraft(cleared);
            props.onApply(cleared);
          }}
        >
          Clear filters
        </Button>
      </div>
    </Form>
  );
}
