// The subject-access workbench on a request's page (issue 17): "Gather records", the items (each
// with its decision and redactions, SarItem.tsx), the second person's review, the response pack
// and the disclosure log. What may be done comes from the server's `allowed`; the page works none
// of it out. Downloads are plain links carrying ids only.
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { DateField, Select } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import {
  NOT_GATHERED,
  DISCLOSURE_METHODS,
  type DisclosureMethod,
  type Workbench,
} from '../../../../src/shared/schemas/subject-access.ts';
import { SarItem } from './SarItem.tsx';
import { formatDay } from './words.ts';

const METHOD_NAMES: Record<DisclosureMethod, string> = {
  post: 'Post',
  email: 'Email',
  in_person: 'In person',
  secure_link: 'Secure link',
};

/** A form that is one button: the server's refusal shows above it. */
function Action(p: { label: string; name: string; run: () => Promise<string> }) {
  const submit = useSubmit();
  return (
    <Form submit={submit} onSubmit={p.run} className="stack-tight" aria-label={p.name}>
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton>{p.label}</SubmitButton>
      </div>
    </Form>
  );
}

/** `onDone` reloads the request's page: a recorded disclosure is what lets it close as released. */
export function SarWorkbench({ id, onDone }: { id: string; onDone?: () => void }) {
  const url = `/api/data-protection/requests/${id}`;
  const wb = useLoad<Workbench>(`${url}/workbench`);
  if (wb.status === 'loading') return <p role="status">Loading the records…</p>;
  if (wb.status === 'error') return <p role="alert">The records could not be loaded.</p>;
  const w = wb.data;
  const reload = () => void wb.reload();
  const may = (a: Workbench['allowed'][number]) => w.allowed.includes(a);
  const current = w.packs.find((p) => p.current);
  return (
    <section className="stack" aria-labelledby="sar-records">
      <h2 id="sar-records">Records for the response</h2>
      <p className="hint">
        Gathering finds every record of the pupil, their MIS data (flags, SEN, attendance by term),
        medical information, files received, contact restrictions, consents, admissions, trips and
        the audit log. Not in the pack, sent separately on request where held (the cover letter says
        so): {NOT_GATHERED.join('; ')}.
      </p>
      <p>
        {w.gatheredAt
          ? `${w.items.length} items gathered; last gathered ${new Date(w.gatheredAt).toLocaleString('en-GB')}.`
          : 'Nothing gathered yet.'}
      </p>
      {may('gather') && (
        <Action
          label="Gather records"
          name="Gather records"
          run={async () => {
            const g = await api<{ added: number; total: number }>('POST', `${url}/gather`);
            reload();
            return `${g.added} new items gathered (${g.total} in all).`;
          }}
        />
      )}
      {w.items.map((item, i) => (
        <SarItem
          key={item.id}
          url={url}
          item={item}
          n={i + 1}
          mayEdit={may('edit')}
          onDone={reload}
        />
      ))}
      {w.items.length > 0 && (
        <section className="card stack-tight" aria-labelledby="sar-review">
          <h2 id="sar-review">Second review</h2>
          <p>
            {w.review.readyAt
              ? `Marked ready by ${w.review.readyBy ?? 'someone'}. `
              : 'Not yet marked ready for review. '}
            {w.review.approvedAt
              ? `Approved by ${w.review.approvedBy ?? 'someone'}.`
              : 'Not approved: a second person with the data-protection role must approve it before release.'}
          </p>
          {may('ready') && (
            <Action
              label="Mark ready for review"
              name="Mark ready for review"
              run={async () => {
                await api('POST', `${url}/ready`);
                reload();
                return 'Marked ready for review.';
              }}
            />
          )}
          {may('approve') && (
            <Action
              label="Approve the response"
              name="Approve the response"
              run={async () => {
                await api('POST', `${url}/approve`, { digest: w.review.digest });
                reload();
                return 'Approved.';
              }}
            />
          )}
        </section>
      )}
      {(may('pack') || w.packs.length > 0) && (
        <section className="card stack-tight" aria-labelledby="sar-packs">
          <h2 id="sar-packs">Response pack</h2>
          {may('pack') && (
            <Action
              label="Make the response pack"
              name="Make the response pack"
              run={async () => {
                await api('POST', `${url}/packs`);
                reload();
                return 'The pack was made.';
              }}
            />
          )}
          <ul>
            {w.packs.map((p) => (
              <li key={p.id}>
                Made {new Date(p.madeAt).toLocaleString('en-GB')} by {p.madeBy}
                {p.current ? '' : ' (superseded)'} · SHA-256 <code>{p.pdfSha256}</code>
                {p.current && (
                  <>
                    {' · '}
                    <a href={`${url}/packs/${p.id}/pdf`}>Download the PDF</a>
                    {' · '}
                    <a href={`${url}/packs/${p.id}/json`}>Download the JSON copy</a>
                    {' · '}
                    <a href={`${url}/packs/${p.id}/csv`}>Download the CSV index</a>
                  </>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      {may('disclose') && current && (
        <DisclosureForm
          url={url}
          packId={current.id}
          onDone={() => {
            reload();
            onDone?.();
          }}
        />
      )}
      {w.disclosures.length > 0 && (
        <section className="card" aria-labelledby="sar-log">
          <h2 id="sar-log">Disclosure log</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Sent on</th>
                <th scope="col">To</th>
                <th scope="col">How</th>
                <th scope="col">Pack SHA-256</th>
                <th scope="col">Recorded by</th>
              </tr>
            </thead>
            <tbody>
              {w.disclosures.map((d) => (
                <tr key={d.id}>
                  <td>{formatDay(d.disclosedOn)}</td>
                  <td>{d.recipient}</td>
                  <td>{METHOD_NAMES[d.method]}</td>
                  <td>
                    <code>{d.sha256}</code>
                  </td>
                  <td>{d.recordedBy}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}

function DisclosureForm(p: { url: string; packId: string; onDone: () => void }) {
  const [recipient, setRecipient] = useState('');
  const [method, setMethod] = useState<DisclosureMethod>('post');
  const [on, setOn] = useState(
    new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' }),
  );
  const submit = useSubmit<'recipient'>();
  const record = async () => {
    if (!recipient.trim()) {
      submit.invalid({ recipient: 'Say who the pack went to.' });
      return;
    }
    await api('POST', `${p.url}/disclosures`, {
      packId: p.packId,
      recipient: recipient.trim(),
      method,
      disclosedOn: on,
    });
    setRecipient('');
    p.onDone();
    return 'The disclosure was recorded.';
  };
  return (
    <Form
      submit={submit}
      onSubmit={record}
      className="card stack-tight"
      aria-label="Record the disclosure"
    >
      <h2>Record the disclosure</h2>
      <TextField
        name="recipient"
        label="Sent to"
        maxLength={500}
        value={recipient}
        onChange={setRecipient}
      />
      <Select
        name="method"
        label="How"
        value={method}
        onChange={(v) => setMethod(v as DisclosureMethod)}
      >
        {DISCLOSURE_METHODS.map((m) => (
          <option key={m} value={m}>
            {METHOD_NAMES[m]}
          </option>
        ))}
      </Select>
      <DateField name="disclosedOn" label="Sent on" value={on} onChange={setOn} />
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton>Record the disclosure</SubmitButton>
      </div>
    </Form>
  );
}
