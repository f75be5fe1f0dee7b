// The Xporter on Demand pull, as Groupcall documents it (xporterdocs.groupcall.com): a school
// token from the STS (`POST {base}/api/oauth/GetToken` with the establishment number, the
// application id as `relyingParty`, the school's secret as `password` and `thirdpartyid`
// "XporterOnDemand"), sent as `Authorization: Idaas {token}`; each endpoint paged with `page` and
// `pageSize`, and asked for `changedRows` — `*` to start a changeset (the whole selection: a full
// snapshot), or the `NextChangedRows` marker the last good run received (only what changed, with
// `<Endpoint>_deleted` ids). The markers are stored only after a run is applied, so a held,
// rejected or failed run asks again from the last good point; a weekly full run (the school's
// day, as for Wonde) starts a fresh changeset to catch drift. Pages are spooled sealed, as the
// Wonde pull does, and applied through the one sync engine.
import type { SystemContext } from '../../core/context.ts';
import { loadMisSettings, storeCursor } from './settings.ts';
import { readMisFolder } from './formats/index.ts';
import { runSync, type SyncResult } from './sync.ts';
import { SealedSpool, type SpoolWriter } from './sealed-spool.ts';
import { heldWaiting } from './held.ts';
import { getPage, planPull, PullError, stillHeld, whereTo, type PullOptions } from './pull.ts';

/** The endpoints pulled, in the order the engine needs them; each with changesets. */
export const XOD_ENDPOINTS = ['Groups', 'Students', 'StudentContacts', 'Staff'] as const;
type Endpoint = (typeof XOD_ENDPOINTS)[number];
export const XOD_PAGE_SIZE = 500;
const MAX_PAGES = 10_000;

export type XporterConnection = {
  baseUrl: string;
  estab: string;
  relyingParty: string;
  /** The school's secret, issued when the school authorised the application. */
  secret: string;
  /** Rows asked for per page (XOD_PAGE_SIZE unless a test asks for fewer). */
  pageSize?: number;
};

/** The next-changes marker of each endpoint, as stored in mis_settings.cursor (JSON). */
export type XodMarkers = Partial<Record<Endpoint, string>>;

function parseMarkers(cursor: string | null): XodMarkers | null {
  if (cursor === null) return null;
  try {
    const v = JSON.parse(cursor) as unknown;
    if (typeof v !== 'object' || v === null) return null;
    const out: XodMarkers = {};
    for (const e of XOD_ENDPOINTS) {
      const m = (v as Record<string, unknown>)[e];
      if (typeof m !== 'string' || m === '') return null;
      out[e] = m;
    }
    return out;
  } catch {
    return null;
  }
}

async function schoolToken(conn: XporterConnection, opts: PullOptions): Promise<string> {
  const res = await getPage(`${conn.baseUrl}/api/oauth/GetToken`, '', opts, {
    estab: conn.estab,
    relyingParty: conn.relyingParty,
    password: conn.secret,
    thirdpartyid: 'XporterOnDemand',
  });
  if (res.status >= 300 && res.status < 400)
    throw new PullError(
      `the token service answered with a redirect (${res.status})${whereTo(res.location, conn.baseUrl)}; ` +
        'Lantern does not follow redirects. Set the connector to the address Groupcall gives.',
    );
  let body: { token?: unknown; ExceptionMessage?: unknown } = {};
  try {
    body = JSON.parse(res.text) as typeof body;
  } catch {
    // Reported below with the status.
  }
  if (res.status === 200 && typeof body.token === 'string' && body.token !== '') return body.token;
  const said = typeof body.ExceptionMessage === 'string' ? `: ${body.ExceptionMessage}` : '';
  throw new PullError(`Xporter refused a token (${res.status})${said}`.slice(0, 500));
}

type XodPage = Record<string, unknown> & { __changedRows__?: unknown };

/** The marker a page says to send next time (`__changedRows__[0].NextChangedRows`). */
function nextMarker(page: XodPage): string | null {
  const info = Array.isArray(page.__changedRows__) ? (page.__changedRows__[0] as unknown) : null;
  const next =
    typeof info === 'object' && info !== null
      ? (info as Record<string, unknown>)['NextChangedRows']
      : null;
  return typeof next === 'string' && next !== '' ? next : null;
}

/** Pages through one endpoint into the spool; returns the marker for next time. */
async function fetchEndpoint(
  conn: XporterConnection,
  endpoint: Endpoint,
  changedRows: string,
  token: string,
  out: SpoolWriter,
  opts: PullOptions,
): Promise<string | null> {
  const base = `${conn.baseUrl}/api/v1/School/${encodeURIComponent(conn.estab)}/${endpoint}/`;
  const size = conn.pageSize ?? XOD_PAGE_SIZE;
  let marker: string | null = null;
  try {
    await out.write('[');
    for (let page = 1; ; page++) {
      if (page > MAX_PAGES) throw new PullError(`${endpoint}: more than ${MAX_PAGES} pages`);
      const url =
        `${base}?changedRows=${encodeURIComponent(changedRows)}` + `&page=${page}&pageSize=${size}`;
      const res = await getPage(url, `Idaas ${token}`, opts);
      if (res.status >= 300 && res.status < 400)
        throw new PullError(
          `${endpoint}: the API answered with a redirect (${res.status})${whereTo(res.location, url)}; ` +
            'Lantern does not follow redirects, so the token goes only to the saved address.',
        );
      if (res.status < 200 || res.status >= 300)
        throw new PullError(`${endpoint}: the API answered ${res.status}`);
      let body: XodPage;
      try {
        body = JSON.parse(res.text) as XodPage;
      } catch {
        throw new PullError(`${endpoint} page ${page}: not valid JSON`);
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw new PullError(`${endpoint} page ${page}: not an Xporter response object`);
      await out.write((page === 1 ? '' : ',') + res.text);
      marker = nextMarker(body) ?? marker;
      // A page shorter than pageSize is the last (XoD pages by page/pageSize, NextUrl shows both).
      const rows = body[endpoint];
      if (!Array.isArray(rows) || rows.length < size) break;
    }
    await out.write(']');
  } finally {
    await out.close();
  }
  return marker;
}

/**
 * Pulls every endpoint (a changeset from the stored markers, or a fresh one for a full run), then
 * applies them; after an applied run, the markers each endpoint returned become the cursor.
 */
export async function pullXporterAndSync(
  door: SystemContext,
  conn: XporterConnection,
  opts: PullOptions,
): Promise<SyncResult> {
  const waiting = await door.tx(heldWaiting);
  if (waiting) return stillHeld(waiting.id, waiting.reason);
  const plan = await door.tx((t) => planPull(t, 'xporter'));
  const stored = await door.tx(async (t) => parseMarkers((await loadMisSettings(t)).cursor));
  const kind = plan.kind === 'delta' && stored !== null ? 'delta' : 'full';
  const spool = await SealedSpool.create('lantern-xod-');
  const markers: XodMarkers = {};
  try {
    let failure: Error | null = null;
    try {
      const token = await schoolToken(conn, opts);
      for (const e of XOD_ENDPOINTS) {
        const ask = kind === 'delta' ? stored![e]! : '*';
        const next = await fetchEndpoint(conn, e, ask, token, spool.writer(`${e}.json`), opts);
        if (next !== null) markers[e] = next;
      }
    } catch (err) {
      failure = err instanceof Error ? err : new PullError('the pull failed');
    }
    const result = await runSync(
      door,
      async () => {
        if (failure) throw failure;
        return readMisFolder('xporter', spool, { kind });
      },
      { source: 'pull', format: 'xporter' },
    );
    if (result.status === 'applied') {
      // Every endpoint must have said what to send next; otherwise the next run starts afresh.
      const complete = XOD_ENDPOINTS.every((e) => markers[e] !== undefined);
      await door.tx((t) => storeCursor(t, 'xporter', complete ? JSON.stringify(markers) : null));
    }
    return result;
  } finally {
    await spool.dispose();
  }
}
