// The DSL team's cases: open one (optionally from a concern), change its owner or review date,
// add concerns, close it or mark "no further action", reopen it. Every route needs `case.manage`
// (caseManager); what may be done to this case now is policy.ts, applied in service.ts.
import { settleOpenWork } from './open-work.ts';
import { caseView } from './view.ts';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ErrorBody, IdParams, responses } from '../../shared/schemas/common.ts';
import {
  CaseChange,
  CaseClosure,
  CaseConcern,
  CaseOwnerList,
  CaseReopen,
  CaseView,
  NewCase,
} from '../../shared/schemas/cases.ts';
import { changeCase, decideCase, getCase, joinCase, listCaseOwners, openCase } from './service.ts';
import { caseManager } from './policy.ts';

export function registerCaseRoutes(app: App, _services: Services): void {
  app.post(
    '/api/cases',
    {
      schema: {
        tags: ['cases'],
        summary: 'Open a case for a pupil, optionally from a concern',
        body: NewCase,
        response: responses({ 201: CaseView }),
      },
    },
    async (req, reply) => {
      const view = await caseManager(req).tx(async (t) =>
        caseView(t, await openCase(t, req.body), false),
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
        response: responses({ 200: CaseOwnerList }),
      },
    },
    async (req) => ({ items: await caseManager(req).tx(listCaseOwners) }),
  );

  app.patch(
    '/api/cases/:id',
    {
      schema: {
        tags: ['cases'],
        summary: "Change an open case's owner or review date (null clears the review date)",
        params: IdParams,
        body: CaseChange,
        response: responses({ 200: CaseView, 409: ErrorBody }),
      },
    },
    async (req) =>
      caseManager(req).tx(async (t) => {
        await changeCase(t, req.params.id, req.body);
        return caseView(t, req.params.id, false);
      }),
  );

  app.get(
    '/api/cases/:id',
    { schema: { tags: ['cases'], params: IdParams, response: responses({ 200: CaseView }) } },
    async (req) => caseManager(req).tx((t) => caseView(t, req.params.id)),
  );

  app.post(
    '/api/cases/:id/concerns',
    {
      schema: {
        tags: ['cases'],
        summary: 'A concern joins this case',
        params: IdParams,
        body: CaseConcern,
        response: responses({ 200: CaseView, 409: ErrorBody }),
      },
    },
    async (req) =>
      caseManager(req).tx(async (t) => {
        await getCase(t, req.params.id, false);
        await joinCase(t, req.params.id, req.body.concernId);
        return caseView(t, req.params.id, false);
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
          body: CaseClosure,
          response: responses({ 200: CaseView, 409: ErrorBody }),
        },
      },
      async (req) =>
        caseManager(req).tx(async (t) => {
          const { openWork, ...closure } = req.body;
          await decideCase(t, req.params.id, { kind, ...closure });
          // Each open action and referral as the DSL chose, in the same transaction.
          await settleOpenWork(t, req.params.id, openWork ?? []);
          return caseView(t, req.params.id, false);
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
        body: CaseReopen,
        response: responses({ 200: CaseView, 409: ErrorBody }),
      },
    },
    async (req) =>
      caseManager(req).tx(async (t) => {
        await decideCase(t, req.params.id, { kind: 'reopened', reason: req.body.reason });
        return caseView(t, req.params.id, false);
      }),
  );
}
