// The governors' pack on the reports page: prepare one for a whole term, academic year or month
// that has ended (the server offers the periods and refuses any other range, one sharing days
// with a released pack, or a changed version of a released period), read it as governors will, and — a member of the DSL team — approve it for release; a
// released version downloads as a PDF. Each version stays as it was released.
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { formatWhen } from '../../lib/format.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { Select } from '../../ui/Field.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import type { Pack, PackList, PackSummary } from '../../../../src/shared/schemas/reports.ts';

export function GovernorsPacks() {
  const packs = useLoad<PackList>('/api/reports/governors-packs');
  const prepare = useSubmit();
  const [chosen, setChosen] = useState('');
  return (
    <section aria-labelledby="governors-packs" className="section card">
      <h2 id="governors-packs">Governors’ pack</h2>
      <p>
        The same figures for governors: counts only, no names. Any count from 1 to 4 is shown as
        “&lt;5”; where one could be worked out from a total, a count of 5 or more is hidden too,
        shown as “[c]”. A member of the DSL team prepares each version, reads it and approves it
        before anyone else can see or download it. A pack covers a whole term, academic year or
        calendar month that has ended. It never shares days with a released pack, and a further
        version of a released period is released only if its figures are exactly the same, so two
        released packs cannot be subtracted one from the other to reveal a small number. Figures for
        separate periods can still be added together by anyone who holds them.
      </p>
      {packs.status === 'ok' && packs.data.canPrepare && (
        <Form
          submit={prepare}
          onSubmit={async () => {
            const period = packs.data.periods[Number(chosen || '0')];
            if (!period) return;
            const made = await api<PackSummary>('POST', '/api/reports/governors-packs', {
              from: period.from,
              to: period.to,
            });
            await packs.reload();
            return `Version ${made.version} prepared. A member of the DSL team approves it before release.`;
          }}
          aria-label="Prepare a governors’ pack"
        >
          <Select label="Period the pack covers" value={chosen || '0'} onChange={setChosen}>
            {packs.data.periods.map((p, i) => (
              <option key={`${p.from}-${p.to}-${p.kind}`} value={String(i)}>
                {p.label}: {p.from} to {p.to}
              </option>
            ))}
          </Select>
          <FormError />
          <FormStatus submit={prepare} />
          <div className="actions">
            <SubmitButton variant="secondary">Prepare a pack</SubmitButton>
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
