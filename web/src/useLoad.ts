// Loads JSON for a page: aborts on unmount or when the URL changes, and treats a 401 as "signed
// out" by asking the session again (which shows the sign-in page).
import { useEffect, useState } from 'react';
import { api, ApiError, errorMessage, isAbort } from './api.ts';
import { useSessionApi } from './session.tsx';

export type Loaded<T> =
  | { status: 'loading' }
  | { status: 'error'; message: string; code: string; httpStatus: number }
  | { status: 'ok'; data: T };

export function useLoad<T>(url: string | null, reloadKey = 0): Loaded<T> {
  const { refresh } = useSessionApi();
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  useEffect(() => {
    if (url === null) return;
    const ctrl = new AbortController();
    setState({ status: 'loading' });
    api<T>('GET', url, undefined, ctrl.signal).then(
      (data) => setState({ status: 'ok', data }),
      (err: unknown) => {
        if (isAbort(err)) return;
        if (err instanceof ApiError && err.status === 401) {
          void refresh();
          return;
        }
        setState({
          status: 'error',
          message: errorMessage(err),
          code: err instanceof ApiError ? err.code : 'unknown',
          httpStatus: err instanceof ApiError ? err.status : 0,
        });
      },
    );
    return () => ctrl.abort();
  }, [url, reloadKey, refresh]);
  return state;
}
