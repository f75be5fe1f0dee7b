// Who is signed in, held once for the whole app. The server's session answer is the only source
// of what the user may do: pages ask `has(capability)`, they never reason from the role.
import {
  createContext,
  use,
  useCallback,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import { api, ApiError, setCsrfToken, whenSignedOut } from '../lib/api.ts';
import { forgetLocalData } from '../lib/forgetLocal.ts';
import type { SessionInfo } from '../../../src/shared/schemas/identity.ts';

type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; notice?: string }
  | { status: 'signed-in'; session: SessionInfo };

type SessionApi = {
  state: SessionState;
  /** Adopt a session the server just gave us (sign in, second factor). */
  adopt: (session: SessionInfo) => void;
  /** Ask the server again (after stepping up, or when a request says we are signed out). */
  refresh: () => Promise<void>;
  signOut: () => Promise<void>;
  /** The server has already ended the session (a password change): show sign-in with a note. */
  ended: (notice: string) => void;
};

async function loadSession(): Promise<SessionState> {
  try {
    return { status: 'signed-in', session: await api<SessionInfo>('GET', '/api/auth/session') };
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return { status: 'signed-out' };
    return { status: 'signed-out', notice: 'Lantern could not check your session.' };
  }
}

const SessionContext = createContext<SessionApi | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const adopt = useCallback((session: SessionInfo) => {
    setCsrfToken(session.csrfToken);
    setState({ status: 'signed-in', session });
  }, []);

  const apply = useCallback((next: SessionState) => {
    setCsrfToken(next.status === 'signed-in' ? next.session.csrfToken : null);
    setState(next);
  }, []);

  const refresh = useCallback(async () => apply(await loadSession()), [apply]);

  const signOut = useCallback(async () => {
    try {
      await api<void>('POST', '/api/auth/sign-out');
    } finally {
      forgetLocalData();
      setCsrfToken(null);
      setState({ status: 'signed-out', notice: 'You have signed out.' });
    }
  }, []);

  const ended = useCallback((notice: string) => {
    setCsrfToken(null);
    setState({ status: 'signed-out', notice });
  }, []);

  // A page's load answered 401: ask the server again, which shows the sign-in page.
  useEffect(() => whenSignedOut(() => void refresh()), [refresh]);

  useEffect(() => {
    let live = true;
    void loadSession().then((next) => {
      if (live) apply(next);
    });
    return () => {
      live = false;
    };
  }, [apply]);

  const value = useMemo(
    () => ({ state, adopt, refresh, signOut, ended }),
    [state, adopt, refresh, signOut, ended],
  );
  return <SessionContext value={value}>{children}</SessionContext>;
}

export function useSessionApi(): SessionApi {
  const v = use(SessionContext);
  if (!v) throw new Error('useSessionApi outside SessionProvider');
  return v;
}

/** The signed-in session; only used inside pages that render when signed in. */
export function useSession(): SessionInfo & { has(capability: string): boolean } {
  const { state } = useSessionApi();
  if (state.status !== 'signed-in') throw new Error('useSession while signed out');
  const s = state.session;
  return { ...s, has: (c: string) => s.capabilities.includes(c) };
}

/**
 * Whether the session may see the school's records beyond the user's own. The server names this
 * ability `records.view` (with a second factor; issue 3) and named it `concern.read_all` before;
 * both come from the server's capabilities list, the UI decides nothing itself.
 */
export const SEE_RECORDS = ['records.view', 'concern.read_all'] as const;
