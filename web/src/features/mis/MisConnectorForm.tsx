// The scheduled pull's connector on the MIS page: which API it speaks (Wonde, or Groupcall's
// Xporter on Demand with the school's establishment number and the application id), the address,
// the token or school secret (write-only: never shown again, and needed again for a new address
// or school) and the schedule. The last full and delta runs show in MIS settings above.
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { formatWhen } from '../../lib/format.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { Select } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import { WhenLoaded } from '../../ui/Message.tsx';
import type {
  ConnectorSchedule,
  ConnectorState,
  ConnectorView,
  SavedConnector,
} from '../../../../src/shared/schemas/mis.ts';

/** A word for each schedule the connector may run on (CONNECTOR_SCHEDULES, the MIS schema). */
const SCHEDULE_NAMES = {
  nightly: 'Nightly',
  hourly: 'Hourly',
  off: 'Off',
} satisfies Record<ConnectorSchedule, string>;

const FORMAT_NAMES = {
  wonde: 'Wonde',
  xporter: 'Xporter on Demand (Groupcall)',
} satisfies Record<ConnectorView['format'], string>;

export function ConnectorForm() {
  const current = useLoad<ConnectorState>('/api/admin/mis/connector');
  return (
    <WhenLoaded state={current}>
      {(data) => <ConnectorFields initial={data.connector} />}
    </WhenLoaded>
  );
}

function ConnectorFields({ initial }: { initial: ConnectorView | null }) {
  const [format, setFormat] = useState<string>(initial?.format ?? 'wonde');
  const [baseUrl, setBaseUrl] = useState(initial?.baseUrl ?? '');
  const [estab, setEstab] = useState(initial?.estab ?? '');
  const [relyingParty, setRelyingParty] = useState(initial?.relyingParty ?? '');
  const [token, setToken] = useState('');
  const [schedule, setSchedule] = useState(initial?.schedule ?? 'nightly');
  const [hour, setHour] = useState(String(initial?.runHour ?? 2));
  const [saved, setSaved] = useState<ConnectorView | null>(initial);
  const submit = useSubmit();
  const xporter = format === 'xporter';
  const save = async () => {
    const r = await api<SavedConnector>('PUT', '/api/admin/mis/connector', {
      format,
      baseUrl,
      ...(xporter ? { estab, relyingParty } : {}),
      schedule,
      runHour: Number(hour),
      ...(token ? { token } : {}),
    });
    setSaved(r.connector);
    setToken('');
  };
  const secretName = xporter ? 'school secret' : 'token';
  return (
    <Form submit={submit} onSubmit={save}>
      {saved && (
        <p role="status">
          {FORMAT_NAMES[saved.format]}, schedule: {saved.schedule}
          {saved.nextRunAt ? `, next run ${formatWhen(saved.nextRunAt)}` : ''}
          {saved.lastRunAt
            ? `, last run ${formatWhen(saved.lastRunAt)} (${saved.lastStatus ?? ''})`
            : ''}
        </p>
      )}
      <Select label="MIS API" value={format} onChange={setFormat}>
        {Object.entries(FORMAT_NAMES).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </Select>
      <TextField
        label={
          xporter
            ? 'Xporter address (e.g. https://xporter.groupcall.com)'
            : 'API address for this school'
        }
        type="url"
        value={baseUrl}
        onChange={setBaseUrl}
      />
      {xporter && (
        <>
          <TextField label="Establishment number (estab)" value={estab} onChange={setEstab} />
          <TextField
            label="Application id (relying party)"
            value={relyingParty}
            onChange={setRelyingParty}
          />
        </>
      )}
      <TextField
        label={
          saved
            ? `New ${secretName} (needed if you change the address or school; leave empty to keep the saved one)`
            : xporter
              ? 'School secret'
              : 'Token'
        }
        type="password"
        autoComplete="off"
        value={token}
        onChange={setToken}
      />
      <Select label="Schedule" value={schedule} onChange={setSchedule}>
        {Object.entries(SCHEDULE_NAMES).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </Select>
      <Select
        label="Hour of the nightly run (UTC)"
        inputClassName="input input-short"
        value={hour}
        onChange={setHour}
      >
        {Array.from({ length: 24 }, (_, h) => (
          <option key={h} value={String(h)}>
            {String(h).padStart(2, '0')}:00
          </option>
        ))}
      </Select>
      <FormError />
      <div className="actions">
        <SubmitButton>Save connector</SubmitButton>
      </div>
    </Form>
  );
}
