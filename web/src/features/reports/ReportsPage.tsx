// Reports (issue 20): the school's figures for a range of days, each with what it counts written
// beside it, a chart and the exact table, and the same as CSV or PDF. The range lives in the
// address, so a report can be bookmarked or sent to a colleague (who sees only what they may).
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import { Form, FormError } from '../../ui/Form.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import { DateRangeFields, rangeProblem, type DayRange } from '../../ui/DateRange.tsx';
import { StepUpSection } from '../identity/StepUpSection.tsx';
import type { Report, ReportTable } from '../../../../src/shared/schemas/reports.ts';
import { ReportChart } from './ReportChart.tsx';
import { GovernorsPacks } from './GovernorsPacks.tsx';

const TITLE = 'Reports';

export function ReportsPage() {
  const [params, setParams] = useSearchParams();
  const applied: DayRange = { from: params.get('from') ?? '', to: params.get('to') ?? '' };
  const query = new URLSearchParams(Object.entries(applied).filter(([, v]) => v !== '')).toString();
  const report = useLoad<Report>(`/api/reports${query ? `?${query}` : ''}`);
  if (report.status === 'error' && report.code === 'step_up_required') {
    return (
      <>
        <PageHeading title={TITLE}>{TITLE}</PageHeading>
        <StepUpSection
          purpose="to open the reports"
          area="Reports"
          onDone={() => void report.reload()}
        />
      </>
    );
  }
  if (report.status === 'error' && report.httpStatus === 403) {
    return <LoadProblem title={TITLE} state={report} />;
  }
  return (
    <>
      <PageHeading title={TITLE}>{TITLE}</PageHeading>
      <p className="lead">
        Figures about the school’s safeguarding work. Each says what it counts; only records you may
        see are counted, and no pupil is named.
      </p>
      <RangeForm
        key={report.status === 'ok' ? `${report.data.from}/${report.data.to}` : query}
        applied={
          report.status === 'ok' && !applied.from
            ? { from: report.data.from, to: report.data.to }
            : applied
        }
        onApply={(r) =>
          setParams(new URLSearchParams(Object.entries(r).filter(([, v]) => v !== '')))
        }
      />
      {report.status === 'loading' && <p role="status">Loading…</p>}
      {report.status === 'error' && (
        <p className="message message-error" role="alert">
          {report.message}
        </p>
      )}
      {report.status === 'ok' && <Figures report={report.data} />}
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
        <DateRangeFields idPrefix="report" value={draft} onChange={setDraft} />
      </div>
      <FormError />
      <div className="actions">
        <SubmitButton variant="secondary">Show figures</SubmitButton>
      </div>
    </Form>
  );
}

function Figures({ report }: { report: Report }) {
  const range = `from=${report.from}&to=${report.to}`;
  return (
    <>
      <p>
        From {report.from} to {report.to}, both days included.{' '}
        <a className="button" href={`/api/reports/export.csv?${range}`} download>
          Download as CSV
        </a>{' '}
        <a className="button" href={`/api/reports/export.pdf?${range}`} download>
          Download as PDF
        </a>{' '}
        {report.allowed?.includes('inspection_pack') && (
          <a className="button" href={`/api/reports/la-return.csv?${range}`} download>
            Local-authority return (CSV)
          </a>
        )}
      </p>
      {report.allowed?.includes('inspection_pack') && (
        <p>
          <Link to={`/reports/inspection-pack?${range}`}>Inspection pack</Link>: a sample of case
          decisions with their reasons, policy versions and timeliness, for the DSL team.
        </p>
      )}
      {report.withheld.map((w) => (
        <p key={w} className="muted">
          {w}
        </p>
      ))}
      {report.tables.map((t) => (
        <Figure key={t.id} table={t} />
      ))}
      <GovernorsPacks />
    </>
  );
}

function Figure({ table }: { table: ReportTable }) {
  const headingId = `figure-${table.id}`;
  const rows = table.total ? [...table.rows, table.total] : table.rows;
  const empty = table.rows.length === 0;
  return (
    <section aria-labelledby={headingId} className="section card">
      <h2 id={headingId}>{table.title}</h2>
      <details>
        <summary>What this counts</summary>
        <p>{table.definition}</p>
      </details>
      {empty ? (
        <p>Nothing to count in this range.</p>
      ) : (
        <>
          {table.chart !== 'none' && <ReportChart table={table} />}
          <div
            className="table-scroll"
            role="region"
            aria-label={`${table.title}, as a table`}
            tabIndex={0}
          >
            <table className="records">
              <caption className="visually-hidden">{table.title}</caption>
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
                {rows.map((r) => (
                  <tr key={r.label}>
                    <th scope="row">{r.label}</th>
                    {r.values.map((v, i) => (
                      <td key={i} className="numeric">
                        {v === null ? '–' : v.toLocaleString('en-GB')}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
