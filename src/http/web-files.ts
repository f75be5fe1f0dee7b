// How the built web app's files are sent (issue 14, a fast first load). The build (web/vite.config.ts)
// writes a gzip and a Brotli copy beside each script, style sheet and the page, so nothing is
// compressed per request on this small machine: @fastify/static's `preCompressed` picks the copy
// the browser accepts (br, then gzip) and says so in Content-Encoding (Vary: Accept-Encoding).
// Files under /assets/ carry a hash of their content in their name, so they never change: cached
// for a year and immutable. index.html names the current hashes, so it is always revalidated
// (no-cache). None of these files holds data: they are the same for everyone, signed in or not,
// which is why security-headers.ts lets their own Cache-Control stand (`webAppFile`).
import type { FastifyRequest } from 'fastify';

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

/**
 * The Cache-Control of a built file by its path inside the build (hashed assets, or anything
 * else): relative, so a deployment whose own path holds "assets" never caches index.html.
 */
export function cacheControlFor(relativePath: string): string {
  return /^assets[\\/]/.test(relativePath) ? IMMUTABLE : REVALIDATE;
}

/** The web app's own routes (static files and the page fallback), marked so in app.ts. */
export function isWebAppFile(req: FastifyRequest): boolean {
  return req.routeOptions.config?.webAppFile === true && !req.url.startsWith('/api/');
}
