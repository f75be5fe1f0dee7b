// What operators' machines read (issue 16): the request id, the request metrics, /readyz and
// /metrics. Protects: /metrics says how busy each route is and how old the backups are, so it is
// off (404) unless LANTERN_METRICS_TOKEN is set, and then answers only a request bearing that
// token (compared in constant time over digests; anything else is 401). /readyz says only
// ready or not. A request id is taken from `x-request-id` only when it is 1–64 letters, digits
// and hyphens (so it can never carry a name or break a log line), otherwise made here, and sent
// back on every answer. Metrics' labels are route patterns and status classes, never a URL.
// To change safely: keep /metrics' check before any work, and keep labels to fixed sets.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { App } from '../core/feature.ts';
import type { Services } from '../platform/services.ts';
import { httpDuration, refreshGauges, registry } from '../platform/metrics.ts';

const REQUEST_ID = /^[A-Za-z0-9-]{1,64}$/;

/** The request's id: the caller's `x-request-id` if it is safe, otherwise a new one. */
export function requestIdOf(req: { headers: Record<string, string | string[] | undefined> }) {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Whether this process should be sent traffic; flipped off first on shutdown. */
export type Readiness = { shuttingDown: boolean };
const readiness = new WeakMap<App, Readiness>();

/** Marks the app as going away: /readyz answers 503 from now on, while requests in flight end. */
export function markShuttingDown(app: App): void {
  const r = readiness.get(app);
  if (r) r.shuttingDown = true;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

function bearerMatches(req: FastifyRequest, token: string): boolean {
  const header = req.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
  return timingSafeEqual(digest(header.slice('Bearer '.length)), digest(token));
}

const Ready = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  reason: Type.Optional(Type.String()),
});

/** Why this process cannot take traffic now, or null when it can. */
async function notReadyBecause(services: Services, state: Readiness): Promise<string | null> {
  if (state.shuttingDown) return 'shutting_down';
  if (!services.keys.keyringLoaded()) return 'keys_unavailable';
  try {
    if (services.db.engine === 'postgres') {
      const [row] = await services.db.query<{ standby: boolean }>(
        'SELECT pg_is_in_recovery() AS standby',
      );
      if (row?.standby !== false) return 'database_read_only';
    } else {
      await services.db.query('SELECT 1');
    }
  } catch {
    return 'database_unreachable';
  }
  return null;
}

export function installOperations(app: App, services: Services): void {
  const state: Readiness = { shuttingDown: false };
  readiness.set(app, state);

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    // The route's pattern (/api/concerns/:id), never the URL; unmatched requests share one label.
    const route = req.routeOptions.url ?? 'unmatched';
    httpDuration.observe(
      {
        method: req.method,
        route,
        status_class: `${Math.floor(reply.statusCode / 100)}xx`,
      },
      reply.elapsedTime / 1000,
    );
  });

  // Ready: migrated and keys loaded (both done before the app is built), the database reachable
  // and writable (not a standby), and not shutting down. Distinct from /healthz (alive).
  app.get(
    '/readyz',
    {
      config: { public: true },
      schema: { tags: ['operations'], response: { 200: Ready, 503: Ready } },
    },
    async (_req, reply) => {
      const reason = await notReadyBecause(services, state);
      if (reason === null) return { status: 'ready' as const };
      return reply.status(503).send({ status: 'not_ready' as const, reason });
    },
  );

  app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
    const token = services.config.metricsToken;
    if (!token) {
      return reply.status(404).send({ error: { code: 'not_found', message: 'No such route.' } });
    }
    if (!bearerMatches(req, token)) {
      return reply
        .status(401)
        .header('www-authenticate', 'Bearer realm="lantern-metrics"')
        .send({
          error: {
            code: 'unauthorised',
            message: 'The metrics need the bearer token set as LANTERN_METRICS_TOKEN.',
          },
        });
    }
    await refreshGauges(services.db, services.config.backup.dir);
    return reply
      .header('content-type', registry.contentType)
      .header('cache-control', 'no-store')
      .send(await registry.metrics());
  });
}
