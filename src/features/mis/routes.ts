// MIS routes: the integrators' push API (API key, no session) and the administrator's pages
// for sync runs, API keys and the pull connector. Thin: parse, authorise, call, present.
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { asSystem, ctx, originOf } from '../../core/context.ts';
import { ErrorBody, IdParams, responses } from '../../shared/schemas/common.ts';
import {
  ApiKeyList,
  ConnectorBody,
  HeldDecision,
  HeldList,
  HeldOutcome,
  MisSettings,
  MisSettingsBody,
  ConnectorState,
  CreatedApiKey,
  NewApiKey,
  PushBody,
  RunList,
  SavedConnector,
  SyncSummary,
} from '../../shared/schemas/mis.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.ts';
import { pushGuard } from './push-guard.ts';
import { MIS_PUSH_HARD_LIMIT_BYTES } from '../../shared/limits.ts';
import { applyPush } from './push.ts';
import { SyncRejected } from './sync.ts';
import { MisFormatError } from './snapshot.ts';
import { getConnector, saveConnector } from './connector.ts';
import { listRuns } from './runs.ts';
import { decideHeld, listHeld } from './held.ts';
import { applyHeldSnapshot, type SyncSource } from './sync.ts';
import { readMisSettings, saveMisSettings } from './settings.ts';

export function registerMisRoutes(app: App, services: Services): void {
  // The key, the rate limits and the school's size limit are checked before the body is read
  // (push-guard.ts); the handler runs only for a live key and a body within the limit.
  const guard = pushGuard(services);
  const allowPrivate = services.config.env === 'development';
  app.post(
    '/api/mis/push',
    {
      config: { public: true },
      bodyLimit: MIS_PUSH_HARD_LIMIT_BYTES,
      onRequest: guard.onRequest,
      preParsing: guard.preParsing,
      errorHandler: guard.errorHandler,
      schema: {
        tags: ['mis'],
        summary:
          'Push a full snapshot or a delta (Wonde- or Xporter-style JSON) with the school API key',
        description:
          'Authorization: Bearer <key> is checked before the body is read. A body over the ' +
          'school’s MIS push limit (50 MB unless the school sets another) is refused with 413; ' +
          'pushes are rate-limited per key and per address (429 with Retry-After).',
        body: PushBody,
        response: {
          200: SyncSummary,
          202: SyncSummary,
          400: ErrorBody,
          401: ErrorBody,
          413: ErrorBody,
          422: SyncSummary,
          429: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const found = guard.caller(req);
      const asKey = asSystem(services, found.schoolId, 'mis_api_key', found.keyId, {
        ip: originOf(req).ip,
        userAgent: null,
      });
      try {
        const result = await applyPush(asKey, found.keyId, req.body);
        // Held: accepted, nothing applied, waiting for the school's administrator.
        return reply
          .status(result.status === 'held' ? 202 : 200)
          .send({ ...result, conflicts: result.conflicts.length });
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
    '/api/admin/mis/held',
    {
      schema: {
        tags,
        summary: 'Held MIS runs: full runs that would archive too many pupils or all staff',
        response: responses({ 200: HeldList }),
      },
    },
    async (req) => ({ items: await admin(req).tx(listHeld) }),
  );
  app.post(
    '/api/admin/mis/held/:id',
    {
      schema: {
        tags,
        summary: 'Apply or discard a held MIS run (audited)',
        params: IdParams,
        body: HeldDecision,
        response: responses({ 200: HeldOutcome }),
      },
    },
    async (req) =>
      admin(req).tx(async (t) => {
        const { decision } = req.body;
        const { snapshot, source } = await decideHeld(t, req.params.id, decision);
        if (!snapshot) return { decision, summary: null };
        try {
          const r = await applyHeldSnapshot(t, snapshot, source as SyncSource);
          return { decision, summary: { ...r, conflicts: r.conflicts.length } };
        } catch (err) {
          if (err instanceof MisFormatError)
            throw new DomainError('invalid', 'invalid', err.message);
          throw err;
        }
      }),
  );
  app.get(
    '/api/admin/mis/settings',
    {
      schema: {
        tags,
        summary: 'The school’s MIS settings: the guard, the weekly full pull, CSV headings',
        response: responses({ 200: MisSettings }),
      },
    },
    async (req) => admin(req).tx(readMisSettings),
  );
  app.put(
    '/api/admin/mis/settings',
    {
      schema: {
        tags,
        summary: 'Set the school’s MIS settings (audited)',
        body: MisSettingsBody,
        response: responses({ 200: MisSettings }),
      },
    },
    async (req) => admin(req).tx((t) => saveMisSettings(t, req.body)),
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
        summary:
          'Set the pull connector: Wonde or Xporter on Demand, base URL, token or school secret (sealed), schedule',
        body: ConnectorBody,
        response: responses({ 200: SavedConnector }),
      },
    },
    async (req) => ({
      connector: await admin(req).tx((t) => saveConnector(t, req.body, { allowPrivate })),
    }),
  );
}
