// The parent area's own way to the server (issue 21): same-origin JSON under /api/parent/ with the
// parent's cookie (HttpOnly, path /api/parent, never read here) and the parent session's CSRF
// token on every state-changing request. Kept apart from the staff client (lib/api.ts), whose
// token it never sends or learns. Errors are the same ApiError the shared form helpers show.
import { ApiError } from '../lib/api.ts';

let csrfToken: string | null = null;
let onSignedOut: (() => void) | null = null;

export function setParentCsrf(token: string | null): void {
  csrfToken = token;
}

/** The parent app listens here: an answer was 401, so the parent's session has ended. */
export function whenParentSignedOut(listener: () => void): () => void {
  onSignedOut = listener;
  return () => {
    if (onSignedOut === listener) onSignedOut = null;
  };
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export async function parentApi<T>(
  method: Method,
  url: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  if (!url.startsWith('/api/parent/')) throw new Error('the parent app calls only /api/parent/');
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
  const data: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const e = (data as { error?: { code?: string; message?: string } } | null)?.error;
    // A wrong answer at a sign-in step (wrong_code, wrong_recovery_code, passkey_refused) is a
    // 401 while the session waiting for it lives on: only "unauthorised" means it has ended.
    const ended = (e?.code ?? 'unauthorised') === 'unauthorised';
    if (res.status === 401 && ended && url !== '/api/parent/auth/sign-in') onSignedOut?.();
    throw new ApiError(
      res.status,
      e?.code ?? 'http_error',
      e?.message ?? `Something went wrong (${res.status}).`,
    );
  }
  return data as T;
}
