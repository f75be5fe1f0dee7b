// When the device is online: sends the offline log, then asks Lantern whether each kept bundle may
// still be opened (a revoked or expired one is wiped). Neither needs a Lantern session: the device
// proves it holds the cards with the status token given at download, on the public card routes
// (sent without cookies, so a session on the phone neither helps nor is needed).
import { api, setCsrfToken } from '../lib/api.ts';
import {
  DEVICE_EVENTS_PER_REQUEST,
  type BundleStatus,
  type DeviceEvents,
} from '../../../src/shared/trips.ts';
import { bundles, forget, pendingLog, proofOf, sent, type Stored } from './store.ts';

export async function signInState(): Promise<boolean> {
  try {
    const s = await api<{ csrfToken: string }>('GET', '/api/auth/session');
    setCsrfToken(s.csrfToken);
    return true;
  } catch {
    return false;
  }
}

/** A POST to the device's public routes: the token is the proof; no cookie is sent. */
async function devicePost<T>(bundleId: string, what: 'status' | 'events', body: object) {
  const proof = await proofOf(bundleId);
  if (!proof) return { status: 404 as const };
  const res = await fetch(
    `/api/public/schools/${proof.schoolId}/card-bundles/${bundleId}/${what}`,
    {
      method: 'POST',
      credentials: 'omit',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: proof.token, ...body }),
    },
  );
  return res.ok ? { status: 200 as const, body: (await res.json()) as T } : { status: res.status };
}

/**
 * Whether Lantern still lets these cards be opened: 'gone' when revoked, expired or unknown (they
 * are wiped), 'active', or 'unknown' when Lantern cannot be reached (offline: the PIN decides).
 */
export async function checkBundle(b: Stored): Promise<'active' | 'gone' | 'unknown'> {
  if (!navigator.onLine) return 'unknown';
  try {
    const got = await devicePost<BundleStatus>(b.id, 'status', {});
    if (got.status === 200 && got.body?.state === 'active') return 'active';
    if (got.status === 200 || got.status === 404) {
      await forget(b.id);
      return 'gone';
    }
    return 'unknown';
  } catch {
    return 'unknown';
  }
}

async function sendLog(): Promise<void> {
  const log = await pendingLog();
  const done = new Set<string>();
  for (const id of new Set(log.map((e) => e.bundleId))) {
    const mine = log.filter((e) => e.bundleId === id);
    // In chunks the server takes at once; each chunk forgotten only once the server has it.
    for (let i = 0; i < mine.length; i += DEVICE_EVENTS_PER_REQUEST) {
      const chunk = mine.slice(i, i + DEVICE_EVENTS_PER_REQUEST);
      const events: DeviceEvents['events'] = chunk.map(
        ({ id: eventId, kind, at, pupilId, reason }) => ({
          id: eventId,
          kind,
          at,
          ...(pupilId ? { pupilId } : {}),
          ...(reason ? { reason } : {}),
        }),
      );
      try {
        const got = await devicePost(id, 'events', { events });
        if (got.status !== 200) break;
        for (const e of chunk) done.add(e.id);
      } catch {
        // Kept for the next time the device is online.
        break;
      }
    }
  }
  await sent(done);
}

/** Answers the names of trips whose cards were removed (revoked or expired). */
export async function syncWithLantern(): Promise<string[]> {
  if (!navigator.onLine) return [];
  await sendLog();
  const removed: string[] = [];
  for (const b of await bundles()) {
    if ((await checkBundle(b)) === 'gone') removed.push(b.tripName);
  }
  return removed;
}
