import { Type } from 'typebox';
import { requireAbility } from '../access/step-up.ts';
import type { App } from '../http/app.ts';
import type { Services } from '../services.ts';
import { ctx, type RequestContext } from '../http/context.ts';
import { IdParams, Uuid, responses } from '../http/schemas.ts';
import { WITH_WHOM, DECISIONS, createConversation } from '../conversations/service.ts';
import { decideCase, getCase, joinCase, openCase } from './service.ts';

const Ref = Type.Object({ id: Type.String(), name: Type.String() });
const N = Type.Union([Type.String(), Type.Null()]);
export const CaseView = Type.Object({
  id: Type.String(),
  pupil: Ref,
  owner: Ref,
  status: Type.String(),
  reviewOn: N,
  openedAt: Type.String(),
  outcome: N,
  rationale: N,
  concernIds: Type.Array(Type.String()),
  events: Type.Array(
    Type.Object({
      id: Type.String(),
      kind: Type.String(),
      at: Type.String(),
      by: Ref,
      concernId: N,
      outcome: N,
      rationale: N,
    }),
  ),
});
const Closure = Type.Object(
  { outcome: Type.String({ maxLength: 500 }), rationale: Type.String({ maxLength: 5000 }) },
  { additionalProperties: false },
);

function manager(services: Services, req: Parameters<typeof ctx>[1]): RequestContext {
  const c = ctx(services, req);
  requireAbility(c.actor, 'case.manage');
  return c;
}

export function registerCaseRoutes(app: App, services: Services): void {
  app.post(
    '/api/cases',
    {
      schema: {
        tags: ['cases'],
        summary: 'Open a case for a pupil, optionally from a concern',
        body: Type.Object(
          {
            pupilId: Uuid,
            ownerId: Type.Optional(Uuid),
            reviewOn: Type.Optional(Type.String({ format: 'date' })),
            concernId: Type.Optional(Uuid),
          },
          { additionalProperties: false },
        ),
        response: responses({ 201: CaseView }),
      },
    },
    async (req, reply) => {
      const view = await manager(services, req).tx(async (t) =>
        getCase(t, await openCase(t, req.body), false),
      );
      return reply.status(201).send(view);
    },
  );

  app.get(
    '/api/cases/:id',
    { schema: { tags: ['cases'], params: IdParams, response: responses({ 200: CaseView }) } },
    async (req) => manager(services, req).tx((t) => getCase(t, req.params.id)),
  );

  app.post(
    '/api/cases/:id/concerns',
    {
      schema: {
        tags: ['cases'],
        summary: 'A concern joins this case',
        params: IdParams,
        body: Type.Object({ concernId: Uuid }, { additionalProperties: false }),
        response: responses({ 200: CaseView }),
      },
    },
    async (req) =>
      manager(services, req).tx(async (t) => {
        await getCase(t, req.params.id, false);
        await joinCase(t, req.params.id, req.body.concernId);
        return getCase(t, req.params.id, false);
      }),
  );

  for (const kind of ['closed', 'no_further_action'] as const) {
    app.post(
      `/api/cases/:id/${kind === 'closed' ? 'close' : 'no-further-action'}`,
      {
        schema: {
          tags: ['cases'],
          summary:
            kind === 'closed'
              ? 'Close a case (outcome and rationale required)'
              : 'Mark no further action (outcome and rationale required)',
          params: IdParams,
          body: Closure,
          response: responses({ 200: CaseView, 409: CaseView }),
        },
      },
      async (req) =>
        manager(services, req).tx(async (t) => {
          await decideCase(t, req.params.id, { kind, ...req.body });
          return getCase(t, req.params.id, false);
        }),
    );
  }

  app.post(
    '/api/cases/:id/reopen',
    {
      schema: {
        tags: ['cases'],
        summary: 'Reopen a closed case, saying why',
        params: IdParams,
        body: Type.Object(
          { reason: Type.String({ minLength: 1, maxLength: 5000 }) },
          { additionalProperties: false },
        ),
        response: responses({ 200: CaseView }),
      },
    },
    async (req) =>
      manager(services, req).tx(async (t) => {
        await decideCase(t, req.params.id, { kind: 'reopened', reason: req.body.reason });
        return getCase(t, req.params.id, false);
      }),
  );

  app.post(
    '/api/conversations',
    {
      schema: {
        tags: ['conversations'],
        summary: 'Record a meeting or conversation with parents, carers or the child',
        body: Type.Object(
          {
            pupilId: Uuid,
            withWhom: Type.Union(WITH_WHOM.map((w) => Type.Literal(w))),
            decision: Type.Optional(Type.Union(DECISIONS.map((d) => Type.Literal(d)))),
            happenedAt: Type.String({ format: 'date-time' }),
            text: Type.String({ minLength: 1, maxLength: 20_000 }),
            concernId: Type.Optional(Uuid),
            caseId: Type.Optional(Uuid),
          },
          { additionalProperties: false },
        ),
        response: responses({ 201: Type.Object({ id: Type.String() }) }),
      },
    },
    async (req, reply) => {
      const id = await manager(services, req).tx((t) => createConversation(t, req.body));
      return reply.status(201).send({ id });
    },
  );
}
