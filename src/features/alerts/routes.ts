import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { IdParams, responses } from '../../shared/schemas/common.ts';
import { acknowledgeAlert, myAlerts } from './service.ts';

export const AlertView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  targetType: Type.String(),
  targetId: Type.String(),
  viaGroup: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  acknowledgedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export function registerAlertRoutes(app: App, _services: Services): void {
  app.get(
    '/api/alerts',
    {
      schema: {
        tags: ['alerts'],
        summary: 'My alerts (unacknowledged unless all=true)',
        querystring: Type.Object(
          { all: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Object({ items: Type.Array(AlertView) }) }),
      },
    },
    async (req) => ({
      items: await ctx(req).tx((t) => myAlerts(t, req.query.all === true)),
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
