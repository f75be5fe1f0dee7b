// The durable queue of deferred work (migration 0012): work a request asks for but must not wait
// for — an email, or the account look-up behind a "forgotten password" — so the answer takes the
// same time whatever the work turns out to be (issue 11, finding 12). Protects two things: the
// payload (an address, a link) is sealed before it reaches SQL, under a key derived from the
// master key that never leaves this process, bound to the row's id and kind; and a row is worked
// by one process at a time (claimed under a lease with FOR UPDATE SKIP LOCKED). Work is done at
// least once: a process that dies after the work but before deleting the row leaves it to be done
// again when the lease runs out, so handlers must be safe to repeat. To change safely: never put a
// payload in a column of its own, keep last_error a code (never a message, which may quote an
// address), and keep a kind's payload readable by the handler that is running when it is claimed.
import { hkdfSync, randomUUID } from 'node:crypto';
import type { Queryable } from '../db/engine.ts';
import { open, seal } from '../crypto/aead.ts';
import type { Keyring } from '../crypto/master-key.ts';
import { processKeyring, type Services } from '../services.ts';

/** A kind names its handler: lowercase words joined by dots ("mail.send"). */
export type WorkKind = `${string}.${string}`;
const KIND = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/** How long a claimed row is held before another process may take it over. */
export const LEASE_MS = 5 * 60_000;
/**
 * Rows older than this are removed whatever their state (sweepOld): work still queued after a
 * week is never going to be done — most often it is sealed under a master key no running process
 * holds any more — and would otherwise keep its sealed addresses for ever.
 */
export const KEEP_MS = 7 * 24 * 3_600_000;
/** Attempts before the work is dropped (with a log line that says what kind, never what). */
export const MAX_ATTEMPTS = 8;

/** After a failed attempt n (1-based): 15 s, 1 min, 4 min, 16 min, then hourly. */
export function backoffMs(attempt: number): number {
  return Math.min(15_000 * 4 ** Math.max(0, attempt - 1), 3_600_000);
}

/**
 * A handler's refusal: a short code for the row and the log (never a message from the mail server,
 * which may quote an address), and whether trying again could help.
 */
export class WorkFailed extends Error {
  readonly code: string;
  readonly permanent: boolean;
  constructor(code: string, opts: { permanent?: boolean } = {}) {
    super(`work failed: ${code}`);
    if (!/^[a-z0-9_]{1,40}$/.test(code)) throw new Error('WorkFailed: code must be a short code');
    this.name = 'WorkFailed';
    this.code = code;
    this.permanent = opts.permanent ?? false;
  }
}

export type WorkServices = Services;
export type WorkHandler = (payload: unknown, services: WorkServices) => Promise<void>;
export type WorkHandlers = Readonly<Record<WorkKind, WorkHandler>>;

// The master keyring services.keys reads through (services.ts processKeyring: one loader per
// configuration in this process), so the key file is read, and an old one moved, only once.
function keyring(services: Pick<Services, 'config' | 'log'>): Keyring {
  return processKeyring(services.config, services.log)();
}

/** The queue's own key under one master key: HKDF-SHA256, never stored. */
function queueKey(master: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'lantern:work-queue:v1', 32));
}
const aadOf = (id: string, kind: string) => `lantern:work-queue:${id}:${kind}`;

/** The ids of the master keys this process holds: it claims only work it can open. */
export function heldKeyIds(services: Pick<Services, 'config' | 'log'>): string[] {
  return [...keyring(services).byId.keys()];
}

/**
 * Queues work in the caller's transaction (so it is queued if and only if the change commits),
 * due now or at `notBefore`. Any transaction may queue; only the worker reads the queue.
 */
export async function enqueue(
  q: Queryable,
  services: Pick<Services, 'config' | 'log'>,
  work: { kind: WorkKind; payload: unknown; now: Date; notBefore?: Date },
): Promise<void> {
  if (!KIND.test(work.kind) || work.kind.length > 60) throw new Error('enqueue: bad kind');
  const id = randomUUID();
  const master = keyring(services).current;
  const sealed = seal(
    queueKey(master.key),
    1,
    Buffer.from(JSON.stringify(work.payload), 'utf8'),
    aadOf(id, work.kind),
  );
  await q.query(
    `INSERT INTO work_queue (id, kind, sealed, master_key_id, next_attempt_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [id, work.kind, sealed, master.id, work.notBefore ?? work.now, work.now],
  );
}

export type Claimed = { id: string; kind: string; attempts: number; payload: unknown };

/**
 * Claims up to `limit` due rows for `worker` (a lease until now + LEASE_MS), skipping rows another
 * process holds. Runs in a platform transaction. A payload that does not open is answered as
 * `payload: undefined` for the caller to drop.
 */
export async function claimDue(
  q: Queryable,
  services: Pick<Services, 'config' | 'log'>,
  p: { worker: string; now: Date; limit: number },
): Promise<Claimed[]> {
  const ring = keyring(services);
  const rows = await q.query<{
    id: string;
    kind: string;
    sealed: Buffer;
    master_key_id: string;
    attempts: number;
  }>(
    `UPDATE work_queue SET claimed_by = $1, claimed_until = $2, attempts = attempts + 1
     WHERE id IN (SELECT id FROM work_queue
                  WHERE next_attempt_at <= $3 AND (claimed_until IS NULL OR claimed_until <= $3)
                    AND master_key_id = ANY($4::text[])
                  ORDER BY next_attempt_at LIMIT $5 FOR UPDATE SKIP LOCKED)
     RETURNING id, kind, sealed, master_key_id, attempts`,
    [p.worker, new Date(p.now.getTime() + LEASE_MS), p.now, [...ring.byId.keys()], p.limit],
  );
  return rows.map((r) => {
    const master = ring.byId.get(r.master_key_id);
    let payload: unknown;
    try {
      const text = open(queueKey(master!.key), Buffer.from(r.sealed), aadOf(r.id, r.kind));
      payload = JSON.parse(text.toString('utf8')) as unknown;
    } catch {
      payload = undefined;
    }
    return { id: r.id, kind: r.kind, attempts: r.attempts, payload };
  });
}

/** The work is done (or dropped): the row goes, payload and all. */
export async function finish(q: Queryable, id: string, worker: string): Promise<void> {
  await q.query('DELETE FROM work_queue WHERE id = $1 AND claimed_by = $2', [id, worker]);
}

/** The attempt failed: free the row for another attempt at `at`, keeping only the code. */
export async function retryLater(
  q: Queryable,
  p: { id: string; worker: string; at: Date; code: string },
): Promise<void> {
  await q.query(
    `UPDATE work_queue SET claimed_by = NULL, claimed_until = NULL, next_attempt_at = $3,
       last_error = $4 WHERE id = $1 AND claimed_by = $2`,
    [p.id, p.worker, p.at, p.code],
  );
}

/**
 * Renews this worker's lease on a claimed row just before its work is run, answering false when
 * the row is no longer ours (another process took it over after our lease ran out, or it is
 * gone): the caller must then not run it.
 */
export async function renewLease(
  q: Queryable,
  p: { id: string; worker: string; now: Date },
): Promise<boolean> {
  const rows = await q.query(
    'UPDATE work_queue SET claimed_until = $3 WHERE id = $1 AND claimed_by = $2 RETURNING id',
    [p.id, p.worker, new Date(p.now.getTime() + LEASE_MS)],
  );
  return rows.length > 0;
}

/** Removes rows queued more than KEEP_MS before `now` that no process holds; answers how many. */
export async function sweepOld(q: Queryable, now: Date): Promise<number> {
  const rows = await q.query(
    `DELETE FROM work_queue WHERE created_at < $1 AND (claimed_until IS NULL OR claimed_until <= $2)
     RETURNING id`,
    [new Date(now.getTime() - KEEP_MS), now],
  );
  return rows.length;
}
