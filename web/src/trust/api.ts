// The trust area's own way to the server (issue 20): same-origin JSON under /api/trust/ with the
// trust member's cookie (HttpOnly, path /api/trust, never read here) and the trust session's CSRF
// token on every state-changing request. Kept apart from the staff and parent clients, whose
// tokens it never sends or learns. Errors are the same ApiError the shared form helpers show.
import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../lib/api.ts';

let csrfToken: string | null = null;
let onSignedOut: (() => void) | null = null;

export function setTrustCsrf(token: string | null): void {
  csrfToken = token;
}

export function whenTrustSignedOut(listener: () => void): () => void {
  onSignedOut = listener;
  return () => {
    if (onSignedOut === listener) onSignedOut = null;
  };
}

export async function trustApi<T>(
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  if (!url.startsWith('/api/trust/')) throw new Error('the trust app calls only /api/trust/');
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
    if (res.status === 401 && url !== '/api/trust/auth/sign-in') onSignedOut?.();
    throw new ApiError(
      res.status,
      e?.code ?? 'http_error',
      e?.message ?? `Something went wrong (${res.status}).`,
    );
  }
  return data as T;
}

/** One trust page's load: loading, the server's refusal, or the data; and a way to ask again. */
export type TrustLoad<T> =
  { status: 'loading' } | { status: 'error'; message: string } | { status: 'ok'; data: T };

export function useTrustLoad<T>(url: string): TrustLoad<T> & { reload: () => void } {
  const [state, setState] = useState<TrustLoad<T>>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    const ctrl = new AbortController();
    trustApi<T>('GET', url, undefined, ctrl.signal).then(
      (data) => setState({ status: 'ok', data }),
      (err: unknown) => {
        if (err instanceof DOMException && err.name === 'AbortError') return;
        setState({ status: 'error', message: err instanceof Error ? err.message : String(err) });
      },
    );
    return () => ctrl.abort();
  }, [url, attempt]);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { ...state, reload };
}
