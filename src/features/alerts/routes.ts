import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { IdParams, responses } from '../../shared/schemas/common.ts';
import { AlertList, AlertListQuery, AlertView } from '../../shared/schemas/alerts.ts';
import { acknowledgeAlert, myAlerts } from './service.ts';
import { withWhatTheyAreAbout } from './about.ts';

export function registerAlertRoutes(app: App, _services: Services): void {
  app.get(
    '/api/alerts',
    {
      schema: {
        tags: ['alerts'],
        summary: 'My alerts (unacknowledged unless all=true)',
        querystring: AlertListQuery,
        response: responses({ 200: AlertList }),
      },
    },
    async (req) => ({
      items: await ctx(req).tx(async (t) =>
        withWhatTheyAreAbout(t, await myAlerts(t, req.query.all === true)),
      ),
    }),
  );

  app.post(
    '/api/alerts/:id/acknowledge',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Acknowledge one of my alerts',
        params: IdParams,
        response: responses({ 200: AlertView }),
      },
    },
    async (req) => ctx(req).tx((t) => acknowledgeAlert(t, req.params.id)),
  );
}
