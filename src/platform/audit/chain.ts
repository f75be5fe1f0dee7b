// The tamper-evident audit trail. Each school has one hash chain: entry n stores the hash of entry
// n-1 and its own hash over (previous hash || canonical JSON of its fields). The chain head row is
// locked for the transaction, so entries are strictly sequential, and the entry commits or rolls
// back with the change it records. To change safely: any new field must be added to canonical()
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

export async function appendAudit(
  tx: Queryable,
  schoolId: string,
  actor: AuditActor,
  event: AuditEvent,
  now: Date = new Date(),
): Promise<number> {
  await tx.query(
    `INSERT INTO audit_heads (school_id, seq, hash) VALUES ($1, 0, $2)
     ON CONFLICT (school_id) DO NOTHING`,
    [schoolId, GENESIS],
  );
  const [head] = await tx.query<{ seq: number; hash: Buffer }>(
    'SELECT seq, hash FROM audit_heads WHERE school_id = $1 FOR UPDATE',
    [schoolId],
  );
  if (!head) throw new Error('audit: chain head missing');
  // Millisecond precision, so the time read back hashes identically.
  const at = new Date(Math.floor(now.getTime()));
  const row = {
    school_id: schoolId,
    seq: head.seq + 1,
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
  const prev = Buffer.from(head.hash);
  const hash = entryHash(prev, row);
  await tx.query(
    `INSERT INTO audit_events (school_id, seq, at, actor_id, actor_label, action, target_type,
       target_id, ip, user_agent, details, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13)`,
    [
      row.school_id,
      row.seq,
      row.at,
      row.actor_id,
      row.actor_label,
      row.action,
      row.target_type,
      row.target_id,
      row.ip,
      row.user_agent,
      JSON.stringify(row.details),
      prev,
      hash,
    ],
  );
  await tx.query('UPDATE audit_heads SET seq = $2, hash = $3 WHERE school_id = $1', [
    schoolId,
    row.seq,
    hash,
  ]);
  return row.seq;
}
