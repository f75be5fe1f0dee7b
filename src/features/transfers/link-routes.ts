// The public routes of a link to a school on no Lantern (issue 18), and the page's headers. No
// session: the token travels in a body (never a URL), the view key in an HttpOnly cookie for these
// routes alone (link-public.ts). The page (/transfer-link) and these answers are never cached,
// never indexed, send no Referer, and run under a CSP that allows only this origin's own script.
import type { FastifyReply } from 'fastify';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { originOf } from '../../core/context.ts';
import { ErrorBody, responses } from '../../shared/schemas/common.ts';
import { FileBody } from '../../shared/schemas/vault.ts';
import {
  CodeSent,
  LinkAsk,
  LinkCode,
  LinkReceipt,
  LinkToken,
  LinkView,
} from '../../shared/schemas/transfers.ts';
import { LinkDoor, viewCookieName, VIEW_MINUTES, VIEW_PATH } from './link-public.ts';
import { linkFilePdf, linkManifest } from './link-pdf.ts';
import { LINK_PAGE } from './link.ts';

const tags = ['transfers'];
const PUBLIC = { public: true } as const;

/** Stricter than the app's: nothing but this origin's script, styles and calls; no forms out. */
const LINK_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const isLinkUrl = (url: string) =>
  url === LINK_PAGE || url.startsWith(`${LINK_PAGE}?`) || url.startsWith(`${VIEW_PATH}/`);

/** The view key from its cookie, under the one name this installation sets and clears. */
function viewKeyOf(
  services: Services,
  req: { cookies: Record<string, string | undefined> },
): string | undefined {
  return req.cookies[viewCookieName(services.config)];
}

function setViewCookie(reply: FastifyReply, services: Services, value: string | null): void {
  const options = {
    path: VIEW_PATH,
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: services.config.tls,
  };
  const name = viewCookieName(services.config);
  if (value === null) reply.clearCookie(name, options);
  else reply.setCookie(name, value, { ...options, maxAge: VIEW_MINUTES * 60 });
}

export function registerLinkRoutes(app: App, services: Services): void {
  // After the app's own headers hook (security-headers.ts), so these replace its defaults.
  app.addHook('onSend', async (req, reply, payload) => {
    if (!isLinkUrl(req.url)) return payload;
    reply.header('Content-Security-Policy', LINK_CSP);
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Robots-Tag', 'noindex, nofollow');
    reply.header('Cache-Control', 'no-store');
    return payload;
  });

  const door = (req: Parameters<typeof originOf>[0]) =>
    new LinkDoor(services, originOf(req), req.ip ?? null);

  app.post(
    `${VIEW_PATH}/view`,
    {
      config: PUBLIC,
      schema: {
        tags,
        summary:
          'A transfer link: whom it is from, and the file once opened in this browser (without the token: the file this browser opened)',
        body: LinkAsk,
        response: responses({ 200: LinkView }),
      },
    },
    async (req) => door(req).view(req.body.token, viewKeyOf(services, req)),
  );

  app.post(
    `${VIEW_PATH}/code`,
    {
      config: PUBLIC,
      schema: {
        tags,
        summary: "Email a one-time code to the link's address (at most one a minute)",
        body: LinkToken,
        response: { ...responses({ 200: CodeSent, 409: ErrorBody }), 429: ErrorBody },
      },
    },
    async (req) => door(req).sendCode(req.body.token),
  );

  app.post(
    `${VIEW_PATH}/open`,
    {
      config: PUBLIC,
      schema: {
        tags,
        summary: 'Open the file with the one-time code (wrong codes are throttled)',
        body: LinkCode,
        response: { ...responses({ 200: LinkView, 409: ErrorBody }), 429: ErrorBody },
      },
    },
    async (req, reply) => {
      const opened = await door(req).open(req.body.token, req.body.code);
      setViewCookie(reply, services, opened.viewKey);
      return opened.view;
    },
  );

  app.get(
    `${VIEW_PATH}/file.pdf`,
    {
      config: PUBLIC,
      schema: {
        tags,
        summary: 'The file as a PDF: the chronology narrative, withheld items, manifest (audited)',
        produces: ['application/pdf'],
        response: responses({ 200: FileBody }),
      },
    },
    async (req, reply) => {
      const got = await door(req).download(viewKeyOf(services, req), 'pdf');
      return reply
        .header('Content-Type', 'application/pdf')
        .header('Content-Disposition', 'attachment; filename="child-protection-file.pdf"')
        .header('X-Content-Type-Options', 'nosniff')
        .send(await linkFilePdf(got));
    },
  );

  app.get(
    `${VIEW_PATH}/manifest.json`,
    {
      config: PUBLIC,
      schema: {
        tags,
        summary: "The file's manifest: each item's SHA-256 (audited)",
        produces: ['application/json'],
        response: responses({ 200: FileBody }),
      },
    },
    async (req, reply) => {
      const got = await door(req).download(viewKeyOf(services, req), 'manifest');
      return reply
        .header('Content-Type', 'application/json; charset=utf-8')
        .header('Content-Disposition', 'attachment; filename="child-protection-file-manifest.json"')
        .header('X-Content-Type-Options', 'nosniff')
        .send(Buffer.from(JSON.stringify(linkManifest(got), null, 2)));
    },
  );

  app.post(
    `${VIEW_PATH}/receipt`,
    {
      config: PUBLIC,
      schema: {
        tags,
        summary: 'Confirm receipt by name and role (only once the file was opened here)',
        body: LinkReceipt,
        response: responses({ 200: LinkView, 409: ErrorBody }),
      },
    },
    async (req, reply) => {
      const { token, name, role } = req.body;
      const view = await door(req).receipt(token, viewKeyOf(services, req), { name, role });
      setViewCookie(reply, services, null);
      return view;
    },
  );
}
