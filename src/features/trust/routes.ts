// A trust's door (issue 20): every route here is under /api/trust/ and declares
// `config: { trust: true }`, so only the trust hook (src/http/trust-request-context.ts) answers it,
// with the trust member's own cookie. Thin routes: parse, call, present.
import type { FastifyReply } from 'fastify';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { trustCtx } from '../../core/trust-context.ts';
import { unauthorised } from '../../core/errors.ts';
import { responses, ErrorBody } from '../../shared/schemas/common.ts';
import { Chronology, CHRONOLOGY_PAGE } from '../../shared/schemas/chronology.ts';
import {
  GrantParams,
  GrantPupilParams,
  GrantPupils,
  HeldGrants,
  TrustCode,
  TrustOk,
  TrustOverview,
  TrustRefreshed,
  TrustSchoolFigures,
  TrustSchoolParams,
  TrustSessionInfo,
  TrustSignIn,
  TrustTotpEnrolment,
} from '../../shared/schemas/trust.ts';
import { countChronology, readChronology } from '../chronology/service.ts';
import { presentPupil, pupilInReach } from '../pupils/service.ts';
import {
  clearTrustCookie,
  resolveTrustSession,
  setTrustCookie,
  type TrustSession,
} from './sessions.ts';
import {
  trustGiveCode,
  trustPasswordSignIn,
  trustSignOut,
  trustStartTotp,
  type Issued,
} from './sign-in.ts';
import { refreshSnapshots, schoolFigures, trustOverview } from './figures.ts';
import { asGrantSees, grantPupils, heldGrants, pupilUnderGrant } from './grants.ts';

/** Config of a trust route: signed-in (full) unless told otherwise. */
export const TRUST = { trust: true } as const;
const TRUST_PUBLIC = { trust: true, public: true } as const;
const TRUST_ANY_STAGE = { trust: true, pendingOk: true, enrolOk: true } as const;
const tags = ['trust'];

function sessionOrThrow(req: { trustSession: TrustSession | null }): TrustSession {
  if (!req.trustSession) throw unauthorised();
  return req.trustSession;
}

function present(s: TrustSession): TrustSessionInfo {
  return {
    member: { name: s.member.name, email: s.member.email, role: s.member.role },
    trust: { name: s.member.trustName },
    stage: s.stage,
    csrfToken: s.csrfToken,
    expiresAt: s.expiresAt.toISOString(),
  };
}

async function afterIssue(
  services: Services,
  reply: FastifyReply,
  issued: Issued,
): Promise<TrustSessionInfo> {
  setTrustCookie(reply, services, issued.token);
  const found = await resolveTrustSession(services, issued.token, services.clock.now());
  if (found.state !== 'active') throw new Error('new trust session did not resolve');
  return present(found.session);
}

export function registerTrustRoutes(app: App, services: Services): void {
  app.post(
    '/api/trust/auth/sign-in',
    {
      config: TRUST_PUBLIC,
      schema: {
        tags,
        summary: 'A trust member signs in with email and password',
        body: TrustSignIn,
        response: responses({ 200: TrustSessionInfo, 429: ErrorBody }),
      },
    },
    async (req, reply) =>
      afterIssue(services, reply, await trustPasswordSignIn(services, req, req.body)),
  );

  app.post(
    '/api/trust/auth/code',
    {
      config: { trust: true, pendingOk: true, enrolOk: true },
      schema: {
        tags,
        summary: 'The authenticator code that finishes signing in or confirms a new app',
        body: TrustCode,
        response: responses({ 200: TrustSessionInfo, 429: ErrorBody }),
      },
    },
    async (req, reply) => {
      const s = sessionOrThrow(req);
      if (s.stage === 'full') return present(s);
      return afterIssue(services, reply, await trustGiveCode(services, req, s, req.body.code));
    },
  );

  app.post(
    '/api/trust/auth/totp/enrol',
    {
      config: { trust: true, enrolOk: true },
      schema: {
        tags,
        summary: 'Start setting up an authenticator app (required of every trust member)',
        response: responses({ 200: TrustTotpEnrolment, 409: ErrorBody }),
      },
    },
    async (req) => trustStartTotp(services, req, sessionOrThrow(req)),
  );

  app.get(
    '/api/trust/session',
    {
      config: TRUST_ANY_STAGE,
      schema: {
        tags,
        summary: 'The signed-in trust member’s session',
        response: responses({ 200: TrustSessionInfo }),
      },
    },
    async (req) => present(sessionOrThrow(req)),
  );

  app.post(
    '/api/trust/auth/sign-out',
    {
      config: TRUST_ANY_STAGE,
      schema: { tags, summary: 'Sign out', response: responses({ 200: TrustOk }) },
    },
    async (req, reply) => {
      await trustSignOut(services, req, sessionOrThrow(req));
      clearTrustCookie(reply, services);
      return { ok: true as const };
    },
  );

  app.get(
    '/api/trust/overview',
    {
      config: TRUST,
      schema: {
        tags,
        summary:
          'The figures of the trust’s sharing schools side by side and totalled (suppressed)',
        response: responses({ 200: TrustOverview }),
      },
    },
    async (req) => trustCtx(req).tx(trustOverview),
  );

  app.post(
    '/api/trust/overview/refresh',
    {
      config: TRUST,
      schema: {
        tags,
        summary: 'Recompute the sharing schools’ figures now (each inside its own school)',
        response: responses({ 200: TrustRefreshed }),
      },
    },
    async (req) => {
      const c = trustCtx(req);
      const schools = await refreshSnapshots(services, {
        trustId: c.member.trustId,
        detail: 'for the trust',
      });
      await c.tx((t) =>
        t.audit({
          action: 'trust.figures_refreshed',
          targetType: 'trust',
          targetId: c.member.trustId,
          details: { schools },
        }),
      );
      return { schools };
    },
  );

  app.get(
    '/api/trust/schools/:schoolId/figures',
    {
      config: TRUST,
      schema: {
        tags,
        summary: 'One sharing school’s column of the trust’s figures',
        params: TrustSchoolParams,
        response: responses({ 200: TrustSchoolFigures }),
      },
    },
    async (req) => {
      const c = trustCtx(req);
      const { schoolId } = req.params;
      const r = await c.tx((t) => schoolFigures(t, schoolId));
      if (r.ok) return r.figures;
      const refusal = {
        action: 'trust.school_refused' as const,
        targetType: 'school',
        targetId: schoolId,
        details: { reason: r.inTrust ? ('not_sharing' as const) : ('not_in_trust' as const) },
      };
      if (r.inTrust) await c.auditInSchool(schoolId, [refusal]);
      else await c.tx((t) => t.audit(refusal));
      throw r.error;
    },
  );

  app.get(
    '/api/trust/grants',
    {
      config: TRUST,
      schema: {
        tags,
        summary: 'The grants this trust member holds',
        response: responses({ 200: HeldGrants }),
      },
    },
    async (req) => ({ items: await trustCtx(req).tx(heldGrants) }),
  );

  app.get(
    '/api/trust/grants/:grantId/pupils',
    {
      config: TRUST,
      schema: {
        tags,
        summary: 'Under a grant: the pupils it reaches (audited in the school)',
        params: GrantParams,
        response: responses({ 200: GrantPupils }),
      },
    },
    async (req) => trustCtx(req).granted(req.params.grantId, grantPupils),
  );

  app.get(
    '/api/trust/grants/:grantId/pupils/:pupilId/chronology',
    {
      config: TRUST,
      schema: {
        tags,
        summary: 'Under a grant: a pupil’s chronology, newest first (audited in the school)',
        params: GrantPupilParams,
        response: responses({ 200: Chronology }),
      },
    },
    async (req) =>
      trustCtx(req).granted(req.params.grantId, async (t) => {
        const g = await pupilUnderGrant(t, req.params.pupilId);
        const pupil = await pupilInReach(t, req.params.pupilId);
        await t.audit({
          action: 'pupil.chronology_viewed',
          targetType: 'pupil',
          targetId: pupil.id,
        });
        const page = await readChronology(
          t,
          pupil.id,
          {},
          {
            size: CHRONOLOGY_PAGE,
            direction: 'newest_first',
          },
        );
        return {
          pupil: presentPupil(pupil),
          // Read only: the staff actions the entries carry are not the trust member's.
          entries: asGrantSees(g, page.entries).map((e) => ({ ...e, allowed: [] })),
          total: await countChronology(t, pupil.id, {}),
        };
      }),
  );
}
