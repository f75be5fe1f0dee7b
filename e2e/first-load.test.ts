// Issue 14, a fast first load, as the browser receives it from the real server and the built
// app: scripts come compressed (Brotli when accepted, else gzip), hashed files are cached for a
// year and immutable — for a signed-in browser too — and index.html is always revalidated. In
// Chromium the sign-in page never loads the password dictionaries, nor any other page's script
// (pages are split by route: web/src/app/pages.ts).
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, openTab, PHONE, startServer, type Server } from './support.ts';

/** A file's bytes as the server sends them (fetch would undo the encoding; node's http keeps it). */
function bytesAsSent(
  url: string,
  accept: string,
): Promise<{ headers: Record<string, unknown>; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { 'accept-encoding': accept } });
    req.on('response', (r) => {
      let bytes = 0;
      r.on('data', (c: Buffer) => (bytes += c.length));
      r.on('end', () => resolve({ headers: r.headers, bytes }));
    });
    req.on('error', reject);
    req.end();
  });
}

let server: Server;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.t.close();
});

describe('a fast first load', () => {
  it('sends compressed, long-cached scripts and a revalidated page', async () => {
    const page = await fetch(`${server.baseUrl}/`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    const script = /src="(\/assets\/index-[^"]+\.js)"/.exec(html)?.[1];
    expect(script, 'the entry script in index.html').toBeDefined();

    const raw = await fetch(`${server.baseUrl}${script}`, {
      headers: { 'accept-encoding': 'identity' },
    });
    const rawBytes = (await raw.arrayBuffer()).byteLength;
    for (const [accept, encoding] of [
      ['br, gzip', 'br'],
      ['gzip', 'gzip'],
    ] as const) {
      const res = await bytesAsSent(`${server.baseUrl}${script}`, accept);
      expect(res.headers['content-encoding']).toBe(encoding);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.bytes).toBeLessThan(rawBytes / 2);
    }
  });

  it('keeps the signed-in rule for the API: no-store, while the app’s files stay cacheable', async () => {
    const api = await fetch(`${server.baseUrl}/api/session`);
    expect(api.headers.get('cache-control')).toBe('no-store');
  });

  it('opens the sign-in page without the password dictionaries', async () => {
    const tab = await openTab(browser, server.baseUrl, PHONE);
    const scripts: string[] = [];
    tab.page.on('response', (r) => {
      if (r.url().endsWith('.js')) scripts.push(new URL(r.url()).pathname);
    });
    await tab.page.goto('/');
    await tab.page.getByLabel('Email address').waitFor();
    expect(scripts.some((s) => s.includes('password-strength'))).toBe(false);
    expect(
      scripts.filter((s) => /\/(Dashboard|LogConcern|AdminUsers|ReportsPage)-/.test(s)),
    ).toEqual([]);
    expect(scripts.length).toBeGreaterThan(0);
    // Issue 14's budget: at most 150 KB of JavaScript, as sent (gzip), for the first page.
    let sent = 0;
    for (const s of scripts) sent += (await bytesAsSent(`${server.baseUrl}${s}`, 'gzip')).bytes;
    expect(sent).toBeLessThan(150 * 1024);
    await tab.context.close();
  });
});
