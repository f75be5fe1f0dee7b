// The health check for load balancers and monitors: public, and answers whether the database does.
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { Health } from '../../shared/schemas/health.ts';

export function registerHealthRoutes(app: App, services: Services): void {
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: { tags: ['operations'], response: { 200: Health, 503: Health } },
    },
    async (_req, reply) => {
      try {
        await services.db.query('SELECT 1');
        return { status: 'ok' };
      } catch {
        return reply.status(503).send({ status: 'unavailable' });
      }
    },
  );
}
