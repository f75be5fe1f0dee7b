// The governors' pack on the reports page: prepare one for the dates shown (counts only, small
// numbers shown as "<5"), read it as governors will, and — a member of the DSL team — approve it
// for release; a released version downloads as a PDF. Each version stays as it was released.
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { formatWhen } from '../../lib/format.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import type { Pack, PackList, PackSummary } from '../../../../src/shared/schemas/reports.ts';

export function GovernorsPacks({ from, to }: { from: string; to: string }) {
  const packs = useLoad<PackList>('/api/reports/governors-packs');
  const prepare = useSubmit();
  return (
    <section aria-labelledby="governors-packs" className="section card">
      <h2 id="governors-packs">Governors’ pack</h2>
      <p>
        The same figures for governors: counts only, no names. Any count from 1 to 4 is shown as
        “&lt;5”; where one could be worked out from a total, a count of 5 or more is hidden too,
        shown as “[c]”. A member of the DSL team prepares each version, reads it and approves it
        before anyone else can see or download it.
      </p>
      {packs.status === 'ok' && packs.data.canPrepare && (
        <Form
          submit={prepare}
          onSubmit={async () => {
            const made = await api<PackSummary>('POST', '/api/reports/governors-packs', {
              from,
              to,
            });
            await packs.reload();
            return `Version ${made.version} prepared. A member of the DSL team approves it before release.`;
          }}
          aria-label="Prepare a governors’ pack"
        >
          <FormError />
          <FormStatus submit={prepare} />
          <div className="actions">
            <SubmitButton variant="secondary">
              Prepare a pack for {from} to {to}
            </SubmitButton>
          </div>
        </Form>
      )}
      {packs.status === 'error' && (
        <p className="message message-error" role="alert">
          {packs.message}
        </p>
      )}
      {packs.status === 'ok' &&
        (packs.data.items.length === 0 ? (
          <p>No pack has been prepared yet.</p>
        ) : (
          <ul className="stack" aria-label="Governors’ packs">
            {packs.data.items.map((p) => (
              <PackItem key={p.id} pack={p} onChanged={() => void packs.reload()} />
            ))}
          </ul>
        ))}
    </section>
  );
}

function PackItem({ pack, onChanged }: { pack: PackSummary; onChanged: () => void }) {
  const [open, setOpen] = useState(false);
  const release = useSubmit();
  return (
    <li className="card stack-tight">
      <h3>
        Version {pack.version}: {pack.from} to {pack.to}
      </h3>
      <p>
        Prepared by {pack.preparedBy}, {formatWhen(pack.preparedAt)}.{' '}
        {pack.releasedAt
          ? `Approved for release by ${pack.releasedBy ?? ''}, ${formatWhen(pack.releasedAt)}.`
          : 'Waiting for a DSL’s approval.'}
      </p>
      <div className="actions">
        <Button variant="quiet" aria-expanded={open} onPress={() => setOpen(!open)}>
          {open ? `Hide version ${pack.version}` : `Read version ${pack.version}`}
        </Button>
        {pack.allowed.download && (
          <a
            className="button"
            href={`/api/reports/governors-packs/${pack.id}/pdf`}
            download
          >{`Download version ${pack.version} as PDF`}</a>
        )}
      </div>
      {/* Approved only once read: the button is under the figures it releases. */}
      {open && <PackTables id={pack.id} />}
      {open && pack.allowed.release && (
        <Form
          submit={release}
          onSubmit={async () => {
            await api('POST', `/api/reports/governors-packs/${pack.id}/release`);
            onChanged();
          }}
          aria-label={`Approve version ${pack.version}`}
        >
          <FormError />
          <div className="actions">
            <SubmitButton>Approve version {pack.version} for release</SubmitButton>
          </div>
        </Form>
      )}
    </li>
  );
}

function PackTables({ id }: { id: string }) {
  const pack = useLoad<Pack>(`/api/reports/governors-packs/${id}`);
  if (pack.status === 'loading') return <p role="status">Loading…</p>;
  if (pack.status === 'error') {
    return (
      <p className="message message-error" role="alert">
        {pack.message}
      </p>
    );
  }
  return (
    <>
      {pack.data.tables.map((tbl) => (
        <div
          key={tbl.id}
          className="table-scroll"
          role="region"
          aria-label={`${tbl.title}, governors’ version`}
          tabIndex={0}
        >
          <table className="records">
            <caption>{tbl.title}</caption>
            <thead>
              <tr>
                {tbl.columns.map((c, i) => (
                  <th key={c} scope="col" className={i > 0 ? 'numeric' : undefined}>
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {[...tbl.rows, ...(tbl.total ? [tbl.total] : [])].map((r) => (
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
      ))}
    </>
  );
}
