// MIS routes: the integrators' push API (API key, no session) and the administrator's pages
// for sync runs, API keys and the pull connector. Thin: parse, authorise, call, present.
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { ErrorBody, IdParams, responses } from '../../shared/schemas/common.ts';
import { DomainError, notFound, unauthorised } from '../../core/errors.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import { createApiKey, listApiKeys, resolveApiKey, revokeApiKey } from './api-keys.ts';
import { withPushedSnapshot } from './push.ts';
import { runSync, SyncRejected } from './sync.ts';
import { MisFormatError } from './snapshot.ts';
import { getConnector, saveConnector, ConnectorBody, ConnectorView } from './connector.ts';
import { listRuns, RunItem } from './runs.ts';
import { inSchool } from '../../platform/db/tenancy.ts';

const PUSH_LIMIT = 100 * 1024 * 1024;

const SyncSummary = Type.Object({
  runId: Type.String(),
  status: Type.Union([Type.Literal('applied'), Type.Literal('rejected')]),
  duplicate: Type.Boolean(),
  added: Type.Integer(),
  changed: Type.Integer(),
  archived: Type.Integer(),
  rejected: Type.Integer(),
  conflicts: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
});

const PushBodySchema = Type.Object(
  {
    batchId: Type.String({ minLength: 1, maxLength: 200 }),
    format: Type.Union([Type.Literal('wonde'), Type.Literal('xporter')]),
    kind: Type.Union([Type.Literal('full'), Type.Literal('delta')]),
    files: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false },
);

const KeyItem = Type.Object({
  id: Type.String(),
  label: Type.String(),
  prefix: Type.String(),
  createdAt: Type.String(),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});

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
        body: PushBodySchema,
        response: { 200: SyncSummary, 400: ErrorBody, 401: ErrorBody, 422: SyncSummary },
      },
    },
    async (req, reply) => {
      const found = await resolveApiKey(services.db, bearer(req.headers.authorization));
      if (!found) throw unauthorised('That MIS API key is not recognised or has been revoked.');
      const actor = {
        actorId: null,
        actorLabel: `MIS API key ${found.keyId}`,
        ip: req.ip ?? null,
        userAgent: null,
      };
      await inSchool(services.db, found.schoolId, (q) =>
        q.query('UPDATE mis_api_keys SET last_used_at = $2 WHERE id = $1', [
          found.keyId,
          services.clock.now(),
        ]),
      );
      try {
        const result = await withPushedSnapshot(req.body, (snap) =>
          runSync(services.db, found.schoolId, snap, {
            source: 'push',
            format: req.body.format,
            batchId: req.body.batchId,
            actor,
            now: services.clock.now(),
          }),
        );
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
        response: responses({ 200: Type.Object({ items: Type.Array(RunItem) }) }),
      },
    },
    async (req) => ({ items: await admin(req).tx(listRuns) }),
  );
  app.get(
    '/api/admin/mis/keys',
    { schema: { tags, response: responses({ 200: Type.Object({ items: Type.Array(KeyItem) }) }) } },
    async (req) => ({ items: await admin(req).tx(listApiKeys) }),
  );
  app.post(
    '/api/admin/mis/keys',
    {
      schema: {
        tags,
        summary: 'Create an MIS API key (shown once, stored hashed)',
        body: Type.Object(
          { label: Type.String({ minLength: 1, maxLength: 100 }) },
          { additionalProperties: false },
        ),
        response: responses({ 201: Type.Object({ id: Type.String(), key: Type.String() }) }),
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
        response: responses({
          200: Type.Object({ connector: Type.Union([ConnectorView, Type.Null()]) }),
        }),
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
        response: responses({ 200: Type.Object({ connector: ConnectorView }) }),
      },
    },
    async (req) => ({ connector: await admin(req).tx((t) => saveConnector(t, req.body)) }),
  );
}
