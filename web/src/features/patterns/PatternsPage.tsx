// Pupil patterns (issue 20), for the DSL team: the school's rules ("3 records about one pupil in
// 30 days", in any or some categories) — Lantern alerts the DSL team once when a pupil matches —
// the pupils they matched lately, and the pupils whose records are rising.
import { useState } from 'react';
import { Link } from 'react-router';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { api } from '../../lib/api.ts';
import { formatWhen } from '../../lib/format.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { Checkbox } from '../../ui/Field.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import { StepUpSection } from '../identity/StepUpSection.tsx';
import type { Patterns } from '../../../../src/shared/schemas/patterns.ts';
import { RisingPupils } from './RisingPupils.tsx';

const TITLE = 'Pupil patterns';

export function PatternsPage() {
  const state = useLoad<Patterns>('/api/patterns');
  if (state.status === 'error' && state.code === 'step_up_required') {
    return (
      <>
        <PageHeading title={TITLE}>{TITLE}</PageHeading>
        <StepUpSection
          purpose="to open pupil patterns"
          area="Pupil patterns"
          onDone={() => void state.reload()}
        />
      </>
    );
  }
  if (state.status === 'error') return <LoadProblem title={TITLE} state={state} />;
  return (
    <>
      <PageHeading title={TITLE}>{TITLE}</PageHeading>
      <p className="lead">
        Lantern looks every few minutes for pupils whose records match a rule below, and alerts the
        DSL team once for each pupil while the pattern lasts.
      </p>
      {state.status === 'loading' && <p role="status">Loading…</p>}
      {state.status === 'ok' && (
        <>
          <section aria-labelledby="signals-heading" className="section">
            <h2 id="signals-heading">Matched lately</h2>
            {state.data.signals.length === 0 ? (
              <p className="muted">No pupil has matched a rule yet.</p>
            ) : (
              <ul className="stack-tight">
                {state.data.signals.map((s) => (
                  <li key={s.id}>
                    <Link to={`/pupils/${s.pupil.id}`}>{s.pupil.name}</Link>: {s.records} records
                    under “{s.rule}”{' '}
                    <span className="muted">
                      (noticed <time dateTime={s.raisedAt}>{formatWhen(s.raisedAt)}</time>)
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <RulesForm data={state.data} />
          <RisingPupils />
        </>
      )}
    </>
  );
}

type Draft = {
  key: string;
  id?: string;
  name: string;
  records: string;
  withinDays: string;
  categoryIds: string[];
  enabled: boolean;
};

let nextKey = 0;
const blank = (): Draft => ({
  key: `new-${(nextKey += 1)}`,
  name: '',
  records: '3',
  withinDays: '30',
  categoryIds: [],
  enabled: true,
});

const draftsOf = (rules: Patterns['rules']): Draft[] =>
  rules.map((r) => ({
    key: r.id,
    id: r.id,
    name: r.name,
    records: String(r.records),
    withinDays: String(r.withinDays),
    categoryIds: r.categoryIds,
    enabled: r.enabled,
  }));

function RulesForm({ data }: { data: Patterns }) {
  const [rules, setRules] = useState<Draft[]>(draftsOf(data.rules));
  const submit = useSubmit();
  const change = (i: number, patch: Partial<Draft>) =>
    setRules(rules.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <section aria-labelledby="rules-heading" className="section card">
      <h2 id="rules-heading">Rules</h2>
      <Form
        submit={submit}
        aria-label="Pattern rules"
        onSubmit={async () => {
          const problems: Record<string, string> = {};
          rules.forEach((r) => {
            if (!r.name.trim()) problems[`${r.key}-name`] = 'Give the rule a name.';
            const n = Number(r.records);
            if (!/^\d+$/.test(r.records.trim()) || n < 2 || n > 50)
              problems[`${r.key}-records`] = 'Enter a whole number from 2 to 50.';
            const d = Number(r.withinDays);
            if (!/^\d+$/.test(r.withinDays.trim()) || d < 1 || d > 365)
              problems[`${r.key}-days`] = 'Enter a whole number of days from 1 to 365.';
          });
          if (Object.keys(problems).length > 0) {
            submit.invalid(problems, 'Some rules need changing before they can be saved.');
            return;
          }
          const saved = await api<Patterns>('PUT', '/api/patterns/rules', {
            rules: rules.map((r) => ({
              ...(r.id ? { id: r.id } : {}),
              name: r.name.trim(),
              records: Number(r.records),
              withinDays: Number(r.withinDays),
              categoryIds: r.categoryIds,
              enabled: r.enabled,
            })),
          });
          // The saved rules, with the ids new ones were given: saving again keeps them.
          setRules(draftsOf(saved.rules));
          return 'Rules saved.';
        }}
      >
        {rules.length === 0 && <p className="muted">No rules yet: add one.</p>}
        {rules.map((r, i) => (
          <fieldset key={r.key} className="card stack-tight">
            <legend>{r.name.trim() || `New rule ${i + 1}`}</legend>
            <TextField
              name={`${r.key}-name`}
              label="Name"
              value={r.name}
              onChange={(name) => change(i, { name })}
            />
            <div className="field-row">
              <TextField
                name={`${r.key}-records`}
                label="Records about one pupil, at least"
                inputMode="numeric"
                inputClassName="input input-short"
                value={r.records}
                onChange={(records) => change(i, { records })}
              />
              <TextField
                name={`${r.key}-days`}
                label="Within this many days"
                inputMode="numeric"
                inputClassName="input input-short"
                value={r.withinDays}
                onChange={(withinDays) => change(i, { withinDays })}
              />
            </div>
            <details>
              <summary>
                Categories counted:{' '}
                {r.categoryIds.length === 0 ? 'any' : `${r.categoryIds.length} chosen`}
              </summary>
              <fieldset className="stack-tight">
                <legend>Count only records in these categories (none ticked: any)</legend>
                {data.categories.map((c) => (
                  <Checkbox
                    key={c.id}
                    checked={r.categoryIds.includes(c.id)}
                    onChange={(on) =>
                      change(i, {
                        categoryIds: on
                          ? [...r.categoryIds, c.id]
                          : r.categoryIds.filter((x) => x !== c.id),
                      })
                    }
                  >
                    {c.name}
                  </Checkbox>
                ))}
              </fieldset>
            </details>
            <Checkbox checked={r.enabled} onChange={(enabled) => change(i, { enabled })}>
              Rule is on
            </Checkbox>
            <div className="actions">
              <Button variant="quiet" onPress={() => setRules(rules.filter((_, j) => j !== i))}>
                Remove {r.name.trim() ? `“${r.name.trim()}”` : 'this rule'}
              </Button>
            </div>
          </fieldset>
        ))}
        <FormError />
        <FormStatus submit={submit} />
        <div className="actions">
          {rules.length < 10 && (
            <Button variant="secondary" onPress={() => setRules([...rules, blank()])}>
              Add a rule
            </Button>
          )}
          <SubmitButton>Save rules</SubmitButton>
        </div>
      </Form>
    </section>
  );
}
