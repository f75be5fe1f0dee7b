// The Wonde-style pull connector: pages through each endpoint with the school's token, following
// `meta.pagination.next`, writing each page to a private temporary file as it arrives (memory
// holds one page), then applies the folder through the one sync engine. The token is sent only
// to the configured origin: a `next` link elsewhere is refused.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SystemContext } from '../../core/context.ts';
import { readMisFolder } from './formats/index.ts';
import { runSync, type SyncResult } from './sync.ts';

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

export class PullError extends Error {}

async function fetchEndpoint(
  base: string,
  endpoint: string,
  token: string,
  file: string,
): Promise<void> {
  const origin = new URL(base).origin;
  const out = createWriteStream(file, { mode: 0o600 });
  const write = async (s: string): Promise<void> => {
    if (!out.write(s)) await once(out, 'drain');
  };
  try {
    await write('[');
    let next: string | null = `${base}/${endpoint}`;
    for (let page = 0; next; page++) {
      if (page >= MAX_PAGES) throw new PullError(`${endpoint}: more than ${MAX_PAGES} pages`);
      if (new URL(next).origin !== origin)
        throw new PullError(`${endpoint}: a next page on another host was refused`);
      const res = await fetch(next, {
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
      });
      if (res.status === 404 && page === 0) break;
      if (!res.ok) throw new PullError(`${endpoint}: the API answered ${res.status}`);
      const text = await res.text();
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
    out.end();
    await once(out, 'finish');
  }
}

/** Pulls every endpoint, then applies them through the door (the school, as the MIS sync). */
export async function pullAndSync(
  door: SystemContext,
  conn: { baseUrl: string; token: string },
): Promise<SyncResult> {
  const dir = await mkdtemp(join(tmpdir(), 'lantern-pull-'));
  try {
    // Fetch before the transaction opens, so no database transaction waits on the network.
    let failure: Error | null = null;
    try {
      for (const e of ENDPOINTS)
        await fetchEndpoint(conn.baseUrl, e, conn.token, join(dir, `${e}.json`));
    } catch (err) {
      failure = err instanceof Error ? err : new PullError('the pull failed');
    }
    return await runSync(
      door,
      async () => {
        if (failure) throw failure;
        return readMisFolder('wonde', dir, { kind: 'full' });
      },
      { source: 'pull', format: 'wonde' },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
