// The tamper-evident audit trail. Each school has one hash chain: entry n stores the hash of entry
// n-1 and its own hash over (previous hash || canonical JSON of its fields). The chain head row is
// locked for the rest of the transaction when entries are appended, so entries are strictly
// sequential, and they commit or roll back with the change they record. The database computes
// the hashes as they are appended (migration 0024), from the canonical JSON made here; verify.ts
// recomputes them here, so the two must agree byte for byte (chain.test.ts). To change safely: any new field must be added to canonical()
// and verify.ts together, and old entries must still verify (version the canonical form).
import { auditAppend } from '../metrics.ts';
import { createHash } from 'node:crypto';
import type { Queryable } from '../db/engine.ts';
import type { AuditActor, AuditEvent } from './catalogue.ts';

export const GENESIS = Buffer.alloc(32);

export type AuditRow = {
  school_id: string;
  seq: number;
  at: Date;
  actor_id: string | null;
  actor_label: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
  prev_hash: Buffer;
  hash: Buffer;
};

/** Stable JSON: object keys sorted, no whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .filter((k) => obj[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

type Unhashed = Omit<AuditRow, 'prev_hash' | 'hash'>;

/** The object whose canonical JSON an entry's hash covers (version 1 of the canonical form). */
function hashed(row: Unhashed): Record<string, unknown> {
  return {
    v: 1,
    school: row.school_id,
    seq: row.seq,
    at: row.at.toISOString(),
    actor: row.actor_id,
    actorLabel: row.actor_label,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    ip: row.ip,
    userAgent: row.user_agent,
    details: row.details,
  };
}

export function entryHash(prev: Buffer, row: Unhashed): Buffer {
  return createHash('sha256')
    .update(prev)
    .update(canonicalJson(hashed(row)), 'utf8')
    .digest();
}

/**
 * An entry's canonical JSON in two parts, before and after its sequence number's digits, so the
 * database can hash it once the chain head gives the number: before + String(seq) + after is
 * exactly canonicalJson(hashed(row)) (chain.test.ts).
 */
export function canonicalAroundSeq(row: Omit<Unhashed, 'seq'>): [string, string] {
  const value = hashed({ ...row, seq: 0 });
  const pairs = Object.keys(value)
    .sort()
    .filter((k) => value[k] !== undefined)
    .map((k) => ({ k, text: `${JSON.stringify(k)}:${canonicalJson(value[k])}` }));
  const at = pairs.findIndex((p) => p.k === 'seq');
  const before = pairs.slice(0, at).map((p) => `${p.text},`);
  const after = pairs.slice(at + 1).map((p) => `,${p.text}`);
  return [`{${before.join('')}"seq":`, `${after.join('')}}`];
}

/** One entry waiting to be appended: who did it, and what. */
export type PendingEntry = { actor: AuditActor; event: AuditEvent };

/**
 * Appends entries, in order, to the school's chain, and answers the last sequence number. One
 * statement whatever the number of entries (migration 0024's lantern_append_audit): it creates the
 * chain head if need be and locks it (held until the transaction ends), hashes and writes every
 * entry, and moves the head. Callers gather a transaction's entries and append them at its end
 * (core/context.ts), so the head — which serialises the school's writers — is held only from
 * this statement to the commit.
 */
export async function appendAuditEntries(
  tx: Queryable,
  schoolId: string,
  entries: readonly PendingEntry[],
  now: Date = new Date(),
): Promise<number> {
  // Millisecond precision, so the time read back hashes identically.
  const at = new Date(Math.floor(now.getTime()));
  const rows = entries.map(({ actor, event }) => ({
    school_id: schoolId,
    at,
    actor_id: actor.actorId,
    actor_label: actor.actorLabel,
    action: event.action,
    target_type: event.targetType ?? null,
    target_id: event.targetId ?? null,
    ip: actor.ip,
    user_agent: actor.userAgent ? actor.userAgent.slice(0, 500) : null,
    // A trust member's entry names them in its details, so the unusual-access scan judges it.
    details:
      actor.trustMemberId === undefined
        ? (event.details ?? {})
        : { ...event.details, trustMember: actor.trustMemberId },
  }));
  const around = rows.map(canonicalAroundSeq);
  const timer = auditAppend.startTimer();
  const [head] = await tx.query<{ seq: number }>(
    `SELECT lantern_append_audit($1, $2, $3, $4::uuid[], $5::text[], $6::text[], $7::text[],
       $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[]) AS seq`,
    [
      schoolId,
      at,
      GENESIS,
      rows.map((r) => r.actor_id),
      rows.map((r) => r.actor_label),
      rows.map((r) => r.action),
      rows.map((r) => r.target_type),
      rows.map((r) => r.target_id),
      rows.map((r) => r.ip),
      rows.map((r) => r.user_agent),
      rows.map((r) => JSON.stringify(r.details)),
      around.map((a) => a[0]),
      around.map((a) => a[1]),
    ],
  );
  timer();
  if (!head) throw new Error('audit: chain head missing');
  return Number(head.seq);
}

/** Appends one entry now (operator commands and tests; request work gathers its entries). */
export function appendAudit(
  tx: Queryable,
  schoolId: string,
  actor: AuditActor,
  event: AuditEvent,
  now: Date = new Date(),
): Promise<number> {
  return appendAuditEntries(tx, schoolId, [{ actor, event }], now);
}
