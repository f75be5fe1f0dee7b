// Complaints (issue 17). Two public routes — a challenge, and the complaint sent with its proof of
// work — reachable with no account (the school is named by its id in the path, never a name); a
// refused complaint (rate limit, bad or spent challenge) is audited in its own transaction as
// anonymous, with the reason only, at most once per sender per hour. The register's routes ask the `data_protection` ability first.
import { Type } from 'typebox';
import type { App } from '../../../core/feature.ts';
import type { Services } from '../../../platform/services.ts';
import { ctx, originOf, visitor, type VisitorContext } from '../../../core/context.ts';
import { DomainError, notFound } from '../../../core/errors.ts';
import { ErrorBody, IdParams, responses } from '../../../shared/schemas/common.ts';
import {
  COMPLAINT_WORK_BITS,
  ComplaintChallenge,
  ComplaintList,
  ComplaintReceived,
  NewComplaint,
  RespondToComplaint,
  SchoolParams,
} from '../../../shared/schemas/data-protection.ts';
import { requireDataProtection } from '../policy.ts';
import { auditingRefusals } from '../refusals.ts';
import { issueChallenge } from './challenge.ts';
import {
  acknowledgeComplaint,
  auditComplaintRefusal,
  listComplaints,
  receiveComplaint,
  respondToComplaint,
} from './service.ts';

const tags = ['data-protection'];
const Done = Type.Object({ done: Type.Literal(true) });

/** Runs fn in the school when it exists (a visitor may name any id). */
async function inExistingSchool<T>(
  v: VisitorContext,
  schoolId: string,
  fn: Parameters<VisitorContext['inSchool']>[1],
): Promise<T> {
  return v.inSchool(schoolId, async (t) => {
    const [school] = await t.q('SELECT 1 FROM schools WHERE id = $1', [schoolId]);
    if (!school) throw notFound('That school');
    return fn(t) as Promise<T>;
  });
}

export function registerComplaintRoutes(app: App, services: Services): void {
  app.get(
    '/api/public/schools/:schoolId/complaint-challenge',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'A one-use challenge for the public complaint form (proof of work)',
        params: SchoolParams,
        response: responses({ 200: ComplaintChallenge }),
      },
    },
    async (req) => {
      const v = visitor(services, originOf(req));
      const challenge = await inExistingSchool<string>(v, req.params.schoolId, async (t) =>
        issueChallenge((await t.sealer()).searchKey, t.schoolId, t.now),
      );
      return { challenge, bits: COMPLAINT_WORK_BITS };
    },
  );

  app.post(
    '/api/public/schools/:schoolId/complaints',
    {
      config: { public: true },
      schema: {
        tags,
        summary: "Send a complaint about the school's handling of personal data (no account)",
        params: SchoolParams,
        body: NewComplaint,
        response: { ...responses({ 201: ComplaintReceived }), 409: ErrorBody, 429: ErrorBody },
      },
    },
    async (req, reply) => {
      const v = visitor(services, originOf(req));
      try {
        const acknowledgeBy = await inExistingSchool<string>(v, req.params.schoolId, (t) =>
          receiveComplaint(t, req.ip ?? null, req.body),
        );
        return reply.status(201).send({ acknowledgeBy });
      } catch (err) {
        if (err instanceof DomainError && err.kind !== 'not_found' && err.kind !== 'unavailable')
          await v.inSchool(req.params.schoolId, (t) =>
            auditComplaintRefusal(t, req.ip ?? null, err.code),
          );
        throw err;
      }
    },
  );

  app.get(
    '/api/data-protection/complaints',
    {
      schema: {
        tags,
        summary: 'The complaints register',
        response: responses({ 200: ComplaintList }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      return { items: await c.tx(listComplaints) };
    },
  );

  app.post(
    '/api/data-protection/complaints/:id/acknowledge',
    {
      schema: {
        tags,
        summary: 'Record that the complaint was acknowledged (due within 30 days)',
        params: IdParams,
        response: responses({ 200: Done }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      await auditingRefusals(c, 'complaint_acknowledge', req.params.id, () =>
        c.tx((t) => acknowledgeComplaint(t, req.params.id)),
      );
      return { done: true as const };
    },
  );

  app.post(
    '/api/data-protection/complaints/:id/response',
    {
      schema: {
        tags,
        summary: 'Record the dated response to the complaint',
        params: IdParams,
        body: RespondToComplaint,
        response: responses({ 200: Done }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      await auditingRefusals(c, 'complaint_answer', req.params.id, () =>
        c.tx((t) => respondToComplaint(t, req.params.id, req.body.response)),
      );
      return { done: true as const };
    },
  );
}
