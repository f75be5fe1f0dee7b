// Every signed-in page: a skip link, the banner (school, who is signed in, sign out), and main.
import { Link, Outlet } from 'react-router';
import { Button } from 'react-aria-components';
import { useSession, useSessionApi } from '../session.tsx';

export function Layout() {
  const session = useSession();
  const { signOut } = useSessionApi();
  return (
    <>
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
            <span className="user-name">{session.user.name}</span>
            <Button className="button button-quiet" onPress={() => void signOut()}>
              Sign out
            </Button>
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="page">
        <Outlet />
      </main>
    </>
  );
}
