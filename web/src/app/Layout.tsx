// Every signed-in page: a skip link, the banner (school, who is signed in, the session's state,
// hide screen, sign out), and main. "Hide screen" (or Alt+Shift+H) blanks everything at once —
// for a DSL whose screen is in view of someone who must not see it — and one press shows it
// again exactly as it was (nothing is lost; it is not a lock).
import { Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { Link, Outlet } from 'react-router';
import { Button } from '../ui/Button.tsx';
import { useSession, useSessionApi } from './session.tsx';
import { SessionBar } from './SessionBar.tsx';
import { SourceFooter } from './SourceLink.tsx';

function useBlankScreen(): [boolean, () => void] {
  const [blank, setBlank] = useState(false);
  const title = useRef('');
  const toggle = useCallback(() => setBlank((b) => !b), []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey && e.shiftKey && e.code === 'KeyH') {
        e.preventDefault();
        toggle();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [toggle]);
  useEffect(() => {
    // The tab's title can name a pupil: hide it too.
    if (blank) {
      title.current = document.title;
      document.title = 'Lantern';
    } else if (title.current) {
      document.title = title.current;
    }
  }, [blank]);
  return [blank, toggle];
}

export function Layout() {
  const session = useSession();
  const { signOut } = useSessionApi();
  const [blank, toggleBlank] = useBlankScreen();
  return (
    <>
      {blank && (
        <div className="blank-screen">
          <Button variant="quiet" autoFocus onPress={toggleBlank}>
            Show Lantern
          </Button>
        </div>
      )}
      <div hidden={blank}>
        <a className="skip-link" href="#main">
          Skip to main content
        </a>
        <header className="banner">
          <div className="banner-inner">
            <Link to="/" className="brand">
              <span className="brand-name">Lantern</span>
              <span className="school-name">{session.school.name}</span>
            </Link>
            <div className="banner-user">
              {session.has('search') && (
                <Link to="/search" className="button button-quiet">
                  Search
                </Link>
              )}
              {(session.capabilitiesWhenElevated ?? []).includes('reports') && (
                <Link to="/reports" className="button button-quiet">
                  Reports
                </Link>
              )}
              {(session.capabilitiesWhenElevated ?? []).includes('audit') && (
                <Link to="/audit" className="button button-quiet">
                  Audit trail
                </Link>
              )}
              {(session.capabilitiesWhenElevated ?? []).includes('parents') && (
                <Link to="/parents" className="button button-quiet">
                  Parents and forms
                </Link>
              )}
              {(session.capabilitiesWhenElevated ?? []).includes('data_protection') && (
                <Link to="/data-protection" className="button button-quiet">
                  Data protection
                </Link>
              )}
              {(session.capabilitiesWhenElevated ?? []).includes('parents') && (
                <Link to="/trips" className="button button-quiet">
                  Trips
                </Link>
              )}
              <Link to="/account" className="user-name">
                {session.user.name}
                <span className="visually-hidden">: account security</span>
              </Link>
              <Button variant="quiet" aria-keyshortcuts="Alt+Shift+H" onPress={toggleBlank}>
                Hide screen
              </Button>
              <Button variant="quiet" onPress={() => void signOut()}>
                Sign out
              </Button>
            </div>
          </div>
          <div className="banner-inner">
            <SessionBar />
          </div>
        </header>
        <main id="main" tabIndex={-1} className="page">
          {/* Each page's code comes when it is first opened (pages.ts); the shell stays. */}
          <Suspense fallback={<p role="status">Loading…</p>}>
            <Outlet />
          </Suspense>
        </main>
        <SourceFooter href={session.sourceUrl} />
      </div>
    </>
  );
}
