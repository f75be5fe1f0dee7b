// The school administrator's MIS page (issue 5): every sync run with what it added, changed,
// archived and rejected (and why a run was rejected); API keys for an integrator — a new key is
// shown once, keys are revoked here; and the pull connector's address, token and schedule. Since
// issue 13: held imports (MisHeld.tsx) and the school's MIS settings (MisSettingsForm.tsx).
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { formatWhen } from '../../lib/format.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { Form, FormError } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import { WhenLoaded } from '../../ui/Message.tsx';
import { HeldRuns } from './MisHeld.tsx';
import { ConnectorForm } from './MisConnectorForm.tsx';
import { MisSettingsSection } from './MisSettingsForm.tsx';
import type {
  ApiKeyList,
  CreatedApiKey,
  RunItem,
  RunList,
} from '../../../../src/shared/schemas/mis.ts';

function Runs() {
  const runs = useLoad<RunList>('/api/admin/mis/runs');
  return (
    <>
      <section aria-labelledby="held-heading" className="section card">
        <h2 id="held-heading">Imports waiting for a decision</h2>
        <HeldRuns onDecided={() => void runs.reload()} />
      </section>
      <section aria-labelledby="runs-heading" className="section card">
        <h2 id="runs-heading">Imports</h2>
        <WhenLoaded state={runs}>{(data) => <RunTable runs={data.items} />}</WhenLoaded>
      </section>
    </>
  );
}

function RunTable({ runs }: { runs: RunItem[] }) {
  if (runs.length === 0) return <p className="muted">No imports yet.</p>;
  return (
    <div className="table-scroll" role="region" aria-label="MIS sync runs" tabIndex={0}>
      <table className="table">
        <caption className="visually-hidden">MIS sync runs, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">From</th>
            <th scope="col">Result</th>
            <th scope="col">Added</th>
            <th scope="col">Changed</th>
            <th scope="col">Archived</th>
            <th scope="col">Rejected</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id}>
              <td>{formatWhen(r.startedAt)}</td>
              <td>
                {r.source} ({r.format}, {r.kind})
                {r.encoding && <div className="muted">read as {r.encoding}</div>}
              </td>
              <td>
                {r.status}
                {r.error && <div className="muted">{r.error}</div>}
                {r.conflicts.length > 0 && (
                  <div className="muted">{r.conflicts.length} kept local corrections</div>
                )}
              </td>
              <td>{r.added}</td>
              <td>{r.changed}</td>
              <td>{r.archived}</td>
              <td>{r.rejected}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Keys() {
  const keys = useLoad<ApiKeyList>('/api/admin/mis/keys');
  const [label, setLabel] = useState('');
  const [shown, setShown] = useState<string | null>(null);
  const submit = useSubmit();
  const create = async () => {
    const r = await api<CreatedApiKey>('POST', '/api/admin/mis/keys', { label });
    setShown(r.key);
    setLabel('');
    void keys.reload();
  };
  const revoke = (id: string) =>
    submit.run(async () => {
      await api('POST', `/api/admin/mis/keys/${id}/revoke`);
      void keys.reload();
    });
  return (
    <div className="stack">
      {shown && (
        <div className="message message-success" role="status">
          <p>Give this key to your integrator now. It will not be shown again.</p>
          <code aria-label="New API key">{shown}</code>
        </div>
      )}
      {keys.status === 'ok' && keys.data.items.length > 0 && (
        <ul aria-label="API keys">
          {keys.data.items.map((k) => (
            <li key={k.id}>
              <strong>{k.label}</strong> ({k.prefix}…), created {formatWhen(k.createdAt)}
              {k.lastUsedAt ? `, last used ${formatWhen(k.lastUsedAt)}` : ', never used'}
              {k.revokedAt ? (
                <>, revoked {formatWhen(k.revokedAt)}</>
              ) : (
                <>
                  {' '}
                  <Button
                    variant="quiet"
                    aria-label={`Revoke ${k.label}`}
                    onPress={() => void revoke(k.id)}
                  >
                    Revoke
                  </Button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <Form submit={submit} onSubmit={create}>
        <TextField label="Name of the integrator" value={label} onChange={setLabel} />
        <FormError />
        <div className="actions">
          <SubmitButton variant="secondary">Create an API key</SubmitButton>
        </div>
      </Form>
    </div>
  );
}

export function MisAdminPage() {
  return (
    <>
      <PageHeading title="MIS">MIS</PageHeading>
      <Runs />
      <section aria-labelledby="settings-heading" className="section card">
        <h2 id="settings-heading">MIS settings</h2>
        <MisSettingsSection />
      </section>
      <section aria-labelledby="keys-heading" className="section card">
        <h2 id="keys-heading">API keys for integrators</h2>
        <Keys />
      </section>
      <section aria-labelledby="connector-heading" className="section card">
        <h2 id="connector-heading">Nightly pull from the MIS</h2>
        <ConnectorForm />
      </section>
    </>
  );
}
