// The Wonde-style pull connector's settings: base URL, token (sealed with the school's data key,
// never returned), schedule (nightly at the school's hour by default, hourly, or off), last run.
import type { Tx } from '../../core/context.ts';
import { badRequest } from '../../core/errors.ts';
import type { ConnectorBody, ConnectorView } from '../../shared/schemas/mis.ts';

type Row = {
  base_url: string;
  schedule: string;
  run_hour: number;
  enabled: boolean;
  next_run_at: Date | null;
  last_run_at: Date | null;
  last_status: string | null;
};

/** The next time a schedule falls due after `from` (UTC hours). */
export function nextRun(schedule: string, runHour: number, from: Date): Date | null {
  if (schedule === 'off') return null;
  const d = new Date(from);
  if (schedule === 'hourly') {
    d.setUTCMinutes(0, 0, 0);
    d.setUTCHours(d.getUTCHours() + 1);
    return d;
  }
  d.setUTCHours(runHour, 0, 0, 0);
  if (d <= from) d.setUTCDate(d.getUTCDate() + 1);
  return d;
}

function view(r: Row): ConnectorView {
  return {
    baseUrl: r.base_url,
    schedule: r.schedule,
    runHour: r.run_hour,
    enabled: r.enabled,
    nextRunAt: r.next_run_at?.toISOString() ?? null,
    lastRunAt: r.last_run_at?.toISOString() ?? null,
    lastStatus: r.last_status,
  };
}

const COLS = 'base_url, schedule, run_hour, enabled, next_run_at, last_run_at, last_status';

export async function getConnector(t: Tx): Promise<ConnectorView | null> {
  const [row] = await t.q<Row>(`SELECT ${COLS} FROM mis_connectors`);
  return row ? view(row) : null;
}

export async function saveConnector(t: Tx, body: ConnectorBody): Promise<ConnectorView> {
  let url: URL;
  try {
    url = new URL(body.baseUrl);
  } catch {
    throw badRequest('The base URL is not a valid URL.');
  }
  if (url.protocol !== 'https:' && url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
    throw badRequest('The base URL must use https.');
  }
  const [existing] = await t.q<{ token: Buffer }>('SELECT token FROM mis_connectors');
  if (!existing && !body.token) throw badRequest('A token is needed the first time.');
  const sealer = await t.sealer();
  const token = body.token
    ? sealer.seal('mis_connectors.token', t.actor.schoolId, body.token)
    : existing!.token;
  const schedule = body.schedule ?? 'nightly';
  const runHour = body.runHour ?? 2;
  const [row] = await t.q<Row>(
    `INSERT INTO mis_connectors (school_id, base_url, token, schedule, run_hour, enabled, next_run_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (school_id) DO UPDATE SET base_url = EXCLUDED.base_url, token = EXCLUDED.token,
       schedule = EXCLUDED.schedule, run_hour = EXCLUDED.run_hour, enabled = EXCLUDED.enabled,
       next_run_at = EXCLUDED.next_run_at, updated_at = EXCLUDED.updated_at
     RETURNING ${COLS}`,
    [
      t.actor.schoolId,
      url.toString().replace(/\/$/, ''),
      token,
      schedule,
      runHour,
      body.enabled ?? true,
      nextRun(schedule, runHour, t.now),
      t.now,
    ],
  );
  await t.audit({
    action: 'mis.connector_changed',
    targetType: 'school',
    targetId: t.actor.schoolId,
    details: { schedule, runHour, tokenChanged: body.token !== undefined },
  });
  return view(row!);
}
