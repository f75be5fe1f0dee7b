// What the device keeps (issue 21): each downloaded bundle, still encrypted, with its key wrapped
// under the PIN, and the log of what happened offline (cards opened, refusals) waiting to be sent.
// localStorage: the same origin only, and nothing in it opens without the PIN.
import type { CardBundle } from '../../../src/shared/trips.ts';
import type { WrappedKey } from './crypto.ts';

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

const BUNDLES = 'lantern.cards.bundles';
const LOG = 'lantern.cards.log';
/** Each bundle's status token, kept until its log is sent even after the cards are wiped. */
const PROOFS = 'lantern.cards.proofs';
export type DeviceProof = { bundleId: string; schoolId: string; token: string };
/** Wrong PINs before the device wipes the cards (they can be downloaded again with Lantern). */
export const MAX_PIN_ATTEMPTS = 5;

function read<T>(key: string): T[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(key) ?? '[]');
    return Array.isArray(v) ? (v as T[]) : [];
  } catch {
    return [];
  }
}
const write = (key: string, v: unknown[]) => localStorage.setItem(key, JSON.stringify(v));

export const bundles = () => read<Stored>(BUNDLES);
export function keep(b: Stored): void {
  write(BUNDLES, [...bundles().filter((x) => x.id !== b.id && x.tripId !== b.tripId), b]);
  if (!proofs().some((p) => p.bundleId === b.id)) {
    write(PROOFS, [...proofs(), { bundleId: b.id, schoolId: b.schoolId, token: b.statusToken }]);
  }
}
export const proofs = () => read<DeviceProof>(PROOFS);
export const proofOf = (bundleId: string) => proofs().find((p) => p.bundleId === bundleId);
export function forget(id: string): void {
  write(
    BUNDLES,
    bundles().filter((x) => x.id !== id),
  );
}
export function log(entry: Omit<LogEntry, 'at' | 'id'>): void {
  const next = [
    ...read<LogEntry>(LOG),
    { ...entry, id: crypto.randomUUID(), at: new Date().toISOString() },
  ];
  try {
    write(LOG, next);
  } catch {
    // Storage full: the card still opens; this event is not kept (the server caps a log anyway).
  }
}
/** The log, without entries from an older version of this app that had no id. */
export const pendingLog = () => read<LogEntry>(LOG).filter((e) => typeof e.id === 'string');
/** Forget only the entries the server answered for (anything logged meanwhile stays). */
export function sent(eventIds: ReadonlySet<string>): void {
  const left = read<LogEntry>(LOG).filter((e) => typeof e.id === 'string' && !eventIds.has(e.id));
  write(LOG, left);
  // A proof is no longer needed once its cards are gone and its log is sent.
  const needed = new Set([...bundles().map((b) => b.id), ...left.map((e) => e.bundleId)]);
  write(
    PROOFS,
    proofs().filter((p) => needed.has(p.bundleId)),
  );
}
