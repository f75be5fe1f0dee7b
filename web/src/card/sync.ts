// When the device is online: asks Lantern whether each kept bundle may still be opened (a revoked
// or expired one is wiped), and sends the offline log. Signed out, nothing is sent and the log
// waits; the cards still open until they expire.
import { api, ApiError, setCsrfToken } from '../lib/api.ts';
import { DEVICE_EVENTS_PER_REQUEST, type BundleStatus } from '../../../src/shared/trips.ts';
import { bundles, forget, pendingLog, sent } from './store.ts';

export async function signInState(): Promise<boolean> {
  try {
    const s = await api<{ csrfToken: string }>('GET', '/api/auth/session');
    setCsrfToken(s.csrfToken);
    return true;
  } catch {
    return false;
  }
}

/** Answers the names of trips whose cards were removed (revoked or expired). */
export async function syncWithLantern(): Promise<string[]> {
  if (!navigator.onLine || !(await signInState())) return [];
  const removed: string[] = [];
  for (const b of bundles()) {
    try {
      const s = await api<BundleStatus>('GET', `/api/card-bundles/${b.id}/status`);
      if (s.state !== 'active') {
        forget(b.id);
        removed.push(b.tripName);
      }
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        forget(b.id);
        removed.push(b.tripName);
      }
    }
  }
  const log = pendingLog();
  const done = new Set<string>();
  for (const id of new Set(log.map((e) => e.bundleId))) {
    const mine = log.filter((e) => e.bundleId === id);
    // In chunks the server takes at once; each chunk forgotten only once the server has it.
    for (let i = 0; i < mine.length; i += DEVICE_EVENTS_PER_REQUEST) {
      const chunk = mine.slice(i, i + DEVICE_EVENTS_PER_REQUEST);
      const events = chunk.map(({ id: eventId, kind, at, pupilId, reason }) => ({
        id: eventId,
        kind,
        at,
        ...(pupilId ? { pupilId } : {}),
        ...(reason ? { reason } : {}),
      }));
      try {
        await api('POST', `/api/card-bundles/${id}/events`, { events });
        for (const e of chunk) done.add(e.id);
      } catch {
        // Kept for the next time the device is online (signed in as the cards' leader).
        break;
      }
    }
  }
  sent(done);
  return removed;
}
