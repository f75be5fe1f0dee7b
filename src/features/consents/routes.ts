// Consent forms, staff side (issue 21). Every route asks for the `parents` ability (policy.ts),
// elevated. Parents answer through the parent door's routes, which call answers.ts.
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import { ctx, type RequestContext } from '../../core/context.ts';
import { IdParams, responses } from '../../shared/schemas/common.ts';
import { Created } from '../../shared/schemas/administration.ts';
import {
  AddPupils,
  ConsentFormDetail,
  ConsentFormList,
  NewConsentForm,
  NewConsentVersion,
} from '../../shared/consents.ts';
import { requireConsentStaff } from './policy.ts';
import {
  addPupils,
  createConsentForm,
  listConsentForms,
  publishVersion,
  readConsentForm,
  withdrawForm,
} from './forms.ts';
import { auditingConsentRefusals, type ConsentAttempt } from './refusals.ts';

const tags = ['consents'];

function staff(req: { context: RequestContext | null }): RequestContext {
  const c = ctx(req);
  requireConsentStaff(c.actor);
  return c;
}
const refusing = <T>(
  c: RequestContext,
  attempt: ConsentAttempt,
  target: string | undefined,
  work: () => Promise<T>,
) => auditingConsentRefusals((fn) => c.tx(fn), attempt, target, work);

export function registerConsentRoutes(app: App): void {
  app.get(
    '/api/consents/forms',
    {
      schema: {
        tags,
        summary: 'Consent forms, each with its current version and disagreements between parents',
        response: responses({ 200: ConsentFormList }),
      },
    },
    async (req) => staff(req).tx(listConsentForms),
  );

  app.post(
    '/api/consents/forms',
    {
      schema: {
        tags,
        summary: 'Write a consent form (version 1) and choose the pupils it asks about',
        body: NewConsentForm,
        response: responses({ 201: Created }),
      },
    },
    async (req, reply) => {
      const c = staff(req);
      const made = await refusing(c, 'create', undefined, () =>
        c.tx((t) => createConsentForm(t, req.body)),
      );
      return reply.status(201).send(made);
    },
  );

  app.get(
    '/api/consents/forms/:id',
    {
      schema: {
        tags,
        summary: 'Every version, and per pupil who answered what to which version',
        params: IdParams,
        response: responses({ 200: ConsentFormDetail }),
      },
    },
    async (req) => staff(req).tx((t) => readConsentForm(t, req.params.id)),
  );

  app.post(
    '/api/consents/forms/:id/versions',
    {
      schema: {
        tags,
        summary: 'Publish a new version: every parent is asked again; earlier answers are kept',
        params: IdParams,
        body: NewConsentVersion,
        response: responses({ 201: Created }),
      },
    },
    async (req, reply) => {
      const c = staff(req);
      const made = await refusing(c, 'publish', req.params.id, () =>
        c.tx((t) => publishVersion(t, req.params.id, req.body)),
      );
      return reply.status(201).send(made);
    },
  );

  app.post(
    '/api/consents/forms/:id/withdraw',
    {
      schema: {
        tags,
        summary: 'Withdraw the form: parents are no longer asked; answers are kept',
        params: IdParams,
        response: responses({ 204: Type.Null() }),
      },
    },
    async (req, reply) => {
      const c = staff(req);
      await refusing(c, 'withdraw', req.params.id, () =>
        c.tx((t) => withdrawForm(t, req.params.id)),
      );
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/consents/forms/:id/pupils',
    {
      schema: {
        tags,
        summary: 'Ask about more pupils',
        params: IdParams,
        body: AddPupils,
        response: responses({ 200: Type.Object({ added: Type.Integer() }) }),
      },
    },
    async (req) => {
      const c = staff(req);
      return refusing(c, 'add_pupils', req.params.id, () =>
        c.tx((t) => addPupils(t, req.params.id, req.body.pupilIds)),
      );
    },
  );
}
