// Sign in, sign out, "who am I", my sessions and "sign out everywhere". Second factors are in
// factor-routes.ts; links and passwords in account-routes.ts.
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { inSchool } from '../../platform/db/tenancy.ts';
import { ErrorBody, responses } from '../../shared/schemas/common.ts';
import { endSession, endUserSessions, SESSION_COOKIE, sessionOf } from './sessions.ts';
import { afterIssue, PendingInfo, SessionInfo, sessionInfo } from './issue.ts';
import { factorSummary } from './second-factor.ts';
import { signInWithPassword } from './sign-in.ts';

export { SessionInfo } from './issue.ts';

const SignInBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

const SessionList = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      current: Type.Boolean(),
      createdAt: Type.String({ format: 'date-time' }),
      lastSeenAt: Type.String({ format: 'date-time' }),
      userAgent: Type.Union([Type.String(), Type.Null()]),
      elevated: Type.Boolean(),
    }),
  ),
});

export function registerAuthRoutes(app: App, services: Services): void {
  app.post(
    '/api/auth/sign-in',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        body: SignInBody,
        response: {
          200: Type.Union([SessionInfo, PendingInfo]),
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const out = await signInWithPassword(services, req, req.body);
      const now = services.clock.now();
      const user = await afterIssue(services, reply, out.issued, out.email, now);
      if (out.stage === 'second_factor') {
        return {
          secondFactorRequired: true as const,
          methods: out.methods,
          csrfToken: user.csrfToken,
        };
      }
      const factors = await ctxFactors(services, user.schoolId, user.userId);
      return sessionInfo(user, factors);
    },
  );

  app.post(
    '/api/auth/sign-out',
    {
      config: { pendingOk: true, enrolOk: true },
      schema: { tags: ['auth'], response: responses({ 204: Type.Null() }) },
    },
    async (req, reply) => {
      await ctx(req).tx(async (t) => {
        await endSession(t.db, req.auth!.sessionId, 'signed_out', t.now);
        await t.audit({
          action: 'auth.sign_out',
          targetType: 'session',
          targetId: req.auth!.sessionId,
        });
      });
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/auth/sign-out-everywhere',
    {
      config: { enrolOk: true },
      schema: {
        tags: ['auth'],
        summary: 'End every session of mine, on every device, this one included',
        response: responses({ 200: Type.Object({ ended: Type.Integer() }) }),
      },
    },
    async (req, reply) => {
      const ended = await ctx(req).tx(async (t) => {
        const ids = await endUserSessions(t.db, t.actor.userId, 'signed_out_everywhere', t.now);
        await t.audit({
          action: 'auth.signed_out_everywhere',
          targetType: 'user',
          targetId: t.actor.userId,
          details: { sessions: ids.length },
        });
        return ids.length;
      });
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ended };
    },
  );

  app.get(
    '/api/auth/session',
    {
      config: { enrolOk: true },
      schema: { tags: ['auth'], response: responses({ 200: SessionInfo }) },
    },
    async (req) => {
      const c = ctx(req);
      const factors = await c.tx((t) => factorSummary(t, t.actor.userId));
      return sessionInfo(sessionOf(req), factors);
    },
  );

  app.get(
    '/api/auth/sessions',
    {
      config: { enrolOk: true },
      schema: {
        tags: ['auth'],
        summary: 'My active sessions',
        response: responses({ 200: SessionList }),
      },
    },
    async (req) => {
      const c = ctx(req);
      const rows = await c.tx((t) =>
        t.q<{
          id: string;
          created_at: Date;
          last_seen_at: Date;
          user_agent: string | null;
          elevated_until: Date | null;
        }>(
          `SELECT id, created_at, last_seen_at, user_agent, elevated_until FROM sessions
           WHERE user_id = $1 AND ended_at IS NULL AND expires_at > $2 AND stage = 'full'
           ORDER BY last_seen_at DESC`,
          [t.actor.userId, t.now],
        ),
      );
      const now = services.clock.now();
      return {
        items: rows.map((r) => ({
          id: r.id,
          current: r.id === sessionOf(req).sessionId,
          createdAt: r.created_at.toISOString(),
          lastSeenAt: r.last_seen_at.toISOString(),
          userAgent: r.user_agent,
          elevated: r.elevated_until !== null && r.elevated_until > now,
        })),
      };
    },
  );
}

async function ctxFactors(services: Services, schoolId: string, userId: string) {
  return inSchool(services.db, schoolId, (tx) =>
    factorSummary({ q: (s, p) => tx.query(s, p) }, userId),
  );
}
