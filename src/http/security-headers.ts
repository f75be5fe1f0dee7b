// The headers a security reviewer expects on every response. The SPA is built with no inline
// script, so the policy forbids it; plugins and <base> are refused; frames are refused; the page
// shares no browsing context with other sites (COOP) and no other site may embed our answers
// (CORP: downloads included); nothing leaks in the Referer header.
//
// A route may send stricter headers of its own (a vault download's sandboxing CSP, its
// `private, no-store`): the app-wide hook fills in only what the route did not set, so it never
// loosens them. To change safely: keep `setUnlessSent` for every header here, and keep the
// cache rule able only to add `no-store`, never to drop it.
import { isWebAppFile } from './web-files.ts';
import type { FastifyInstance, FastifyReply } from 'fastify';

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function setUnlessSent(reply: FastifyReply, name: string, value: string): void {
  if (!reply.hasHeader(name)) reply.header(name, value);
}

export function installSecurityHeaders(app: FastifyInstance, opts: { tls: boolean }): void {
  app.addHook('onSend', async (req, reply, payload) => {
    setUnlessSent(reply, 'Content-Security-Policy', CSP);
    setUnlessSent(reply, 'Referrer-Policy', 'no-referrer');
    setUnlessSent(reply, 'X-Content-Type-Options', 'nosniff');
    setUnlessSent(reply, 'X-Frame-Options', 'DENY');
    setUnlessSent(reply, 'Cross-Origin-Opener-Policy', 'same-origin');
    setUnlessSent(reply, 'Cross-Origin-Resource-Policy', 'same-origin');
    setUnlessSent(reply, 'Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
    if (opts.tls) {
      setUnlessSent(reply, 'Strict-Transport-Security', 'max-age=63072000; includeSubDomains');
    }
    // Nothing that passed through a session (or any API answer) may be kept by a cache: a
    // route's own header stands only if it already says no-store.
    // The built web app's files hold no data and are the same for everyone (web-files.ts).
    if ((req.auth || req.url.startsWith('/api/')) && !isWebAppFile(req)) {
      const own = reply.getHeader('Cache-Control');
      if (typeof own !== 'string' || !/\bno-store\b/i.test(own)) {
        reply.header('Cache-Control', 'no-store');
      }
    }
    return payload;
  });
}
