/* global self, caches, fetch, URL */
// The emergency cards' service worker (issue 21): it keeps the card app (card.html and the files
// it names) so the cards open with no network. It never caches an /api/ answer: the cards live
// encrypted in the device's storage, not here. Network first for the page (a new build is picked
// up when online), cache first for the hashed assets (they never change).
const CACHE = 'lantern-cards-v1';
const PAGE = '/card.html';

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const res = await fetch(PAGE, { cache: 'no-store' });
      const html = await res.clone().text();
      await cache.put(PAGE, res);
      const named = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]);
      await cache.addAll([...new Set(named)]);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/')) return;
  if (event.request.mode === 'navigate' || url.pathname === PAGE) {
    event.respondWith(
      (async () => {
        try {
          const res = await fetch(event.request);
          if (res.ok) (await caches.open(CACHE)).put(PAGE, res.clone());
          return res;
        } catch {
          const kept = await caches.match(PAGE);
          if (kept) return kept;
          throw new Error('offline and the card app is not kept');
        }
      })(),
    );
    return;
  }
  event.respondWith(
    (async () => {
      const kept = await caches.match(event.request);
      if (kept) return kept;
      const res = await fetch(event.request);
      if (res.ok && url.pathname.startsWith('/assets/')) {
        (await caches.open(CACHE)).put(event.request, res.clone());
      }
      return res;
    })(),
  );
});
