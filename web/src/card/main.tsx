// The offline emergency cards' own small app (issue 21): card.html, kept by the service worker
// (public/card-sw.js) so it opens with no network.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { CardApp } from './CardApp.tsx';
import '../app/styles.css';
import './card.css';

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/card-sw.js', { scope: '/card' }).catch(() => {
    // Without it the cards still open while this page is open; they do not reopen offline.
  });
}

const root = document.getElementById('root');
if (!root) throw new Error('no #root element');
createRoot(root).render(
  <StrictMode>
    <CardApp />
  </StrictMode>,
);
