// The school administrator's MIS page (issue 5): every sync run with what it added, changed,
// archived and rejected (and why a run was rejected); API keys for an integrator — a new key is
// shown once, keys are revoked here; and the pull connector's address, token and schedule.
import { useState, type FormEvent } from 'react';
import { Button, Input, Label, TextField } from 'react-aria-components';
import { api, errorMessage } from '../api.ts';
import { useLoad } from '../useLoad.ts';
import { PageHeading } from '../components/PageHeading.tsx';
import { formatWhen } from '../format.ts';

type Run = {
  id: string;
  source: string;
  format: string;
  kind: string;
  status: string;
  added: number;
  changed: number;
  archived: number;
  rejected: number;
  conflicts: unknown[];
  error: string | null;
  startedAt: string;
};
type Key = {
  id: string;
  label: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
};
type Connector = {
  baseUrl: string;
  schedule: string;
  runHour: number;
  enabled: boolean;
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastStatus: string | null;
};

function Runs() {
  const runs = useLoad<{ items: Run[] }>('/api/admin/mis/runs');
  if (runs.status === 'loading') return <p role="status">Loading…</p>;
  if (runs.status === 'error')
    return (
      <p className="message message-error" role="alert">
        {runs.message}
      </p>
    );
  if (runs.data.items.length === 0) return <p className="muted">No imports yet.</p>;
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
          {runs.data.items.map((r) => (
            <tr key={r.id}>
              <td>{formatWhen(r.startedAt)}</td>
              <td>
                {r.source} ({r.format}, {r.kind})
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
  const [reload, setReload] = useState(0);
  const keys = useLoad<{ items: Key[] }>('/api/admin/mis/keys', reload);
  const [label, setLabel] = useState('');
  const [shown, setShown] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api<{ key: string }>('POST', '/api/admin/mis/keys', { label });
      setShown(r.key);
      setLabel('');
      setReload((n) => n + 1);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const revoke = async (id: string) => {
    setError(null);
    try {
      await api('POST', `/api/admin/mis/keys/${id}/revoke`);
      setReload((n) => n + 1);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
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
                    className="button button-quiet"
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
      <form className="stack" onSubmit={(e) => void create(e)} noValidate>
        <TextField className="field" value={label} onChange={setLabel}>
          <Label className="field-label">Name of the integrator</Label>
          <Input className="input" />
        </TextField>
        <div role="alert" className={error ? 'message message-error' : 'visually-empty'}>
          {error}
        </div>
        <div className="actions">
          <Button type="submit" className="button">
            Create an API key
          </Button>
        </div>
      </form>
    </div>
  );
}

function ConnectorForm() {
  const current = useLoad<{ connector: Connector | null }>('/api/admin/mis/connector');
  if (current.status === 'loading') return <p role="status">Loading…</p>;
  if (current.status === 'error')
    return (
      <p className="message message-error" role="alert">
        {current.message}
      </p>
    );
  return <ConnectorFields initial={current.data.connector} />;
}

function ConnectorFields({ initial }: { initial: Connector | null }) {
  const [baseUrl, setBaseUrl] = useState(initial?.baseUrl ?? '');
  const [token, setToken] = useState('');
  const [schedule, setSchedule] = useState(initial?.schedule ?? 'nightly');
  const [hour, setHour] = useState(String(initial?.runHour ?? 2));
  const [saved, setSaved] = useState<Connector | null>(initial);
  const [error, setError] = useState<string | null>(null);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api<{ connector: Connector }>('PUT', '/api/admin/mis/connector', {
        baseUrl,
        schedule,
        runHour: Number(hour),
        ...(token ? { token } : {}),
      });
      setSaved(r.connector);
      setToken('');
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <form className="stack" onSubmit={(e) => void save(e)} noValidate>
      {saved && (
        <p role="status">
          Schedule: {saved.schedule}
          {saved.nextRunAt ? `, next run ${formatWhen(saved.nextRunAt)}` : ''}
          {saved.lastRunAt
            ? `, last run ${formatWhen(saved.lastRunAt)} (${saved.lastStatus ?? ''})`
            : ''}
        </p>
      )}
      <TextField className="field" value={baseUrl} onChange={setBaseUrl} type="url">
        <Label className="field-label">API address for this school</Label>
        <Input className="input" />
      </TextField>
      <TextField className="field" value={token} onChange={setToken} type="password">
        <Label className="field-label">
          {saved ? 'New token (leave empty to keep the saved one)' : 'Token'}
        </Label>
        <Input className="input" autoComplete="off" />
      </TextField>
      <div className="field">
        <label className="field-label" htmlFor="mis-schedule">
          Schedule
        </label>
        <select
          id="mis-schedule"
          className="input"
          value={schedule}
          onChange={(e) => setSchedule(e.target.value)}
        >
          <option value="nightly">Nightly</option>
          <option value="hourly">Hourly</option>
          <option value="off">Off</option>
        </select>
      </div>
      <div className="field">
        <label className="field-label" htmlFor="mis-hour">
          Hour of the nightly run (UTC)
        </label>
        <select
          id="mis-hour"
          className="input input-short"
          value={hour}
          onChange={(e) => setHour(e.target.value)}
        >
          {Array.from({ length: 24 }, (_, h) => (
            <option key={h} value={String(h)}>
              {String(h).padStart(2, '0')}:00
            </option>
          ))}
        </select>
      </div>
      <div role="alert" className={error ? 'message message-error' : 'visually-empty'}>
        {error}
      </div>
      <div className="actions">
        <Button type="submit" className="button button-primary">
          Save connector
        </Button>
      </div>
    </form>
  );
}

export function MisAdminPage() {
  return (
    <>
      <PageHeading title="MIS">MIS</PageHeading>
      <section aria-labelledby="runs-heading" className="section card">
        <h2 id="runs-heading">Imports</h2>
        <Runs />
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
