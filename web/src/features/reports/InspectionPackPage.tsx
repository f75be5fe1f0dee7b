// The inspection pack (issue 20), reached from Reports: for the DSL team, a sample of the case
// decisions recorded in a range with their reasons as written, the policy versions Lantern keeps,
// and the timeliness figures. Names are shown here only; the PDF carries references. The range
// and the sample live in the address, so the PDF link gives the same decisions as the screen.
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { formatWhen } from '../../lib/format.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import { Form, FormError } from '../../ui/Form.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import { DateRangeFields, rangeProblem, type DayRange } from '../../ui/DateRange.tsx';
import { StepUpSection } from '../identity/StepUpSection.tsx';
import type {
  InspectionDecision,
  InspectionPack,
  ReportTable,
} from '../../../../src/shared/schemas/reports.ts';

const TITLE = 'Inspection pack';

export function InspectionPackPage() {
  const [params, setParams] = useSearchParams();
  const applied: DayRange = { from: params.get('from') ?? '', to: params.get('to') ?? '' };
  const query = new URLSearchParams(
    Object.entries({ ...applied, sample: params.get('sample') ?? '' }).filter(([, v]) => v !== ''),
  ).toString();
  const pack = useLoad<InspectionPack>(`/api/reports/inspection-pack${query ? `?${query}` : ''}`);
  if (pack.status === 'error' && pack.code === 'step_up_required') {
    return (
      <>
        <PageHeading title={TITLE}>{TITLE}</PageHeading>
        <StepUpSection
          purpose="to open the inspection pack"
          area="Reports"
          onDone={() => void pack.reload()}
        />
      </>
    );
  }
  if (pack.status === 'error' && pack.httpStatus === 403) {
    return <LoadProblem title={TITLE} state={pack} />;
  }
  return (
    <>
      <PageHeading title={TITLE}>{TITLE}</PageHeading>
      <p className="lead">
        For an inspection: a sample of the safeguarding decisions recorded, with their reasons as
        written; the versions of the policies Lantern keeps; and how quickly referrals, alerts and
        file transfers were dealt with. Names are shown only here, to the DSL team; the PDF uses
        references instead.
      </p>
      <p>
        <Link to="/reports">Back to Reports</Link>
      </p>
      <RangeForm
        key={pack.status === 'ok' ? `${pack.data.from}/${pack.data.to}` : query}
        applied={
          pack.status === 'ok' && !applied.from
            ? { from: pack.data.from, to: pack.data.to }
            : applied
        }
        onApply={(r) =>
          setParams(new URLSearchParams(Object.entries(r).filter(([, v]) => v !== '')))
        }
      />
      {pack.status === 'loading' && <p role="status">Loading…</p>}
      {pack.status === 'error' && (
        <p className="message message-error" role="alert">
          {pack.message}
        </p>
      )}
      {pack.status === 'ok' && <Pack pack={pack.data} />}
    </>
  );
}

function RangeForm(props: { applied: DayRange; onApply: (r: DayRange) => void }) {
  const [draft, setDraft] = useState<DayRange>(props.applied);
  const submit = useSubmit();
  return (
    <Form
      submit={submit}
      onSubmit={() => {
        const wrong = rangeProblem(draft);
        if (wrong) submit.invalid({}, wrong);
        else props.onApply(draft);
      }}
      className="card stack"
      aria-label="Choose the dates"
    >
      <div className="field-row">
        <DateRangeFields idPrefix="inspection" value={draft} onChange={setDraft} />
      </div>
      <FormError />
      <div className="actions">
        <SubmitButton variant="secondary">Prepare the pack</SubmitButton>
      </div>
    </Form>
  );
}

function Pack({ pack }: { pack: InspectionPack }) {
  const pdf = `/api/reports/inspection-pack.pdf?from=${pack.from}&to=${pack.to}&sample=${pack.sample}`;
  return (
    <>
      <p>
        From {pack.from} to {pack.to}, both days included.{' '}
        <a className="button" href={pdf} download>
          Download as PDF (references, no names)
        </a>
      </p>
      <section aria-labelledby="decisions-heading" className="section card stack">
        <h2 id="decisions-heading">Decisions and their reasons</h2>
        <p>
          A sample of {pack.decisions.length} of the {pack.decisionsInRange} decisions recorded in
          the range (sample {pack.sample}).
        </p>
        {pack.decisions.length === 0 ? (
          <p>No decision was recorded in this range.</p>
        ) : (
          <ul className="stack" aria-label="Sampled decisions">
            {pack.decisions.map((d) => (
              <Decision key={d.ref} d={d} />
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="policies-heading" className="section card stack">
        <h2 id="policies-heading">Policy versions</h2>
        <p>{pack.policyNote}</p>
        <ul>
          {pack.policies.map((p) => (
            <li key={p.name}>
              {p.name}: version {p.version}
              {p.changedAt &&
                `, last changed ${formatWhen(p.changedAt)} by ${p.changedBy?.name ?? ''} (audit entry ${p.entry ?? ''})`}
            </li>
          ))}
        </ul>
      </section>
      {pack.timeliness.map((t) => (
        <Timeliness key={t.id} table={t} />
      ))}
    </>
  );
}

function Decision({ d }: { d: InspectionDecision }) {
  return (
    <li className="card stack-tight">
      <h3>
        {d.ref}: {d.decision}
      </h3>
      <p>
        <time dateTime={d.at}>{formatWhen(d.at)}</time>, by {d.decidedBy.name} ({d.decidedBy.ref}).
        Pupils: {d.pupils.map((p) => `${p.name} (${p.ref})`).join(', ') || 'none'}.
      </p>
      {d.rationale !== null && <p>Reason: {d.rationale}</p>}
      {d.outcome !== null && <p>Outcome: {d.outcome}</p>}
    </li>
  );
}

function Timeliness({ table }: { table: ReportTable }) {
  const headingId = `timeliness-${table.id}`;
  return (
    <section aria-labelledby={headingId} className="section card">
      <h2 id={headingId}>{table.title}</h2>
      <details>
        <summary>What this counts</summary>
        <p>{table.definition}</p>
      </details>
      <div className="table-scroll" role="region" aria-label={table.title} tabIndex={0}>
        <table className="records">
          <thead>
            <tr>
              {table.columns.map((c, i) => (
                <th key={c} scope="col" className={i > 0 ? 'numeric' : undefined}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {[...table.rows, ...(table.total ? [table.total] : [])].map((r) => (
              <tr key={r.label}>
                <th scope="row">{r.label}</th>
                {r.values.map((v, i) => (
                  <td key={i} className="numeric">
                    {v === null ? '–' : v}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
