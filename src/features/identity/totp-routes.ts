// Authenticator-app routes: enrol one (a QR code and a key to type by hand) and confirm it with
// its first code, replace the recovery codes (ten, shown once), and give a code or a recovery
// code — to finish signing in or to step up (elevate.ts). Security keys are in webauthn-routes.ts.
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { requireElevated } from '../../core/access/step-up.ts';
import { ErrorBody, responses } from '../../shared/schemas/common.ts';
import {
  FactorCode,
  RecoveryCodes,
  SessionInfo,
  TotpConfirmed,
  TotpEnrolment,
} from '../../shared/schemas/identity.ts';
import { enrolTotp, noteFactorAdded, replaceRecoveryCodes } from './second-factor.ts';
import { recoveryCodeCheck, totpCheck, verifyAndElevate } from './elevate.ts';
import { presentSession } from './issue.ts';
import { sessionOf } from './sessions.ts';
import { sendSecurityNotice } from './security-notice.ts';

export function registerTotpRoutes(app: App, services: Services): void {
  /** Reachable by a session still waiting for its second factor. */
  const pending = { pendingOk: true };
  /** The routes a session that must first set up a second factor may use (issue 3). */
  const enrolment = { enrolOk: true };

  app.post(
    '/api/auth/totp/enrol',
    {
      config: enrolment,
      schema: {
        tags: ['auth'],
        summary: 'Start enrolling an authenticator app',
        response: responses({ 200: TotpEnrolment, 409: ErrorBody }),
      },
    },
    async (req) => enrolTotp(ctx(req), sessionOf(req).email),
  );

  app.post(
    '/api/auth/totp/confirm',
    {
      config: enrolment,
      schema: {
        tags: ['auth'],
        summary: 'Confirm the authenticator app with its first code (and step up)',
        body: FactorCode,
        response: responses({ 200: TotpConfirmed }),
      },
    },
    async (req, reply) => {
      let codes: string[] | null = null;
      const user = await verifyAndElevate(services, req, reply, 'totp', async (t) => {
        const r = await totpCheck(t, req.body.code, 'pending');
        if (r.ok) codes = await noteFactorAdded(t, 'totp');
        return r;
      });
      await sendSecurityNotice(services, user.email, 'second_factor');
      const session = await ctx(req).tx((t) => presentSession(t, user));
      return { session, recoveryCodes: codes };
    },
  );

  app.post(
    '/api/auth/recovery-codes',
    {
      schema: {
        tags: ['auth'],
        summary: 'Replace my recovery codes with ten new ones (shown once)',
        response: responses({ 200: RecoveryCodes }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireElevated(c.actor);
      return { codes: await c.tx(replaceRecoveryCodes) };
    },
  );

  app.post(
    '/api/auth/verify/totp',
    {
      config: pending,
      schema: {
        tags: ['auth'],
        summary: 'Give an authentication code',
        body: FactorCode,
        response: responses({ 200: SessionInfo }),
      },
    },
    async (req, reply) => {
      const user = await verifyAndElevate(services, req, reply, 'totp', (t) =>
        totpCheck(t, req.body.code, 'confirmed'),
      );
      return ctx(req).tx((t) => presentSession(t, user));
    },
  );

  app.post(
    '/api/auth/verify/recovery-code',
    {
      config: pending,
      schema: {
        tags: ['auth'],
        summary: 'Use a recovery code (each works once)',
        body: FactorCode,
        response: responses({ 200: SessionInfo }),
      },
    },
    async (req, reply) => {
      const user = await verifyAndElevate(services, req, reply, 'recovery_code', (t) =>
        recoveryCodeCheck(t, req.body.code),
      );
      return ctx(req).tx((t) => presentSession(t, user));
    },
  );
}
