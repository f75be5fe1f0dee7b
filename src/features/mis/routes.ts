// MIS routes: the integrators' push API (API key, no session) and the administrator's pages
// for sync runs, API keys and the pull connector. Thin: parse, authorise, call, present.
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { asSystem, ctx, originOf, visitor } from '../../core/context.ts';
import { ErrorBody, IdParams, responses } from '../../shared/schemas/common.ts';
import {
  ApiKeyList,
  ConnectorBody,
  ConnectorState,
  CreatedApiKey,
  NewApiKey,
  PushBody,
  RunList,
  SavedConnector,
  SyncSummary,
} from '../../shared/schemas/mis.ts';
import { DomainError, notFound, unauthorised } from '../../core/errors.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import { createApiKey, listApiKeys, resolveApiKey, revokeApiKey } from './api-keys.ts';
import { applyPush } from './push.ts';
import { SyncRejected } from './sync.ts';
import { MisFormatError } from './snapshot.ts';
import { getConnector, saveConnector } from './connector.ts';
import { listRuns } from './runs.ts';

const PUSH_LIMIT = 100 * 1024 * 1024;

function bearer(header: string | undefined): string {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!m?.[1])
    throw unauthorised('Send the school’s MIS API key as "Authorization: Bearer <key>".');
  return m[1];
}

export function registerMisRoutes(app: App, services: Services): void {
  app.post(
    '/api/mis/push',
    {
      config: { public: true },
      bodyLimit: PUSH_LIMIT,
      schema: {
        tags: ['mis'],
        summary:
          'Push a full snapshot or a delta (Wonde- or Xporter-style JSON) with the school API key',
        body: PushBody,
        response: { 200: SyncSummary, 400: ErrorBody, 401: ErrorBody, 422: SyncSummary },
      },
    },
    async (req, reply) => {
      const key = bearer(req.headers.authorization);
      const found = await resolveApiKey(visitor(services, originOf(req)), key);
      if (!found) throw unauthorised('That MIS API key is not recognised or has been revoked.');
      const asKey = asSystem(services, found.schoolId, 'mis_api_key', found.keyId, {
        ip: originOf(req).ip,
        userAgent: null,
      });
      try {
        const result = await applyPush(asKey, found.keyId, req.body);
        return { ...result, conflicts: result.conflicts.length };
      } catch (err) {
        if (err instanceof SyncRejected) {
          return reply.status(422).send({ ...err.result, conflicts: 0 });
        }
        if (err instanceof MisFormatError) throw new DomainError('invalid', 'invalid', err.message);
        throw err;
      }
    },
  );

  const admin = (req: Parameters<typeof ctx>[0]) => {
    const c = ctx(req);
    requireAbility(c.actor, 'admin');
    return c;
  };
  const tags = ['admin', 'mis'];

  app.get(
    '/api/admin/mis/runs',
    {
      schema: {
        tags,
        summary: 'Recent MIS sync runs with their counts and rejections',
        response: responses({ 200: RunList }),
      },
    },
    async (req) => ({ items: await admin(req).tx(listRuns) }),
  );
  app.get(
    '/api/admin/mis/keys',
    { schema: { tags, response: responses({ 200: ApiKeyList }) } },
    async (req) => ({ items: await admin(req).tx(listApiKeys) }),
  );
  app.post(
    '/api/admin/mis/keys',
    {
      schema: {
        tags,
        summary: 'Create an MIS API key (shown once, stored hashed)',
        body: NewApiKey,
        response: responses({ 201: CreatedApiKey }),
      },
    },
    async (req, reply) => {
      const created = await admin(req).tx((t) => createApiKey(t, req.body.label));
      return reply.status(201).header('Cache-Control', 'no-store').send(created);
    },
  );
  app.post(
    '/api/admin/mis/keys/:id/revoke',
    {
      schema: {
        tags,
        summary: 'Revoke an MIS API key',
        params: IdParams,
        response: responses({ 204: Type.Null() }),
      },
    },
    async (req, reply) => {
      const done = await admin(req).tx((t) => revokeApiKey(t, req.params.id));
      if (!done) throw notFound('That live API key');
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/api/admin/mis/connector',
    {
      schema: {
        tags,
        summary: 'The pull connector settings (never the token)',
        response: responses({ 200: ConnectorState }),
      },
    },
    async (req) => ({ connector: await admin(req).tx(getConnector) }),
  );
  app.put(
    '/api/admin/mis/connector',
    {
      schema: {
        tags,
        summary: 'Set the Wonde-style pull connector: base URL, token (sealed), schedule',
        body: ConnectorBody,
        response: responses({ 200: SavedConnector }),
      },
    },
    async (req) => ({ connector: await admin(req).tx((t) => saveConnector(t, req.body)) }),
  );
}
