// The pull connector's settings: the API it speaks (Wonde, or Groupcall's Xporter on Demand with
// the school's establishment number and the application id), base URL, token or school secret
// (sealed with the school's data key, never returned, and sent only to the address it was given
// with), schedule (nightly at the school's hour by default, hourly, or off), last run.
import type { Tx } from '../../core/context.ts';
import { badRequest } from '../../core/errors.ts';
import { refusedAddress } from './destination.ts';
import type { ConnectorBody, ConnectorView } from '../../shared/schemas/mis.ts';

type Row = {
  format: 'wonde' | 'xporter';
  base_url: string;
  estab: string | null;
  relying_party: string | null;
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
    format: r.format,
    baseUrl: r.base_url,
    estab: r.estab,
    relyingParty: r.relying_party,
    schedule: r.schedule,
    runHour: r.run_hour,
    enabled: r.enabled,
    nextRunAt: r.next_run_at?.toISOString() ?? null,
    lastRunAt: r.last_run_at?.toISOString() ?? null,
    lastStatus: r.last_status,
  };
}

const COLS =
  'format, base_url, estab, relying_party, schedule, run_hour, enabled, next_run_at, last_run_at, last_status';

export async function getConnector(t: Tx): Promise<ConnectorView | null> {
  const [row] = await t.q<Row>(`SELECT ${COLS} FROM mis_connectors`);
  return row ? view(row) : null;
}

/**
 * Saves the connector. The token is sealed and never returned; it goes only to the address it was
 * given with: a changed address needs its own token (the saved one is never sent to a new host).
 * Outside development the address must be public https (destination.ts).
 */
export async function saveConnector(
  t: Tx,
  body: ConnectorBody,
  opts: { allowPrivate: boolean },
): Promise<ConnectorView> {
  let url: URL;
  try {
    url = new URL(body.baseUrl);
  } catch {
    throw badRequest('The base URL is not a valid URL.');
  }
  const refused = refusedAddress(url, opts.allowPrivate);
  if (refused) throw badRequest(refused);
  const baseUrl = url.toString().replace(/\/$/, '');
  const format = body.format ?? 'wonde';
  const estab = format === 'xporter' ? (body.estab?.trim() ?? '') : '';
  const relyingParty = format === 'xporter' ? (body.relyingParty?.trim() ?? '') : '';
  if (format === 'xporter' && estab === '')
    throw badRequest("Xporter needs the school's establishment number (estab).");
  if (format === 'xporter' && relyingParty === '')
    throw badRequest('Xporter needs the application id Groupcall registered (relying party).');
  const [existing] = await t.q<{ base_url: string; token: Buffer; estab: string | null }>(
    'SELECT base_url, token, estab FROM mis_connectors',
  );
  // Xporter's school secret belongs to one school at one address: a new estab needs its secret.
  if (existing && format === 'xporter' && existing.estab !== estab && !body.token)
    throw badRequest(
      "The establishment number has changed, so enter that school's secret too: a secret is " +
        'never sent for a different school.',
    );
  if (!existing && !body.token) throw badRequest('A token is needed the first time.');
  if (existing && existing.base_url !== baseUrl && !body.token) {
    throw badRequest(
      'The API address has changed, so enter the token for the new address too: the saved ' +
        'token is never sent to a different address.',
    );
  }
  const sealer = await t.sealer();
  const token = body.token
    ? sealer.seal('mis_connectors.token', t.actor.schoolId, body.token)
    : existing!.token;
  const schedule = body.schedule ?? 'nightly';
  const runHour = body.runHour ?? 2;
  const [row] = await t.q<Row>(
    `INSERT INTO mis_connectors (school_id, base_url, token, schedule, run_hour, enabled, next_run_at, updated_at,
       format, estab, relying_party)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (school_id) DO UPDATE SET base_url = EXCLUDED.base_url, token = EXCLUDED.token,
       format = EXCLUDED.format, estab = EXCLUDED.estab, relying_party = EXCLUDED.relying_party,
       schedule = EXCLUDED.schedule, run_hour = EXCLUDED.run_hour, enabled = EXCLUDED.enabled,
       next_run_at = EXCLUDED.next_run_at, updated_at = EXCLUDED.updated_at
     RETURNING ${COLS}`,
    [
      t.actor.schoolId,
      baseUrl,
      token,
      schedule,
      runHour,
      body.enabled ?? true,
      nextRun(schedule, runHour, t.now),
      t.now,
      format,
      estab === '' ? null : estab,
      relyingParty === '' ? null : relyingParty,
    ],
  );
  await t.audit({
    action: 'mis.connector_changed',
    targetType: 'school',
    targetId: t.actor.schoolId,
    details: { format, schedule, runHour, tokenChanged: body.token !== undefined },
  });
  return view(row!);
}
