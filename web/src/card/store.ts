// What the device keeps (issue 21): each downloaded bundle, still encrypted, with its key wrapped
// under the PIN and the device key (crypto.ts: the device key itself is in its own IndexedDB
// database, not extractable), and the log of what happened offline (cards opened, refusals)
// waiting to be sent. Kept in IndexedDB, not local storage: a trip's bundle carries photos and
// plan documents (up to 2 MiB each), and local storage's ~5 MB per origin was shared by every
// trip on the phone. The browser is asked to keep this storage (navigator.storage.persist), so
// it is not cleared to free space while the cards are needed. Nothing here opens without the PIN
// and the device key; nothing decrypted is ever written.
import type { CardBundle } from '../../../src/shared/trips.ts';
import { dropDeviceKey, type WrappedKey } from './crypto.ts';

export type Stored = CardBundle & { key: WrappedKey; failures: number };
export type LogEntry = {
  /** Random: the server records an event once, however often it is sent. */
  id: string;
  bundleId: string;
  kind: 'viewed' | 'refused';
  at: string;
  pupilId?: string;
  reason?: 'expired' | 'revoked' | 'wrong_pin' | 'locked';
};
/** Each bundle's status token, kept until its log is sent even after the cards are wiped. */
export type DeviceProof = { bundleId: string; schoolId: string; token: string };
/** Wrong PINs before the device wipes the cards (they can be downloaded again with Lantern). */
export const MAX_PIN_ATTEMPTS = 5;

const DB = 'lantern-card-bundles';
const BUNDLES = 'bundles';
const LOG = 'log';
const PROOFS = 'proofs';
type StoreName = typeof BUNDLES | typeof LOG | typeof PROOFS;
/** Where an earlier version of this app kept the same things (moved once, then removed). */
const LEGACY = {
  [BUNDLES]: 'lantern.cards.bundles',
  [LOG]: 'lantern.cards.log',
  [PROOFS]: 'lantern.cards.proofs',
} as const;

function legacy<T>(key: string): T[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(key) ?? '[]');
    return Array.isArray(v) ? (v as T[]) : [];
  } catch {
    return [];
  }
}

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      db.createObjectStore(BUNDLES, { keyPath: 'id' });
      db.createObjectStore(LOG, { keyPath: 'id' });
      db.createObjectStore(PROOFS, { keyPath: 'bundleId' });
      // Cards kept by the earlier version move in the same upgrade: all or nothing.
      const tx = req.transaction!;
      for (const b of legacy<Stored>(LEGACY[BUNDLES])) tx.objectStore(BUNDLES).put(b);
      for (const e of legacy<LogEntry>(LEGACY[LOG])) {
        if (typeof e.id === 'string') tx.objectStore(LOG).put(e);
      }
      for (const p of legacy<DeviceProof>(LEGACY[PROOFS])) tx.objectStore(PROOFS).put(p);
    };
    req.onsuccess = () => {
      try {
        for (const key of Object.values(LEGACY)) localStorage.removeItem(key);
      } catch {
        // Local storage refused: nothing was there to move.
      }
      resolve(req.result);
    };
    req.onerror = () => reject(req.error ?? new Error('IndexedDB refused'));
  });
}

/** Runs `work` in one transaction over `stores`; resolves once it has committed. */
async function inTransaction<T>(
  stores: StoreName[],
  mode: IDBTransactionMode,
  work: (tx: IDBTransaction) => () => T,
): Promise<T> {
  const db = await openDatabase();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(stores, mode);
      const result = work(tx);
      tx.oncomplete = () => resolve(result());
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB refused'));
      // A full disk aborts the transaction (QuotaExceededError) without an error event on it.
      tx.onabort = () => reject(tx.error ?? new DOMException('Storage full', 'QuotaExceededError'));
    });
  } finally {
    db.close();
  }
}

const all = <T>(tx: IDBTransaction, store: StoreName) => {
  const r = tx.objectStore(store).getAll() as IDBRequest<T[]>;
  return () => r.result;
};

export const bundles = (): Promise<Stored[]> =>
  inTransaction([BUNDLES], 'readonly', (tx) => all<Stored>(tx, BUNDLES));

/**
 * Keeps a bundle, replacing any earlier one for the same trip, with its status token, in one
 * transaction: on a full phone nothing changes and this rejects. The replaced cards' device keys
 * go once the new bundle is written.
 */
export async function keep(b: Stored): Promise<void> {
  const replaced = await inTransaction([BUNDLES, PROOFS], 'readwrite', (tx) => {
    const store = tx.objectStore(BUNDLES);
    const gone: string[] = [];
    const cursor = store.openCursor();
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (!c) {
        store.put(b);
        return;
      }
      const x = c.value as Stored;
      if (x.id !== b.id && x.tripId === b.tripId) {
        gone.push(x.id);
        c.delete();
      }
      c.continue();
    };
    const proofs = tx.objectStore(PROOFS);
    const had = proofs.get(b.id);
    had.onsuccess = () => {
      if (!had.result) proofs.put({ bundleId: b.id, schoolId: b.schoolId, token: b.statusToken });
    };
    return () => gone;
  });
  for (const id of replaced) await dropDeviceKey(id).catch(() => undefined);
  // Ask the browser not to clear the cards to free space (granted or not, they are kept).
  await navigator.storage?.persist?.().catch(() => false);
}

export const proofOf = (bundleId: string): Promise<DeviceProof | undefined> =>
  inTransaction([PROOFS], 'readonly', (tx) => {
    const r = tx.objectStore(PROOFS).get(bundleId) as IDBRequest<DeviceProof | undefined>;
    return () => r.result;
  });

/** Wipes a bundle and its device key: a copy of the wrapped key taken earlier never opens again. */
export async function forget(id: string): Promise<void> {
  try {
    await inTransaction([BUNDLES], 'readwrite', (tx) => {
      tx.objectStore(BUNDLES).delete(id);
      return () => undefined;
    });
  } finally {
    await dropDeviceKey(id).catch(() => undefined);
  }
}

/** Records what happened on the device; never fails the card's opening (storage full: dropped). */
export async function log(entry: Omit<LogEntry, 'at' | 'id'>): Promise<void> {
  const e: LogEntry = { ...entry, id: crypto.randomUUID(), at: new Date().toISOString() };
  await inTransaction([LOG], 'readwrite', (tx) => {
    tx.objectStore(LOG).put(e);
    return () => undefined;
  }).catch(() => undefined);
}

export const pendingLog = (): Promise<LogEntry[]> =>
  inTransaction([LOG], 'readonly', (tx) => all<LogEntry>(tx, LOG));

/**
 * Forgets only the entries the server answered for (anything logged meanwhile stays), and the
 * proofs no longer needed: their cards gone and their log sent.
 */
export async function sent(eventIds: ReadonlySet<string>): Promise<void> {
  await inTransaction([LOG, BUNDLES, PROOFS], 'readwrite', (tx) => {
    const log = tx.objectStore(LOG);
    for (const id of eventIds) log.delete(id);
    const left = log.getAll() as IDBRequest<LogEntry[]>;
    const kept = tx.objectStore(BUNDLES).getAllKeys();
    const proofs = tx.objectStore(PROOFS).getAll() as IDBRequest<DeviceProof[]>;
    proofs.onsuccess = () => {
      const needed = new Set([...kept.result.map(String), ...left.result.map((e) => e.bundleId)]);
      for (const p of proofs.result) {
        if (!needed.has(p.bundleId)) tx.objectStore(PROOFS).delete(p.bundleId);
      }
    };
    return () => undefined;
  });
}
