// The trust area at /trust (issue 20): loaded lazily by main.tsx, with its own session, api client
// (trust CSRF) and layout. Signed out: the sign-in page; after the password, the code; with no
// second factor yet, setting one up. Signed in: "Trust overview" (the sharing schools' figures side
// by side and totalled, suppressed, "as of" a time), the grants the member holds, and a pupil's
// record opened under a grant.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, Route, Routes } from 'react-router';
import type { TrustSessionInfo } from '../../../src/shared/schemas/trust.ts';
import { ApiError } from '../lib/api.ts';
import { Button } from '../ui/Button.tsx';
import { setTrustCsrf, trustApi, whenTrustSignedOut } from './api.ts';
import { TrustSignInPage } from './TrustSignIn.tsx';
import { TrustOverviewPage } from './TrustOverview.tsx';
import { GrantPage, GrantRecordPage } from './TrustGrants.tsx';
import './trust.css';

type State =
  | { status: 'loading' }
  | { status: 'signed-out'; notice?: string }
  | { status: 'signed-in'; session: TrustSessionInfo };

export default function TrustApp() {
  const [state, setState] = useState<State>({ status: 'loading' });
  const adopt = useCallback((s: TrustSessionInfo) => {
    setTrustCsrf(s.csrfToken);
    setState({ status: 'signed-in', session: s });
  }, []);
  useEffect(() => {
    const ctrl = new AbortController();
    trustApi<TrustSessionInfo>('GET', '/api/trust/session', undefined, ctrl.signal).then(
      adopt,
      (err: unknown) => {
        if (err instanceof ApiError) setState({ status: 'signed-out' });
      },
    );
    return () => ctrl.abort();
  }, [adopt]);
  useEffect(
    () =>
      whenTrustSignedOut(() => {
        setTrustCsrf(null);
        setState({ status: 'signed-out', notice: 'You have been signed out. Sign in again.' });
      }),
    [],
  );
  const signOut = useCallback(async () => {
    await trustApi('POST', '/api/trust/auth/sign-out').catch(() => undefined);
    setTrustCsrf(null);
    setState({ status: 'signed-out', notice: 'You have signed out.' });
  }, []);
  const session = useMemo(() => (state.status === 'signed-in' ? state.session : null), [state]);

  if (state.status === 'loading') {
    return (
      <main className="page page-narrow" id="main">
        <p role="status">Loading…</p>
      </main>
    );
  }
  if (!session || session.stage !== 'full') {
    return (
      <TrustSignInPage
        key={session ? session.stage : 'signed-out'}
        stage={session ? session.stage : null}
        {...(state.status === 'signed-out' && state.notice ? { notice: state.notice } : {})}
        onSignedIn={adopt}
      />
    );
  }
  return (
    <div className="trust">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="trust-header">
        <Link to="/trust" className="brand-name">
          {session.trust.name}
        </Link>
        <nav aria-label="Your account">
          <span>{session.member.name}</span>{' '}
          <Button variant="quiet" onPress={() => void signOut()}>
            Sign out
          </Button>
        </nav>
      </header>
      <main id="main" className="page">
        <Routes>
          <Route path="trust" element={<TrustOverviewPage />} />
          <Route path="trust/grants/:grantId" element={<GrantPage />} />
          <Route path="trust/grants/:grantId/pupils/:pupilId" element={<GrantRecordPage />} />
          <Route
            path="*"
            element={
              <>
                <h1 className="page-title">Page not found</h1>
                <p>
                  <Link to="/trust">Back to the trust overview</Link>
                </p>
              </>
            }
          />
        </Routes>
      </main>
    </div>
  );
}
