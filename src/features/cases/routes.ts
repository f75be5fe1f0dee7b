import { Type } from 'typebox';
import { requireAbility } from '../../core/access/step-up.ts';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx, type RequestContext } from '../../core/context.ts';
import { ErrorBody, IdParams, Uuid, responses } from '../../shared/schemas/common.ts';
import { WITH_WHOM, DECISIONS, createConversation } from '../conversations/service.ts';
import { changeCase, decideCase, getCase, joinCase, listCaseOwners, openCase } from './service.ts';
import { CASE_ACTIONS, type CaseAction } from './policy.ts';

const Ref = Type.Object({ id: Type.String(), name: Type.String() });
const N = Type.Union([Type.String(), Type.Null()]);
export const CaseView = Type.Object({
  id: Type.String(),
  pupil: Ref,
  owner: Ref,
  status: Type.String(),
  reviewOn: N,
  reviewDue: Type.Boolean({ description: 'Open, and its review date has come.' }),
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
      owner: Type.Union([Ref, Type.Null()], {
        description: 'Owner given (opened, owner_changed).',
      }),
      reviewOn: Type.Union([Type.String(), Type.Null()], {
        description: 'Review date set (opened, review_date_changed); null when none or cleared.',
      }),
      outcome: N,
      rationale: N,
    }),
  ),
  allowed: Type.Array(
    Type.Unsafe<CaseAction>(Type.Union(CASE_ACTIONS.map((a) => Type.Literal(a)))),
    { description: 'What the current user may do with this case now (src/cases/policy.ts).' },
  ),
});
const ReviewDate = Type.String({ format: 'date' });
// One type list rather than a union: the validator coerces types, and across a union would read
// null as "".
const NullableDate = Type.Unsafe<string | null>({ type: ['string', 'null'], format: 'date' });
const Closure = Type.Object(
  { outcome: Type.String({ maxLength: 500 }), rationale: Type.String({ maxLength: 5000 }) },
  { additionalProperties: false },
);

function manager(services: Services, req: Parameters<typeof ctx>[0]): RequestContext {
  const c = ctx(req);
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
            reviewOn: Type.Optional(ReviewDate),
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
    '/api/case-owners',
    {
      schema: {
        tags: ['cases'],
        summary: 'Staff who may own a case (members of a group that manages cases)',
        response: responses({ 200: Type.Object({ items: Type.Array(Ref) }) }),
      },
    },
    async (req) => ({ items: await manager(services, req).tx(listCaseOwners) }),
  );

  app.patch(
    '/api/cases/:id',
    {
      schema: {
        tags: ['cases'],
        summary: "Change an open case's owner or review date (null clears the review date)",
        params: IdParams,
        body: Type.Object(
          {
            ownerId: Type.Optional(Uuid),
            reviewOn: Type.Optional(NullableDate),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: CaseView, 409: ErrorBody }),
      },
    },
    async (req) =>
      manager(services, req).tx(async (t) => {
        await changeCase(t, req.params.id, req.body);
        return getCase(t, req.params.id, false);
      }),
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
        response: responses({ 200: CaseView, 409: ErrorBody }),
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
          response: responses({ 200: CaseView, 409: ErrorBody }),
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
        response: responses({ 200: CaseView, 409: ErrorBody }),
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
