// The one way a page loads data. `useLoad(url)` fetches JSON and aborts when the page goes or the
// address changes; `useLoad([url, …])` fetches several together. A new address (or a new
// `reloadOn` value) starts afresh from 'loading'. `reload()` asks again in place: what is shown
// stays until the new answer arrives, so nothing on the page is unmounted and nothing typed is
// lost (after an error there is nothing to keep, and 'loading' shows). A 401 means the session
// has ended: the session provider is told, and shows the sign-in page.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, errorMessage, isAbort, signedOut } from './api.ts';

export type Loaded<T> =
  | { status: 'loading' }
  | { status: 'error'; message: string; code: string; httpStatus: number }
  | { status: 'ok'; data: T };

/** What a load shows now, and a way to ask again (resolved once the answer is shown). */
export type Load<T> = Loaded<T> & { reload: () => Promise<void> };

export type LoadOptions = {
  /** Load afresh when this changes, as for a new address (the session stepping up, say). */
  reloadOn?: string | number | boolean | null;
};

type Held = { key: string; attempt: number; result: Loaded<unknown> };

export function useLoad<T>(url: string | null, options?: LoadOptions): Load<T>;
export function useLoad<T>(urls: readonly string[], options?: LoadOptions): Load<T[]>;
export function useLoad<T>(
  source: string | readonly string[] | null,
  options: LoadOptions = {},
): Load<T> | Load<T[]> {
  const key = source === null ? null : JSON.stringify([source, options.reloadOn ?? null]);
  const [attempt, setAttempt] = useState(0);
  const [held, setHeld] = useState<Held | null>(null);
  const waiting = useRef<(() => void)[]>([]);
  const loading = key !== null;

  useEffect(() => {
    if (key === null) return;
    const [what] = JSON.parse(key) as [string | string[]];
    const ctrl = new AbortController();
    const settle = (result: Loaded<unknown> | null) => {
      if (result) setHeld({ key, attempt, result });
      for (const done of waiting.current.splice(0)) done();
    };
    const get = (u: string) => api<unknown>('GET', u, undefined, ctrl.signal);
    const answer = typeof what === 'string' ? get(what) : Promise.all(what.map(get));
    answer.then(
      (data) => settle({ status: 'ok', data }),
      (err: unknown) => {
        if (isAbort(err)) return;
        if (err instanceof ApiError && err.status === 401) {
          signedOut();
          settle(null);
          return;
        }
        settle({
          status: 'error',
          message: errorMessage(err),
          code: err instanceof ApiError ? err.code : 'unknown',
          httpStatus: err instanceof ApiError ? err.status : 0,
        });
      },
    );
    return () => ctrl.abort();
  }, [key, attempt]);

  const reload = useCallback(
    () =>
      new Promise<void>((resolve) => {
        if (!loading) return resolve();
        waiting.current.push(resolve);
        setAttempt((n) => n + 1);
      }),
    [loading],
  );

  let shown: Loaded<unknown> = { status: 'loading' };
  if (held && key !== null && held.key === key) {
    // An answer for an earlier attempt stays on screen while a reload runs, if it is data.
    if (held.attempt === attempt || held.result.status === 'ok') shown = held.result;
  }
  return { ...(shown as Loaded<T>), reload };
}

/** The first of several loads that is not ready (loading or failed), or all their data. */
export function allLoaded<D extends Record<string, unknown>>(loads: {
  [K in keyof D]: Loaded<D[K]>;
}): Loaded<D> {
  const data: Partial<D> = {};
  for (const k of Object.keys(loads) as (keyof D)[]) {
    const l = loads[k];
    if (l.status !== 'ok') return l;
    data[k] = l.data;
  }
  return { status: 'ok', data: data as D };
}

/** A load's data shaped for its page, keeping 'loading' and a failure as they are. */
export function mapLoaded<T, U>(loaded: Loaded<T>, shape: (data: T) => U): Loaded<U> {
  return loaded.status === 'ok' ? { status: 'ok', data: shape(loaded.data) } : loaded;
}
