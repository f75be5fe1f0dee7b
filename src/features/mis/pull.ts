// The Wonde-style pull connector: pages through each endpoint with the school's token, following
// `meta.pagination.next`, spooling each page as it arrives (memory holds one page) to a file
// encrypted under a key that lives only for the run (sealed-spool.ts: a feed is never on disk in
// clear), then applies the spool through the one sync engine. The token is sent only to the
// configured origin: a `next` link elsewhere is refused, a redirect is an error (never followed,
// so the token cannot be carried elsewhere), and outside development every connection must reach
// a public https address (destination.ts checks the resolved address as it connects).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { SchoolTx, SystemContext } from '../../core/context.ts';
import { loadMisSettings, storeCursor } from './settings.ts';
import { readMisFolder } from './formats/index.ts';
import { runSync, type SyncResult } from './sync.ts';
import { PRIVATE_REFUSED, publicOnlyLookup, refusedAddress } from './destination.ts';
import { SealedSpool, type SpoolWriter } from './sealed-spool.ts';
import { heldWaiting } from './held.ts';

const ENDPOINTS = [
  'groups',
  'students',
  'contacts',
  'employees',
  'attendance',
  'students-leaver',
  'deletions',
];
const MAX_PAGES = 100_000;
const PAGE_TIMEOUT_MS = 120_000;

export class PullError extends Error {}

export type PullOptions = { allowPrivate: boolean };

export type Page = { status: number; location: string | undefined; text: string };

/**
 * One request with the caller's credentials: no redirects followed, and a public address unless
 * allowed. A GET unless a JSON body is given (Xporter's token request is a POST).
 */
export function getPage(
  address: string,
  authorization: string,
  opts: PullOptions,
  json?: unknown,
): Promise<Page> {
  const url = new URL(address);
  const refused = refusedAddress(url, opts.allowPrivate);
  if (refused) return Promise.reject(new PullError(refused));
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const body = json === undefined ? null : Buffer.from(JSON.stringify(json));
  return new Promise<Page>((resolve, reject) => {
    const req = send(
      url,
      {
        method: body === null ? 'GET' : 'POST',
        headers: {
          ...(authorization === '' ? {} : { Authorization: authorization }),
          Accept: 'application/json',
          ...(body === null
            ? {}
            : { 'Content-Type': 'application/json', 'Content-Length': body.length }),
        },
        timeout: PAGE_TIMEOUT_MS,
        ...(opts.allowPrivate
          ? {}
          : { lookup: publicOnlyLookup((host) => new PullError(`${host}: ${PRIVATE_REFUSED}`)) }),
      },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (status >= 300 && status < 400) {
          res.resume();
          resolve({ status, location, text: '' });
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status, location, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new PullError('the API did not answer in time')));
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}

export function whereTo(location: string | undefined, from: string): string {
  try {
    return location ? ` to ${new URL(location, from).host}` : '';
  } catch {
    return '';
  }
}

async function fetchEndpoint(
  base: string,
  endpoint: string,
  query: string,
  token: string,
  out: SpoolWriter,
  opts: PullOptions,
): Promise<void> {
  const origin = new URL(base).origin;
  const write = (s: string): Promise<void> => out.write(s);
  try {
    await write('[');
    let next: string | null = `${base}/${endpoint}${query}`;
    for (let page = 0; next; page++) {
      if (page >= MAX_PAGES) throw new PullError(`${endpoint}: more than ${MAX_PAGES} pages`);
      if (new URL(next).origin !== origin)
        throw new PullError(`${endpoint}: a next page on another host was refused`);
      const res = await getPage(next, `Bearer ${token}`, opts);
      if (res.status >= 300 && res.status < 400)
        throw new PullError(
          `${endpoint}: the API answered with a redirect (${res.status})${whereTo(res.location, next)}; ` +
            'Lantern does not follow redirects, so the token goes only to the saved address. ' +
            'Set the connector to the address the MIS gives.',
        );
      if (res.status === 404 && page === 0) break;
      if (res.status < 200 || res.status >= 300)
        throw new PullError(`${endpoint}: the API answered ${res.status}`);
      const text = res.text;
      let body: { meta?: { pagination?: { next?: unknown } } };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        throw new PullError(`${endpoint} page ${page + 1}: not valid JSON`);
      }
      await write((page === 0 ? '' : ',') + text);
      const n = body.meta?.pagination?.next;
      next = typeof n === 'string' && n.length > 0 ? n : null;
    }
    await write(']');
  } finally {
    await out.close();
  }
}

/** Wonde's `updated_after` takes `YYYY-MM-DD HH:MM:SS` (UTC here). */
export function wondeTime(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

export type PullPlan = { kind: 'full' | 'delta'; since: string | null };

/**
 * Full or delta: a delta from the stored cursor (the start of the last good pull), except that
 * without a cursor, on the school's weekly full day (unless a full ran that day already) or a week
 * after the last full run, the pull is a full snapshot, which catches any drift.
 */
export async function planPull(
  t: SchoolTx,
  format: 'wonde' | 'xporter' = 'wonde',
): Promise<PullPlan> {
  const settings = await loadMisSettings(t);
  const [last] = await t.q<{ at: Date | null }>(
    `SELECT max(started_at) AS at FROM mis_sync_runs
     WHERE status = 'applied' AND kind = 'full' AND source = 'pull' AND format = $1`,
    [format],
  );
  const lastFull = last?.at ?? null;
  const day = t.now.toISOString().slice(0, 10);
  const fullDue =
    settings.cursor === null ||
    settings.cursorFormat !== format ||
    lastFull === null ||
    t.now.getTime() - lastFull.getTime() >= 7 * 24 * 3600 * 1000 ||
    (t.now.getUTCDay() === settings.fullDay && lastFull.toISOString().slice(0, 10) !== day);
  return fullDue ? { kind: 'full', since: null } : { kind: 'delta', since: settings.cursor };
}

/**
 * Pulls every endpoint (since the stored cursor, for a delta), then applies them through the door
 * (the school, as the MIS sync). After an applied run the cursor becomes this pull's start time.
 */
export async function pullAndSync(
  door: SystemContext,
  conn: { baseUrl: string; token: string },
  opts: PullOptions,
): Promise<SyncResult> {
  // A run held earlier is waiting for an administrator: pulling again would only hold another
  // (one a night), so nothing is pulled until that one is applied or discarded.
  const waiting = await door.tx(heldWaiting);
  if (waiting) return stillHeld(waiting.id, waiting.reason);
  const plan = await door.tx((t) => planPull(t, 'wonde'));
  const startedAt = new Date();
  const query = plan.since === null ? '' : `?updated_after=${encodeURIComponent(plan.since)}`;
  const spool = await SealedSpool.create('lantern-pull-');
  try {
    // Fetch before the transaction opens, so no database transaction waits on the network.
    let failure: Error | null = null;
    try {
      for (const e of ENDPOINTS)
        await fetchEndpoint(conn.baseUrl, e, query, conn.token, spool.writer(`${e}.json`), opts);
    } catch (err) {
      failure = err instanceof Error ? err : new PullError('the pull failed');
    }
    const result = await runSync(
      door,
      async () => {
        if (failure) throw failure;
        return readMisFolder('wonde', spool, { kind: plan.kind });
      },
      { source: 'pull', format: 'wonde' },
    );
    if (result.status === 'applied')
      await door.tx((t) => storeCursor(t, 'wonde', wondeTime(startedAt)));
    return result;
  } finally {
    await spool.dispose();
  }
}

export function stillHeld(runId: string, reason: string): SyncResult {
  return {
    runId,
    status: 'held',
    duplicate: true,
    added: 0,
    changed: 0,
    archived: 0,
    rejected: 0,
    marks: 0,
    conflicts: [],
    details: {},
    error: `Nothing was pulled: an earlier run is held for an administrator (${reason})`.slice(
      0,
      1000,
    ),
  };
}
