// The one place a refusal becomes an HTTP answer. A DomainError's kind maps to its status; a
// validation failure is a 400 naming the field; any other error is a plain 500 with no detail (the
// log gets an allow-list of the error's fields, never its message or bound values; the client,
// nothing).
import type { FastifyError, FastifyInstance } from 'fastify';
import { DomainError, type ErrorKind } from '../core/errors.ts';
import { DatabaseBusyError } from '../platform/db/engine.ts';
import { NoWritableHostError, PrimaryLostError } from '../platform/db/writable-host.ts';

export const STATUS_OF: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorised: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_many_attempts: 429,
  unavailable: 503,
  upstream_failed: 502,
};

/** PostgreSQL's SQLSTATE for a unique index refusing a row (both engines report it). */
const UNIQUE_VIOLATION = '23505';
/** Unique indexes over names and addresses people type, each checked before its insert. */
const NAMES_PEOPLE_CHOOSE = new Set([
  'users_email_key',
  'categories_school_name_key',
  'staff_groups_school_name',
  'referral_agencies_name_key',
]);

/** Unique indexes allowing one current version of a medical item or plan: a concurrent answer. */
const ONE_CURRENT = new Set(['medical_entries_one_current', 'medical_plans_one_replacement']);

export type ErrorBody = { error: { code: string; message: string } };

function validationMessage(err: FastifyError): string {
  const first = err.validation?.[0];
  if (!first) return 'The request was not valid.';
  const where = err.validationContext ?? 'body';
  const field = (first.instancePath || '').replace(/^\//, '').replace(/\//g, '.');
  const params: Record<string, unknown> = first.params;
  if (first.keyword === 'required' && typeof params.missingProperty === 'string') {
    const missing = [field, params.missingProperty].filter(Boolean).join('.');
    return `The ${where} is missing "${missing}".`;
  }
  if (first.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    return `The ${where} has an unexpected field "${params.additionalProperty}".`;
  }
  return `The ${where} field "${field || '(root)'}" ${first.message ?? 'is not valid'}.`;
}

/** The fields of an error that never carry a value: a database error's message, detail, query
 * and bound parameters (which the embedded engine attaches) can hold what a person typed. */
const LOGGABLE = [
  'name',
  'code',
  'statusCode',
  'severity',
  'routine',
  'constraint',
  'table',
  'column',
  'schema',
  'dataType',
] as const;

/**
 * What the log may say about an unexpected error: an allow-list of fields, and the stack's frames
 * without its first line (which repeats the message). To change safely: add only fields whose
 * values come from code or the database's catalogue, never from input.
 */
export function loggableError(err: unknown): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  if (typeof err !== 'object' || err === null) return { name: typeof err };
  const e = err as Record<string, unknown>;
  for (const key of LOGGABLE) {
    const v = e[key];
    if (typeof v === 'string' || typeof v === 'number') out[key] = v;
  }
  if (typeof e.stack === 'string')
    out.stack = e.stack
      .split('\n')
      .filter((line) => /^\s+at /.test(line))
      .join('\n');
  return out;
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof DomainError) {
      if (err.retryAfterSeconds !== undefined) {
        reply.header('Retry-After', String(Math.max(1, Math.ceil(err.retryAfterSeconds))));
      }
      return reply
        .status(STATUS_OF[err.kind])
        .send({ error: { code: err.code, message: err.message } });
    }
    // A request-time statement or transaction stopped by the database's timeouts (or no free
    // connection in time): the transaction rolled back, so nothing was saved; say so and when to retry.
    if (err instanceof DatabaseBusyError) {
      return reply
        .status(503)
        .header('Retry-After', '5')
        .send({ error: { code: err.code, message: err.message } });
    }
    // A multi-host database with no writable host just now (a failover under way): nothing was
    // saved. Or its primary went away mid-request: the message says the outcome is unknown.
    if (err instanceof NoWritableHostError || err instanceof PrimaryLostError) {
      return reply
        .status(503)
        .header('Retry-After', '2')
        .send({ error: { code: err.code, message: err.message } });
    }
    if (err.validation) {
      return reply
        .status(400)
        .send({ error: { code: 'invalid', message: validationMessage(err) } });
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const message =
        err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? 'The request body is too large.'
          : err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'Send the request body as application/json.'
            : err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
              ? 'The request body is empty; send JSON.'
              : err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY'
                ? 'The request body is not valid JSON.'
                : 'The request could not be processed.';
      return reply.status(status).send({ error: { code: 'bad_request', message } });
    }
    // A unique index on a name a person chose refused a row another request had just written
    // (the checks before the insert saw nothing yet): the transaction rolled back, so say so
    // plainly. Any other unique violation (an audit chain out of step…) stays a 500.
    const dbErr = err as { code?: unknown; constraint?: unknown };
    if (
      dbErr.code === UNIQUE_VIOLATION &&
      typeof dbErr.constraint === 'string' &&
      NAMES_PEOPLE_CHOOSE.has(dbErr.constraint)
    ) {
      return reply.status(409).send({
        error: {
          code: 'conflict',
          message: 'That already exists: someone may have just saved the same. Nothing was saved.',
        },
      });
    }
    if (
      dbErr.code === UNIQUE_VIOLATION &&
      typeof dbErr.constraint === 'string' &&
      ONE_CURRENT.has(dbErr.constraint)
    ) {
      return reply.status(409).send({
        error: {
          code: 'stale',
          message:
            'Someone has just answered another version of this. Reload to see it; nothing was saved.',
        },
      });
    }
    req.log.error({ error: loggableError(err) }, 'unhandled error');
    return reply
      .status(500)
      .send({ error: { code: 'internal', message: 'Something went wrong. Nothing was saved.' } });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({
      error: {
        code: 'not_found',
        message: `No such route: ${req.method} ${req.url.split('?')[0]}`,
      },
    });
  });
}
