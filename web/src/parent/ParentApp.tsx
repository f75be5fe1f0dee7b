// The parent area at /parent (issue 21): loaded lazily by main.tsx, so the staff bundle does not
// carry it, with its own session, api client (parent CSRF) and layout. Signed out: the sign-in
// page. After the password: the code. With no second factor yet: setting one up, and nothing else.
import { Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { Link, Outlet, Route, Routes, useLocation } from 'react-router';
import type { ParentSessionInfo } from '../../../src/shared/schemas/parents.ts';
import { ApiError } from '../lib/api.ts';
import { Button } from '../ui/Button.tsx';
import { parentApi, setParentCsrf, whenParentSignedOut } from './api.ts';
import { ParentSessionContext, useParentSession } from './session.tsx';
import { ParentSignInPage } from './ParentSignIn.tsx';
import { AcceptInvitationPage } from './AcceptInvitation.tsx';
import { ParentHomePage } from './ParentHome.tsx';
import { PARENT_SECTIONS } from './sections.ts';
import './parent.css';

type State =
  | { status: 'loading' }
  | { status: 'signed-out'; notice?: string }
  | { status: 'signed-in'; session: ParentSessionInfo };

export default function ParentApp() {
  const [state, setState] = useState<State>({ status: 'loading' });
  const { pathname } = useLocation();

  const adopt = useCallback((s: ParentSessionInfo) => {
    setParentCsrf(s.csrfToken);
    setState({ status: 'signed-in', session: s });
  }, []);

  useEffect(() => {
    const ctrl = new AbortController();
    parentApi<ParentSessionInfo>('GET', '/api/parent/session', undefined, ctrl.signal).then(
      adopt,
      (err: unknown) => {
        if (err instanceof ApiError) setState({ status: 'signed-out' });
      },
    );
    return () => ctrl.abort();
  }, [adopt]);

  useEffect(
    () =>
      whenParentSignedOut(() => {
        setParentCsrf(null);
        setState({ status: 'signed-out', notice: 'You have been signed out. Sign in again.' });
      }),
    [],
  );

  const signOut = useCallback(async () => {
    await parentApi('POST', '/api/parent/auth/sign-out').catch(() => undefined);
    setParentCsrf(null);
    setState({ status: 'signed-out', notice: 'You have signed out.' });
  }, []);

  const api = useMemo(
    () => (state.status === 'signed-in' ? { session: state.session, adopt, signOut } : null),
    [state, adopt, signOut],
  );

  // The emailed link works whether or not someone is signed in on this browser.
  if (pathname === '/parent/accept') return <AcceptInvitationPage onSignedIn={adopt} />;
  if (state.status === 'loading') {
    return (
      <main className="page page-narrow parent" id="main">
        <p role="status">Loading…</p>
      </main>
    );
  }
  if (state.status === 'signed-out' || state.session.stage !== 'full') {
    return (
      <ParentSignInPage
        key={state.status === 'signed-in' ? state.session.stage : 'signed-out'}
        stage={state.status === 'signed-in' ? state.session.stage : null}
        {...(state.status === 'signed-out' && state.notice ? { notice: state.notice } : {})}
        onSignedIn={adopt}
      />
    );
  }
  return (
    <ParentSessionContext value={api}>
      <Routes>
        <Route path="parent" element={<ParentLayout />}>
          <Route index element={<ParentHomePage />} />
          {PARENT_SECTIONS.map((s) => (
            <Route key={s.path} path={`${s.path}/*`} element={<s.page />} />
          ))}
          <Route path="*" element={<ParentNotFound />} />
        </Route>
      </Routes>
    </ParentSessionContext>
  );
}

function ParentLayout() {
  const { session, signOut } = useParentSession();
  return (
    <div className="parent">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="parent-header">
        <Link to="/parent" className="brand-name">
          {session.school.name}
        </Link>
        <nav aria-label="Your account">
          <Link to="/parent/account">{session.parent.name}</Link>{' '}
          <Button variant="quiet" onPress={() => void signOut()}>
            Sign out
          </Button>
        </nav>
      </header>
      <main id="main" className="page page-narrow">
        <Suspense fallback={<p role="status">Loading…</p>}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}

function ParentNotFound() {
  return (
    <>
      <h1 className="page-title">Page not found</h1>
      <p>
        <Link to="/parent">Back to your home page</Link>
      </p>
    </>
  );
}
