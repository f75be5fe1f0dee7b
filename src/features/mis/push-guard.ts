// What stands in front of `POST /api/mis/push`, an unauthenticated door that takes up to 100 MB:
// before a byte of the body is read, the caller's address and then its API key are rate-limited,
// the key is checked (401 otherwise), and a declared length over the school's limit is refused
// (413); while the body streams in, it is counted and cut off at that limit (413), so nothing
// larger than the school allows is ever held. To change safely: keep every check in onRequest
// (Fastify reads and parses the body only after it), keep the address limit before the key
// lookup, and never put the key or the body in a message or the log.
import { Transform, type Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../platform/services.ts';
import { asSystem, originOf, visitor } from '../../core/context.ts';
import { unauthorised } from '../../core/errors.ts';
import { loadMisPushLimit } from '../../core/settings.ts';
import { resolveApiKey } from './api-keys.ts';
import { TokenBuckets, type Take } from './token-bucket.ts';

/** Per address: 30 at once, then one every 2 s. Per key: 10 at once, then one every 6 s. */
export const PUSH_RATES = {
  address: { burst: 30, refillMs: 2_000 },
  key: { burst: 10, refillMs: 6_000 },
} as const;

export type PushCaller = { keyId: string; schoolId: string; limitBytes: number };

/** The body outgrew the school's limit while streaming (answered 413 by the route). */
export class PushTooLarge extends Error {
  readonly statusCode = 413;
  readonly limitBytes: number;
  constructor(limitBytes: number) {
    super('The MIS push is larger than the school accepts.');
    this.limitBytes = limitBytes;
  }
}

const MB = 1024 * 1024;

export function tooLargeMessage(limitBytes: number): string {
  const mb = Math.round((limitBytes / MB) * 10) / 10;
  return (
    `The push is larger than this school accepts (${mb} MB). Send a smaller batch (a delta, or ` +
    'fewer endpoints at a time), or ask a school administrator to raise the MIS push limit.'
  );
}

function bearer(header: string | undefined): string {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!m?.[1])
    throw unauthorised('Send the school’s MIS API key as "Authorization: Bearer <key>".');
  return m[1];
}

function refuse(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).header('Cache-Control', 'no-store').send({ error: { code, message } });
}

function tooMany(reply: FastifyReply, took: Take & { ok: false }, who: string): FastifyReply {
  return refuse(
    reply.header('Retry-After', String(took.retryAfterSeconds)),
    429,
    'too_many_requests',
    `Too many pushes from ${who}. Try again in ${took.retryAfterSeconds} seconds.`,
  );
}

export function pushGuard(services: Services, rates = PUSH_RATES) {
  const byAddress = new TokenBuckets(rates.address.burst, rates.address.refillMs);
  const byKey = new TokenBuckets(rates.key.burst, rates.key.refillMs);
  const callers = new WeakMap<FastifyRequest, PushCaller>();

  /** Runs before the body is read: rate limits, the key, and a declared length. */
  async function onRequest(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> {
    const origin = originOf(req);
    const fromAddress = byAddress.take(origin.ip ?? 'unknown');
    if (!fromAddress.ok) return tooMany(reply, fromAddress, 'this address');
    const found = await resolveApiKey(visitor(services, origin), bearer(req.headers.authorization));
    if (!found) throw unauthorised('That MIS API key is not recognised or has been revoked.');
    const withKey = byKey.take(found.keyId);
    if (!withKey.ok) return tooMany(reply, withKey, 'this API key');
    const limitBytes = await asSystem(services, found.schoolId, 'mis_api_key', found.keyId, {
      ip: origin.ip,
      userAgent: null,
    }).tx((t) => loadMisPushLimit(t.db, t.schoolId));
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limitBytes)
      return refuse(reply, 413, 'too_large', tooLargeMessage(limitBytes));
    callers.set(req, { ...found, limitBytes });
  }

  /** Counts the body as it streams and stops it at the school's limit. */
  function preParsing(
    req: FastifyRequest,
    _reply: FastifyReply,
    payload: Readable,
    done: (err: Error | null, stream?: Readable) => void,
  ): void {
    const caller = callers.get(req);
    if (!caller) return done(unauthorised());
    let received = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _enc, next) {
        received += chunk.length;
        counted.receivedEncodedLength = received;
        if (received > caller.limitBytes) next(new PushTooLarge(caller.limitBytes));
        else next(null, chunk);
      },
    }) as Transform & { receivedEncodedLength: number };
    payload.on('error', (err) => counted.destroy(err));
    done(null, payload.pipe(counted));
  }

  /** The push route's own errors; any other goes on to the app's handler. */
  function errorHandler(err: Error, _req: FastifyRequest, reply: FastifyReply): void {
    if (!(err instanceof PushTooLarge)) throw err;
    void refuse(reply, 413, 'too_large', tooLargeMessage(err.limitBytes));
  }

  /** The key's school, set by onRequest (the handler runs only after it passed). */
  function caller(req: FastifyRequest): PushCaller {
    const c = callers.get(req);
    if (!c) throw unauthorised();
    return c;
  }

  return { onRequest, preParsing, errorHandler, caller };
}
