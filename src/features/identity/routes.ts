// Sign in, sign out, "who am I", my sessions and "sign out everywhere". Second factors are in
// totp-routes.ts and webauthn-routes.ts; links and passwords in account-routes.ts.
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx, originOf, visitor } from '../../core/context.ts';
import { ErrorBody, responses } from '../../shared/schemas/common.ts';
import {
  SessionInfo,
  SessionList,
  SessionsEnded,
  SignedIn,
  SignIn,
} from '../../shared/schemas/identity.ts';
import { sessionOf } from './sessions.ts';
import { afterIssue, clearSessionCookie, presentSession } from './issue.ts';
import { listMySessions, signOut, signOutEverywhere } from './my-sessions.ts';
import { signInWithPassword } from './sign-in.ts';

/**
 * Sent when this browser signs out: it drops the HTTP cache of the session's pages, so the next
 * person at a shared computer finds nothing cached. The session cookie is cleared by its own
 * Set-Cookie; "cookies" is left out because it would also drop the known-device cookie, making
 * every sign-in after a sign-out a "new device" email. "storage" is left out because it reaches
 * the whole origin: it would wipe the trips' offline emergency cards (card.html) and their unsent
 * view log on a leader's phone. The staff app keeps nothing in storage of its own (drafts live on
 * the server); the web client clears its session storage and any of its own keys on sign-out.
 */
export const CLEAR_SITE_DATA = '"cache"';

export function registerAuthRoutes(app: App, services: Services): void {
  app.post(
    '/api/auth/sign-in',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        body: SignIn,
        response: {
          200: SignedIn,
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const out = await signInWithPassword(services, req, req.body);
      const user = await afterIssue(services, reply, out.issued, out.email, services.clock.now());
      if (out.stage === 'second_factor') {
        return {
          secondFactorRequired: true as const,
          methods: out.methods,
          csrfToken: user.csrfToken,
        };
      }
      // Not yet this request's context (it was made before the sign-in): the visitor's door.
      return visitor(services, originOf(req)).inSchool(user.schoolId, (t) =>
        presentSession(t, user),
      );
    },
  );

  app.post(
    '/api/auth/sign-out',
    {
      config: { pendingOk: true, enrolOk: true },
      schema: { tags: ['auth'], response: responses({ 204: Type.Null() }) },
    },
    async (req, reply) => {
      await ctx(req).tx((t) => signOut(t, sessionOf(req).sessionId));
      clearSessionCookie(reply, services);
      reply.header('Clear-Site-Data', CLEAR_SITE_DATA);
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
        response: responses({ 200: SessionsEnded }),
      },
    },
    async (req, reply) => {
      const ended = await ctx(req).tx(signOutEverywhere);
      clearSessionCookie(reply, services);
      reply.header('Clear-Site-Data', CLEAR_SITE_DATA);
      return { ended };
    },
  );

  app.get(
    '/api/auth/session',
    {
      config: { enrolOk: true },
      schema: { tags: ['auth'], response: responses({ 200: SessionInfo }) },
    },
    async (req) => ctx(req).tx((t) => presentSession(t, sessionOf(req))),
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
    async (req) => ctx(req).tx((t) => listMySessions(t, sessionOf(req).sessionId)),
  );
}
