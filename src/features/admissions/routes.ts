// Admission forms and the MIS write-back, staff side (issue 21). Every route asks for the
// `parents` ability (policy.ts), elevated. The parent side takes the same domain functions
// (answers.ts) behind the parent door's own routes.
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import { ctx, type RequestContext } from '../../core/context.ts';
import { IdParams, responses } from '../../shared/schemas/common.ts';
import { Created } from '../../shared/schemas/administration.ts';
import {
  AdmissionFormDetail,
  AdmissionFormList,
  AdmissionReview,
  DecideField,
  NewAdmissionForm,
  SendForm,
  WritebackFile,
  WritebackQueue,
} from '../../shared/admissions.ts';
import { requireFormsStaff } from './policy.ts';
import { createForm, listForms, readForm, sendForm } from './forms.ts';
import { decideField, reviewRequest } from './review.ts';
import { exportWriteback, writebackQueue } from './writeback.ts';
import { auditingRefusals, type AdmissionAttempt } from './refusals.ts';

const tags = ['admissions'];

function staff(req: { context: RequestContext | null }): RequestContext {
  const c = ctx(req);
  requireFormsStaff(c.actor);
  return c;
}
const refusing = <T>(
  c: RequestContext,
  attempt: AdmissionAttempt,
  target: string | undefined,
  work: () => Promise<T>,
) => auditingRefusals((fn) => c.tx(fn), attempt, target, work);

export function registerAdmissionRoutes(app: App): void {
  app.get(
    '/api/admissions/forms',
    {
      schema: {
        tags,
        summary: 'Admission forms, with how many were sent and sent back',
        response: responses({ 200: AdmissionFormList }),
      },
    },
    async (req) => staff(req).tx(listForms),
  );

  app.post(
    '/api/admissions/forms',
    {
      schema: {
        tags,
        summary: 'Build an admission form: each question bound to an MIS field',
        body: NewAdmissionForm,
        response: responses({ 201: Created }),
      },
    },
    async (req, reply) => {
      const c = staff(req);
      const made = await refusing(c, 'create', undefined, () =>
        c.tx((t) => createForm(t, req.body)),
      );
      return reply.status(201).send(made);
    },
  );

  app.get(
    '/api/admissions/forms/:id',
    {
      schema: {
        tags,
        summary: 'An admission form and each pupil it was sent for',
        params: IdParams,
        response: responses({ 200: AdmissionFormDetail }),
      },
    },
    async (req) => staff(req).tx((t) => readForm(t, req.params.id)),
  );

  app.post(
    '/api/admissions/forms/:id/send',
    {
      schema: {
        tags,
        summary:
          'Send the form for chosen pupils or an intake (the MIS values now are kept for review)',
        params: IdParams,
        body: SendForm,
        response: responses({ 200: Type.Object({ sent: Type.Integer() }) }),
      },
    },
    async (req) => {
      const c = staff(req);
      return refusing(c, 'send', req.params.id, () =>
        c.tx((t) => sendForm(t, req.params.id, req.body)),
      );
    },
  );

  app.get(
    '/api/admissions/requests/:id/review',
    {
      schema: {
        tags,
        summary: 'A sent-back form, field by field against what the MIS holds now',
        params: IdParams,
        response: responses({ 200: AdmissionReview }),
      },
    },
    async (req) => staff(req).tx((t) => reviewRequest(t, req.params.id)),
  );

  app.post(
    '/api/admissions/requests/:id/decisions',
    {
      schema: {
        tags,
        summary: 'Accept (queue for the MIS) or reject (reason kept internal) one field',
        params: IdParams,
        body: DecideField,
        response: responses({ 200: AdmissionReview }),
      },
    },
    async (req) => {
      const c = staff(req);
      return refusing(c, 'decide', req.params.id, () =>
        c.tx((t) => decideField(t, req.params.id, req.body)),
      );
    },
  );

  app.get(
    '/api/admissions/writeback',
    {
      schema: {
        tags,
        summary: 'Accepted changes waiting to go back to the MIS, and past exports',
        response: responses({ 200: WritebackQueue }),
      },
    },
    async (req) => staff(req).tx(writebackQueue),
  );

  app.post(
    '/api/admissions/writeback/export',
    {
      schema: {
        tags,
        summary: 'Export the waiting changes as a CSV file for the MIS, and mark them exported',
        response: responses({ 200: WritebackFile }),
      },
    },
    async (req) => {
      const c = staff(req);
      return refusing(c, 'export', undefined, () => c.tx(exportWriteback));
    },
  );
}
