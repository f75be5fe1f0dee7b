import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './App.tsx';
import { SessionProvider } from './session.tsx';
import { StepUpInPlaceContext } from '../ui/Form.tsx';
import { StepUpInPlace } from '../features/identity/StepUpInPlace.tsx';
import './styles.css';

/** Under a form the server refused with step_up_required (ui/Form.tsx). */
const askInPlace = (onDone: () => void) => <StepUpInPlace onDone={onDone} />;

/** The parent area (issue 21): its own chunk, session, api client and layout (web/src/parent/). */
const ParentApp = lazy(() => import('../parent/ParentApp.tsx'));
const isParentArea = /^\/parent(\/|$)/.test(window.location.pathname);
/** The trust area (issue 20): its own chunk, session, api client and layout (web/src/trust/). */
const TrustApp = lazy(() => import('../trust/TrustApp.tsx'));
const isTrustArea = /^\/trust(\/|$)/.test(window.location.pathname);

const root = document.getElementById('root');
if (!root) throw new Error('no #root element');
createRoot(root).render(
  isTrustArea ? (
    <StrictMode>
      <BrowserRouter>
        <Suspense
          fallback={
            <main className="page page-narrow" id="main">
              <p role="status">Loading…</p>
            </main>
          }
        >
          <TrustApp />
        </Suspense>
      </BrowserRouter>
    </StrictMode>
  ) : isParentArea ? (
    <StrictMode>
      <BrowserRouter>
        <Suspense
          fallback={
            <main className="page page-narrow" id="main">
              <p role="status">Loading…</p>
            </main>
          }
        >
          <ParentApp />
        </Suspense>
      </BrowserRouter>
    </StrictMode>
  ) : (
    <StrictMode>
      <BrowserRouter>
        <SessionProvider>
          <StepUpInPlaceContext value={askInPlace}>
            <App />
          </StepUpInPlaceContext>
        </SessionProvider>
      </BrowserRouter>
    </StrictMode>
  ),
);
