// The tamper-evident audit trail. Each school has one hash chain: entry n stores the hash of entry
// n-1 and its own hash over (previous hash || canonical JSON of its fields). The chain head row is
// locked for the rest of the transaction when entries are appended, so entries are strictly
// sequential, and they commit or roll back with the change they record. To change safely: any new field must be added to canonical()
// and verify.ts together, and old entries must still verify (version the canonical form).
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

export function entryHash(prev: Buffer, row: Omit<AuditRow, 'prev_hash' | 'hash'>): Buffer {
  const canonical = canonicalJson({
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
  });
  return createHash('sha256').update(prev).update(canonical, 'utf8').digest();
}

/** One entry waiting to be appended: who did it, and what. */
export type PendingEntry = { actor: AuditActor; event: AuditEvent };

/**
 * Appends entries, in order, to the school's chain in one go, and answers the last sequence
 * number. Two round trips whatever the number of entries: the first creates the chain head if
 * need be and locks it (held until the transaction ends), the second writes every entry and moves
 * the head. Callers gather a transaction's entries and append them at its end (core/context.ts),
 * so the head — which serialises the school's writers — is held only from here to the commit.
 */
export async function appendAuditEntries(
  tx: Queryable,
  schoolId: string,
  entries: readonly PendingEntry[],
  now: Date = new Date(),
): Promise<number> {
  const [head] = await tx.query<{ seq: number; hash: Buffer }>(
    `INSERT INTO audit_heads AS h (school_id, seq, hash) VALUES ($1, 0, $2)
     ON CONFLICT (school_id) DO UPDATE SET seq = h.seq
     RETURNING h.seq, h.hash`,
    [schoolId, GENESIS],
  );
  if (!head) throw new Error('audit: chain head missing');
  if (entries.length === 0) return head.seq;
  // Millisecond precision, so the time read back hashes identically.
  const at = new Date(Math.floor(now.getTime()));
  let prev: Buffer = Buffer.from(head.hash);
  let seq = head.seq;
  const cols = {
    seq: [] as number[],
    actorId: [] as (string | null)[],
    actorLabel: [] as string[],
    action: [] as string[],
    targetType: [] as (string | null)[],
    targetId: [] as (string | null)[],
    ip: [] as (string | null)[],
    userAgent: [] as (string | null)[],
    details: [] as string[],
    prev: [] as Buffer[],
    hash: [] as Buffer[],
  };
  for (const { actor, event } of entries) {
    seq += 1;
    const row = {
      school_id: schoolId,
      seq,
      at,
      actor_id: actor.actorId,
      actor_label: actor.actorLabel,
      action: event.action,
      target_type: event.targetType ?? null,
      target_id: event.targetId ?? null,
      ip: actor.ip,
      user_agent: actor.userAgent ? actor.userAgent.slice(0, 500) : null,
      details: event.details ?? {},
    };
    const hash = entryHash(prev, row);
    cols.seq.push(seq);
    cols.actorId.push(row.actor_id);
    cols.actorLabel.push(row.actor_label);
    cols.action.push(row.action);
    cols.targetType.push(row.target_type);
    cols.targetId.push(row.target_id);
    cols.ip.push(row.ip);
    cols.userAgent.push(row.user_agent);
    cols.details.push(JSON.stringify(row.details));
    cols.prev.push(prev);
    cols.hash.push(hash);
    prev = hash;
  }
  await tx.query(
    `WITH entry AS (
       INSERT INTO audit_events (school_id, seq, at, actor_id, actor_label, action, target_type,
         target_id, ip, user_agent, details, prev_hash, hash)
       SELECT $1, e.seq, $2, e.actor_id, e.actor_label, e.action, e.target_type, e.target_id,
              e.ip, e.user_agent, e.details::jsonb, e.prev_hash, e.hash
       FROM unnest($3::int[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[],
                   $9::text[], $10::text[], $11::text[], $12::bytea[], $13::bytea[])
         AS e(seq, actor_id, actor_label, action, target_type, target_id, ip, user_agent,
              details, prev_hash, hash)
       RETURNING 1)
     UPDATE audit_heads SET seq = $14, hash = $15
     WHERE school_id = $1 AND (SELECT count(*) FROM entry) = $16`,
    [
      schoolId,
      at,
      cols.seq,
      cols.actorId,
      cols.actorLabel,
      cols.action,
      cols.targetType,
      cols.targetId,
      cols.ip,
      cols.userAgent,
      cols.details,
      cols.prev,
      cols.hash,
      seq,
      prev,
      entries.length,
    ],
  );
  return seq;
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
