import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './App.tsx';
import { SessionProvider } from './session.tsx';
import { StepUpInPlaceContext } from '../ui/Form.tsx';
import { StepUpInPlace } from '../features/identity/StepUpInPlace.tsx';
import './styles.css';

/** Under a form the server refused with step_up_required (ui/Form.tsx). */
const askInPlace = (onDone: () => void) => <StepUpInPlace onDone={onDone} />;

const root = document.getElementById('root');
if (!root) throw new Error('no #root element');
createRoot(root).render(
  <StrictMode>
    <BrowserRouter>
      <SessionProvider>
        <StepUpInPlaceContext value={askInPlace}>
          <App />
        </StepUpInPlaceContext>
      </SessionProvider>
    </BrowserRouter>
  </StrictMode>,
);
