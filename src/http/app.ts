// Builds the Fastify application: security headers, errors, sessions and CSRF, the OpenAPI
// document generated from the route schemas, the routes of every feature it is handed (src/features.ts), and the built web app.
import { cacheControlFor, REVALIDATE } from './web-files.ts';
import { existsSync } from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import fastifyStatic from '@fastify/static';
import type { Services } from '../platform/services.ts';
import { installErrorHandlers } from './error-handler.ts';
import { installInputGuard, installValidators } from './validation.ts';
import { installSecurityHeaders } from './security-headers.ts';
import { installRequestContext } from './request-context.ts';
import { installParentContext } from './parent-request-context.ts';
import { installTrustContext } from './trust-request-context.ts';
import { installOperations, requestIdOf } from './operations.ts';
import { sessionCookieName } from '../features/identity/sessions.ts';
import { parentCookieName } from '../features/parents/sessions.ts';
import type { App, Feature } from '../core/feature.ts';

export type RouteInfo = {
  method: string;
  url: string;
  public: boolean;
  /** A parent's route (issue 21): `config: { parent: true }`, under /api/parent/. */
  parent: boolean;
  /** A trust member's route (issue 20): `config: { trust: true }`, under /api/trust/. */
  trust: boolean;
  /** The request schemas the route declares (the fuzz test drives every route by them). */
  schema: { body?: unknown; querystring?: unknown; params?: unknown; response?: unknown };
};

const WEB_DIST = path.resolve(import.meta.dirname, '../../dist/web');

/** Where the request log goes when not standard output (a test reading what would be logged). */
export type LogDestination = { write(line: string): void };

/**
 * What the request log may say about a request: its id, method and path. Never the query string
 * (search words, names), headers (cookies, tokens, file names) or body: a log line is kept and
 * copied far beyond the records' own protection. To change safely: add only fields that can never
 * carry what a person typed.
 */
export const logSerializers = {
  req: (req: { id?: unknown; method?: string; url?: string }) => ({
    id: req.id,
    method: req.method,
    ...(req.url !== undefined ? { path: pathOnly(req.url) } : {}),
  }),
  res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
};

/** A URL's path without its query string or fragment. */
export function pathOnly(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

export async function buildApp(
  services: Services,
  features: readonly Feature[],
  opts: { logDestination?: LogDestination } = {},
): Promise<{ app: App; routes: RouteInfo[] }> {
  const { config } = services;
  const app = Fastify({
    logger:
      config.logLevel === 'silent'
        ? false
        : {
            level: config.logLevel,
            // A request is logged as id, method and path only (logSerializers); bodies never.
            serializers: logSerializers,
            // Belt and braces, should anything log headers under another name.
            redact: [
              'req.headers.cookie',
              'req.headers["x-csrf-token"]',
              'req.headers["x-file-name"]',
              'req.headers.authorization',
            ],
            ...(opts.logDestination ? { stream: opts.logDestination } : {}),
          },
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    // The caller's x-request-id when it is safe (operations.ts), else a new one; on every log line.
    genReqId: requestIdOf,
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  // JSON only: a text/plain body is what a cross-site form can send.
  app.removeContentTypeParser('text/plain');

  const routes: RouteInfo[] = [];
  app.addHook('onRoute', (r) => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    for (const m of methods) {
      if (m === 'HEAD') continue;
      const { body, querystring, params, response } = r.schema ?? {};
      routes.push({
        method: m,
        url: r.url,
        public: r.config?.public === true,
        parent: r.config?.parent === true,
        trust: r.config?.trust === true,
        schema: { body, querystring, params, response },
      });
    }
  });

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Lantern API',
        version: '0.1.0',
        description: 'Safeguarding and child-protection records. Generated from the route schemas.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: sessionCookieName(config) },
          csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' },
          /** A parent's own session (issue 21): /api/parent/ routes only. */
          parentSession: { type: 'apiKey', in: 'cookie', name: parentCookieName(config) },
        },
      },
    },
  });
  installSecurityHeaders(app, { tls: config.tls });
  // First, so every answer (a 401 from deny-by-default too) carries its request id and is counted.
  installOperations(app, services);
  installErrorHandlers(app);
  installValidators(app);
  installInputGuard(app);
  installRequestContext(app, services);
  installParentContext(app, services);
  installTrustContext(app, services);

  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
  for (const feature of features) await feature.routes(app, services);

  if (existsSync(WEB_DIST)) {
    // The built web app's files (one route per file, found at start-up) and the single-page
    // app's fallback are public: they hold no data. Marked so in their own plugin scope, so
    // deny-by-default still covers every other route.
    await app.register(async (web) => {
      web.addHook('onRoute', (r) => {
        r.config = { ...(r.config ?? {}), public: true, webAppFile: true };
      });
      await web.register(fastifyStatic, {
        root: WEB_DIST,
        prefix: '/',
        wildcard: false,
        index: false,
        // The build's .br and .gz copies (web-files.ts); each file's caching by its name.
        preCompressed: true,
        cacheControl: false,
        setHeaders: (reply, filePath) => {
          reply.header('Cache-Control', cacheControlFor(path.relative(WEB_DIST, filePath)));
        },
      });
      // The single-page app answers every other GET that is not under /api.
      web.get('/*', { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
        if (req.url.startsWith('/api/')) {
          return reply
            .status(404)
            .send({ error: { code: 'not_found', message: 'No such route.' } });
        }
        return reply.type('text/html').header('Cache-Control', REVALIDATE).sendFile('index.html');
      });
    });
  }
  await app.ready();
  return { app, routes };
}
