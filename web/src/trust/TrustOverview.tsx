// "Trust overview" (issue 20): each figure as a table — one column per sharing school, then the
// total across them — with the suppression marks the server put in ("<5", "[c]"); when the
// period the figures cover (closed months only: each is computed once and never again, so there is
// no "compute again" button), the schools that do not share, and the grants this member holds.
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import type { HeldGrants, TrustOverview } from '../../../src/shared/schemas/trust.ts';
import type { PackTable } from '../../../src/shared/schemas/reports.ts';
import { formatWhen } from '../lib/format.ts';
import { Button } from '../ui/Button.tsx';
import { useTrustLoad } from './api.ts';

const STATE_NAMES = { active: 'Active', expired: 'Expired', revoked: 'Revoked' } as const;

export function TrustOverviewPage() {
  const overview = useTrustLoad<TrustOverview>('/api/trust/overview');
  const grants = useTrustLoad<HeldGrants>('/api/trust/grants');
  useEffect(() => {
    document.title = 'Trust overview – Lantern';
  }, []);
  const monthOf = (day: string) =>
    new Date(`${day}T12:00:00Z`).toLocaleDateString('en-GB', {
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    });
  return (
    <>
      <h1 className="page-title">Trust overview</h1>
      {overview.status === 'loading' && <p role="status">Loading the figures…</p>}
      {overview.status === 'error' && (
        <p className="message message-error" role="alert">
          {overview.message}
        </p>
      )}
      {overview.status === 'ok' && (
        <>
          <p>
            {overview.data.asOf && overview.data.schools[0]
              ? `Figures for ${monthOf(
                  overview.data.schools.map((s) => s.to).sort()[0]!,
                )}, to the end of the month: the last whole month only, each month counted once and never again (computed ${formatWhen(overview.data.asOf)}).`
              : 'No school shares its figures with the trust yet (or none has a whole month yet).'}{' '}
            Any count from 1 to 4 is shown as “&lt;5”, and a total that would give one away as
            “[c]”.
          </p>
          {overview.data.notSharing.length > 0 && (
            <p>Not sharing their figures: {overview.data.notSharing.join(', ')}.</p>
          )}
          {overview.data.tables.map((t) => (
            <FigureTable key={t.id} table={t} />
          ))}
        </>
      )}
      <section aria-labelledby="held-heading" className="stack">
        <h2 id="held-heading">Access to records given to you</h2>
        {grants.status === 'loading' && <p role="status">Loading…</p>}
        {grants.status === 'error' && (
          <p className="message message-error" role="alert">
            {grants.message}
          </p>
        )}
        {grants.status === 'ok' &&
          (grants.data.items.length === 0 ? (
            <p>No school has given you access to records.</p>
          ) : (
            <ul className="stack plain-list">
              {grants.data.items.map((g) => (
                <li key={g.id} className="card">
                  <p>
                    {g.state === 'active' ? (
                      <Link to={`/trust/grants/${g.id}`}>
                        {g.school}:{' '}
                        {g.scope === 'pupil' ? 'one pupil’s record' : 'the school’s records'}
                      </Link>
                    ) : (
                      <>
                        {g.school}:{' '}
                        {g.scope === 'pupil' ? 'one pupil’s record' : 'the school’s records'}
                      </>
                    )}
                  </p>
                  <p>
                    {STATE_NAMES[g.state]}; {g.state === 'expired' ? 'expired' : 'expires'}{' '}
                    {formatWhen(g.expiresAt)}
                  </p>
                </li>
              ))}
            </ul>
          ))}
      </section>
    </>
  );
}

export function FigureTable({ table }: { table: PackTable }) {
  const [expanded, setExpanded] = useState(false);
  const head = table.columns;
  return (
    <section className="stack" aria-label={table.title}>
      <div
        className="trust-table-wrap"
        role="region"
        aria-label={`${table.title} (scrolls sideways)`}
        tabIndex={0}
      >
        <table className="trust-table">
          <caption>{table.title}</caption>
          <thead>
            <tr>
              {head.map((c, i) => (
                <th key={i} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {[...table.rows, ...(table.total ? [table.total] : [])].map((r, i) => (
              <tr key={i}>
                <th scope="row">{r.label}</th>
                {r.values.map((v, j) => (
                  <td key={j}>{v === null ? '–' : String(v)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Button variant="quiet" onPress={() => setExpanded(!expanded)} aria-expanded={expanded}>
        {expanded ? 'Hide the definition' : 'How this is counted'}
      </Button>
      {expanded && <p>{table.definition}</p>}
    </section>
  );
}
