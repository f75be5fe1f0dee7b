// Refusals a person can understand, free of any transport: the domain says what kind of refusal
// it is (`kind`), a stable `code` for programs and a `message` for people. The HTTP error handler
// (src/http/error-handler.ts) is the one place that turns a kind into a status; a CLI or a job
// prints the message. Anything thrown that is not a DomainError is a fault, never shown in detail.

export const ERROR_KINDS = [
  'invalid',
  'unauthorised',
  'forbidden',
  'not_found',
  'conflict',
  'too_many_attempts',
  'unavailable',
  'upstream_failed',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export class DomainError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  /** For a refusal that passes with time (too many attempts): when to try again. */
  readonly retryAfterSeconds: number | undefined;
  constructor(
    kind: ErrorKind,
    code: string,
    message: string,
    opts: { retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.kind = kind;
    this.code = code;
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }
}

export const badRequest = (message: string, code = 'bad_request') =>
  new DomainError('invalid', code, message);
export const unauthorised = (message = 'Please sign in.') =>
  new DomainError('unauthorised', 'unauthorised', message);
export const forbidden = (message = 'You do not have permission to do that.') =>
  new DomainError('forbidden', 'forbidden', message);
export const notFound = (what = 'That record') =>
  new DomainError('not_found', 'not_found', `${what} was not found.`);
export const conflict = (message: string) => new DomainError('conflict', 'conflict', message);
