// The other rights on a request (issue 17): routes ask the `data_protection` ability first
// (../policy.ts), then the request's kind and state (./policy.ts) in the domain; a refused change
// is audited on its own (../refusals.ts).
import { Type, type TSchema } from 'typebox';
import type { App } from '../../../core/feature.ts';
import { ctx, type Tx } from '../../../core/context.ts';
import { IdParams, responses } from '../../../shared/schemas/common.ts';
import {
  AttachStatement,
  DecideRight,
  RecordRef,
  RightsView,
} from '../../../shared/schemas/dp-rights.ts';
import { requireDataProtection } from '../policy.ts';
import { auditingRefusals, type RegisterAttempt } from '../refusals.ts';
import {
  attachStatement,
  decideRight,
  liftRestriction,
  restrictRecord,
  rightsView,
} from './service.ts';

const tags = ['data-protection'];
const Done = Type.Object({ done: Type.Literal(true) });

export function registerRightsRoutes(app: App): void {
  app.get(
    '/api/data-protection/requests/:id/rights',
    {
      schema: {
        tags,
        summary: "The request's subjects' records (dates and categories), statements and decision",
        params: IdParams,
        response: responses({ 200: RightsView }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      return c.tx((t) => rightsView(t, req.params.id));
    },
  );

  // Each change has the same shape: the ability, then the domain act audited with its refusals.
  const change = <B>(
    path: string,
    summary: string,
    body: TSchema,
    attempt: RegisterAttempt,
    work: (t: Tx, id: string, b: B) => Promise<void>,
  ) =>
    app.post(
      path,
      { schema: { tags, summary, params: IdParams, body, response: responses({ 200: Done }) } },
      async (req) => {
        const c = ctx(req);
        requireDataProtection(c.actor);
        const { id } = req.params;
        await auditingRefusals(c, attempt, id, () => c.tx((t) => work(t, id, req.body as B)));
        return { done: true as const };
      },
    );

  change<AttachStatement>(
    '/api/data-protection/requests/:id/statements',
    "Attach the subject's statement to one of their records (rectification; never rewrites it)",
    AttachStatement,
    'request_statement',
    attachStatement,
  );
  change<RecordRef>(
    '/api/data-protection/requests/:id/restrictions',
    'Restrict one of the subject’s records to the DSL team, out of reports and transfers',
    RecordRef,
    'request_restrict',
    restrictRecord,
  );
  change<RecordRef>(
    '/api/data-protection/requests/:id/restrictions/lift',
    'Lift the restriction on one of the subject’s records',
    RecordRef,
    'request_lift',
    liftRestriction,
  );
  change<DecideRight>(
    '/api/data-protection/requests/:id/decision',
    'Record the decision on an erasure request or an objection, with its reasoning',
    DecideRight,
    'request_decide',
    decideRight,
  );
}
