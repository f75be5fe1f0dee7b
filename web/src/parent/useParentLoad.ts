// The parent pages' one loader: fetches JSON through the parent client and aborts when the page
// goes; a 401 tells the parent app the session has ended (parentApi does).
import { useCallback, useEffect, useState } from 'react';
import { ApiError, errorMessage, isAbort } from '../lib/api.ts';
import type { Loaded } from '../lib/useLoad.ts';
import { parentApi } from './api.ts';

export function useParentLoad<T>(url: string): Loaded<T> & { reload: () => void } {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    const ctrl = new AbortController();
    setState({ status: 'loading' });
    parentApi<T>('GET', url, undefined, ctrl.signal).then(
      (data) => setState({ status: 'ok', data }),
      (err: unknown) => {
        if (isAbort(err)) return;
        setState({
          status: 'error',
          message: errorMessage(err),
          code: err instanceof ApiError ? err.code : 'unknown',
          httpStatus: err instanceof ApiError ? err.status : 0,
        });
      },
    );
    return () => ctrl.abort();
  }, [url, attempt]);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { ...state, reload };
}
