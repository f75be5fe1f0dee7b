// The browser's only way to the server. Every request is same-origin JSON with the session cookie
// (HttpOnly, so never read here); state-changing requests carry the CSRF token the session gave us.
// Errors come back as ApiError with the server's code and its human message, which the pages show.

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let csrfToken: string | null = null;
let lastAnswerAt = Date.now();

/** When the server last answered a signed-in request (each one restarts its idle clock). */
export function lastActivity(): number {
  return lastAnswerAt;
}

let onSignedOut: (() => void) | null = null;

/** The session provider listens here: a load answered 401, so the session has ended. */
export function whenSignedOut(listener: () => void): () => void {
  onSignedOut = listener;
  return () => {
    if (onSignedOut === listener) onSignedOut = null;
  };
}

export function signedOut(): void {
  onSignedOut?.();
}

/** Remembered from the session answer; sent back on every state-changing request. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

function isErrorBody(v: unknown): v is { error: { code: string; message: string } } {
  if (typeof v !== 'object' || v === null || !('error' in v)) return false;
  const e = v.error;
  return typeof e === 'object' && e !== null && 'message' in e;
}

export async function api<T>(
  method: Method,
  url: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'Lantern could not be reached. Check your connection.');
  }
  if (res.status !== 401) lastAnswerAt = Date.now();
  if (res.status === 204) return undefined as T;
  const data: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    if (isErrorBody(data)) throw new ApiError(res.status, data.error.code, data.error.message);
    throw new ApiError(res.status, 'http_error', `Something went wrong (${res.status}).`);
  }
  return data as T;
}

/**
 * Sends a file as raw bytes (the vault's only upload format), with the CSRF token. Its name goes
 * percent-encoded in the X-File-Name header, never in the URL (a name is as sensitive as the file).
 */
export async function uploadFile<T>(url: string, file: File): Promise<T> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Content-Type': 'application/octet-stream',
    'X-File-Name': encodeURIComponent(file.name),
  };
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers, credentials: 'same-origin', body: file });
  } catch {
    throw new ApiError(0, 'network', 'Lantern could not be reached. Check your connection.');
  }
  if (res.status !== 401) lastAnswerAt = Date.now();
  const data: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    if (isErrorBody(data)) throw new ApiError(res.status, data.error.code, data.error.message);
    if (res.status === 413) throw new ApiError(413, 'too_large', 'The file is too large.');
    throw new ApiError(res.status, 'http_error', `Something went wrong (${res.status}).`);
  }
  return data as T;
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : 'Something went wrong.';
}

/**
 * Posts JSON (with the CSRF token) for a file, and hands it to the browser to save as `name` (or
 * the server's name): for a download that must not put its key in the address (the school's
 * export, offered once with a token).
 */
export async function downloadPosted(url: string, body: unknown, name?: string): Promise<void> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers,
      credentials: 'same-origin',
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'Lantern could not be reached. Check your connection.');
  }
  if (res.status !== 401) lastAnswerAt = Date.now();
  if (!res.ok) {
    const data: unknown = await res.json().catch(() => null);
    if (isErrorBody(data)) throw new ApiError(res.status, data.error.code, data.error.message);
    throw new ApiError(res.status, 'http_error', `Something went wrong (${res.status}).`);
  }
  const given = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1];
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name ?? given ?? 'download';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}
