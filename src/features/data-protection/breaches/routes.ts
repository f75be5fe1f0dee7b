// The breach register (issue 17). Every route asks the `data_protection` ability first
// (../policy.ts); reads and changes audited with the work, refusals on their own.
import { Type } from 'typebox';
import type { App } from '../../../core/feature.ts';
import { ctx } from '../../../core/context.ts';
import { IdParams, responses } from '../../../shared/schemas/common.ts';
import { Created } from '../../../shared/schemas/administration.ts';
import {
  BreachDetail,
  BreachList,
  BreachPatch,
  CloseBreach,
  IcoUpdate,
  NewBreach,
} from '../../../shared/schemas/data-protection.ts';
import { registerActions, requireDataProtection } from '../policy.ts';
import { auditingRefusals } from '../refusals.ts';
import {
  addIcoUpdate,
  changeBreach,
  closeBreach,
  getBreach,
  listBreaches,
  recordBreach,
} from './service.ts';

const tags = ['data-protection'];
const Done = Type.Object({ done: Type.Literal(true) });

export function registerBreachRoutes(app: App): void {
  app.get(
    '/api/data-protection/breaches',
    {
      schema: {
        tags,
        summary: 'The breach register: every breach, reported or not',
        response: responses({ 200: BreachList }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      return { items: await c.tx(listBreaches), allowed: registerActions(c.actor) };
    },
  );

  app.post(
    '/api/data-protection/breaches',
    {
      schema: {
        tags,
        summary: 'Record a breach: when and how the school became aware, and what is known',
        body: NewBreach,
        response: responses({ 201: Created }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      const created = await auditingRefusals(c, 'breach_record', undefined, () =>
        c.tx((t) => recordBreach(t, req.body)),
      );
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/api/data-protection/breaches/:id',
    {
      schema: {
        tags,
        summary: 'One breach, its 72-hour clock, decisions and updates',
        params: IdParams,
        response: responses({ 200: BreachDetail }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      return c.tx((t) => getBreach(t, req.params.id));
    },
  );

  app.patch(
    '/api/data-protection/breaches/:id',
    {
      schema: {
        tags,
        summary: 'Record the assessment and decisions as they are made (confirms a draft)',
        params: IdParams,
        body: BreachPatch,
        response: responses({ 200: Done }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      await auditingRefusals(c, 'breach_change', req.params.id, () =>
        c.tx((t) => changeBreach(t, req.params.id, req.body)),
      );
      return { done: true as const };
    },
  );

  app.post(
    '/api/data-protection/breaches/:id/ico-updates',
    {
      schema: {
        tags,
        summary: 'Record an update sent to the ICO (the next phase)',
        params: IdParams,
        body: IcoUpdate,
        response: responses({ 201: Type.Object({ phase: Type.Integer() }) }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      const phase = await auditingRefusals(c, 'breach_update', req.params.id, () =>
        c.tx((t) => addIcoUpdate(t, req.params.id, req.body)),
      );
      return reply.status(201).send({ phase });
    },
  );

  app.post(
    '/api/data-protection/breaches/:id/close',
    {
      schema: {
        tags,
        summary: 'Close a breach with its lessons, once its risk and decisions are recorded',
        params: IdParams,
        body: CloseBreach,
        response: responses({ 200: Done }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      await auditingRefusals(c, 'breach_close', req.params.id, () =>
        c.tx((t) => closeBreach(t, req.params.id, req.body)),
      );
      return { done: true as const };
    },
  );
}
