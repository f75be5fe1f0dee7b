// The school's side of a trust's view (issue 20): the administrators' switch for sharing figures
// with the trust, and the DSL team's grants of pupil-level access to a named trust member. Staff
// routes (the staff hook, the staff cookie), each audited in the school's chain.
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import { IdParams, responses, ErrorBody } from '../../shared/schemas/common.ts';
import {
  NewTrustGrant,
  SchoolGrants,
  SetTrustSharing,
  TrustSharing,
} from '../../shared/schemas/trust.ts';
import { Type } from 'typebox';
import { readSharing, setSharing } from './sharing.ts';
import { listSchoolGrants, makeGrant, revokeGrant } from './grants.ts';

const tags = ['trust'];
const Made = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Done = Type.Object({ ok: Type.Literal(true) });

export function registerTrustStaffRoutes(app: App, _services: Services): void {
  app.get(
    '/api/trust-sharing',
    {
      schema: {
        tags,
        summary: 'Whether the school shares its figures with its trust',
        response: responses({ 200: TrustSharing }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireAbility(c.actor, 'admin');
      return c.tx(readSharing);
    },
  );

  app.put(
    '/api/trust-sharing',
    {
      schema: {
        tags,
        summary: 'Switch sharing the school’s figures with its trust on or off (audited)',
        body: SetTrustSharing,
        response: responses({ 200: TrustSharing, 409: ErrorBody }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireAbility(c.actor, 'admin');
      return c.tx((t) => setSharing(t, req.body.sharing));
    },
  );

  app.get(
    '/api/trust-grants',
    {
      schema: {
        tags,
        summary: 'The DSL team’s grants of record access to trust members',
        response: responses({ 200: SchoolGrants }),
      },
    },
    async (req) => ctx(req).tx(listSchoolGrants),
  );

  app.post(
    '/api/trust-grants',
    {
      schema: {
        tags,
        summary: 'Grant a trust member time-limited access to a pupil’s or the school’s records',
        body: NewTrustGrant,
        response: responses({ 200: Made }),
      },
    },
    async (req) => ctx(req).tx((t) => makeGrant(t, req.body)),
  );

  app.post(
    '/api/trust-grants/:id/revoke',
    {
      schema: {
        tags,
        summary: 'Revoke a trust member’s access now',
        params: IdParams,
        response: responses({ 200: Done, 409: ErrorBody }),
      },
    },
    async (req) => {
      await ctx(req).tx((t) => revokeGrant(t, req.params.id));
      return { ok: true as const };
    },
  );
}
