// Second-factor routes: enrol an authenticator app (QR code and a key to type by hand) and
// confirm it, recovery codes (ten, shown once), security keys (WebAuthn registration and use),
// and giving a factor — to finish signing in or to step up. Challenges stay server-side.
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx, type RequestContext } from '../../core/context.ts';
import { inSchool } from '../../platform/db/tenancy.ts';
import type { SessionUser } from './sessions.ts';
import { conflict, DomainError } from '../../core/errors.ts';
import { responses } from '../../shared/schemas/common.ts';
import { requireElevated } from '../../core/access/step-up.ts';
import { formatSecretForManualEntry, otpauthUri, qrCodeSvg } from './totp.ts';
import {
  authenticationOptions,
  registrationOptions,
  verifyAuthentication,
  verifyRegistration,
  type RelyingParty,
} from './webauthn.ts';
import {
  checkTotp,
  factorSummary,
  hasFactor,
  holdChallenge,
  newRecoveryCodes,
  spendRecoveryCode,
  takeChallenge,
  webauthnCredentials,
  startTotp,
} from './second-factor.ts';
import { elevateIn, verifyAndElevate, type FactorCheck } from './elevate.ts';
import { afterIssue, SessionInfo, sessionInfo } from './issue.ts';
import { sessionOf } from './sessions.ts';

const Code = Type.Object(
  { code: Type.String({ minLength: 6, maxLength: 20 }) },
  { additionalProperties: false },
);
const WebAuthnBody = Type.Object(
  {
    response: Type.Unknown({ description: 'The browser credential response (JSON)' }),
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);
const Options = Type.Object({ options: Type.Unknown() });
const Elevated = Type.Object({
  session: SessionInfo,
  recoveryCodes: Type.Union([Type.Array(Type.String()), Type.Null()]),
});

const BAD_CODE = 'That code is not right. Check your authenticator app and try again.';
const REPLAYED = 'That code has already been used. Wait for the next code and try again.';

export function registerFactorRoutes(app: App, services: Services): void {
  const url = new URL(services.config.publicOrigin);
  const rp: RelyingParty = { rpID: url.hostname, origin: url.origin };
  const pending = { pendingOk: true };
  /** The routes a session that must first set up a second factor may use (issue 3). */
  const enrolment = { enrolOk: true };
  const present = async (user: SessionUser) => {
    const f = await inSchool(services.db, user.schoolId, (tx) =>
      factorSummary({ q: (s, p) => tx.query(s, p) }, user.userId),
    );
    return sessionInfo(user, f);
  };

  /** Adding a factor when one exists needs a step-up; the first one needs only a password. */
  const mayChangeFactors = async (c: RequestContext) => {
    const f = await c.tx((t) => factorSummary(t, t.actor.userId));
    if (hasFactor(f)) requireElevated(c.actor);
  };

  app.post(
    '/api/auth/totp/enrol',
    {
      config: enrolment,
      schema: {
        tags: ['auth'],
        summary: 'Start enrolling an authenticator app',
        response: responses({
          200: Type.Object({
            qrSvg: Type.String(),
            manualKey: Type.String(),
            otpauthUri: Type.String(),
          }),
          409: Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) }),
        }),
      },
    },
    async (req) => {
      const c = ctx(req);
      await mayChangeFactors(c);
      const started = await c.tx((t) => startTotp(t, t.actor.userId));
      if (started === 'already_enrolled') {
        throw conflict('An authenticator app is already set up. Remove it before adding another.');
      }
      const { secret } = started;
      const uri = otpauthUri(secret, { issuer: 'Lantern', label: sessionOf(req).email });
      return {
        qrSvg: await qrCodeSvg(uri),
        manualKey: formatSecretForManualEntry(secret),
        otpauthUri: uri,
      };
    },
  );

  app.post(
    '/api/auth/totp/confirm',
    {
      config: enrolment,
      schema: {
        tags: ['auth'],
        summary: 'Confirm the authenticator app with its first code (and step up)',
        body: Code,
        response: responses({ 200: Elevated }),
      },
    },
    async (req, reply) => {
      let codes: string[] | null = null;
      const user = await verifyAndElevate(services, req, reply, 'totp', async (t) => {
        const r = await checkTotp(t, t.actor.userId, req.body.code, 'pending');
        if (!r.ok) return refusal(r.reason);
        const f = await factorSummary(t, t.actor.userId);
        await t.audit({
          action: 'auth.second_factor_added',
          targetType: 'user',
          targetId: t.actor.userId,
          details: { method: 'totp' },
        });
        if (f.recoveryCodesLeft === 0) {
          codes = await newRecoveryCodes(t, t.actor.userId);
          await t.audit({
            action: 'auth.recovery_codes_created',
            targetType: 'user',
            targetId: t.actor.userId,
          });
        }
        return { ok: true };
      });
      return { session: await present(user), recoveryCodes: codes };
    },
  );

  app.post(
    '/api/auth/recovery-codes',
    {
      schema: {
        tags: ['auth'],
        summary: 'Replace my recovery codes with ten new ones (shown once)',
        response: responses({ 200: Type.Object({ codes: Type.Array(Type.String()) }) }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireElevated(c.actor);
      const codes = await c.tx(async (t) => {
        const out = await newRecoveryCodes(t, t.actor.userId);
        await t.audit({
          action: 'auth.recovery_codes_created',
          targetType: 'user',
          targetId: t.actor.userId,
        });
        return out;
      });
      return { codes };
    },
  );

  app.post(
    '/api/auth/verify/totp',
    {
      config: pending,
      schema: {
        tags: ['auth'],
        summary: 'Give an authentication code',
        body: Code,
        response: responses({ 200: SessionInfo }),
      },
    },
    async (req, reply) => {
      const user = await verifyAndElevate(services, req, reply, 'totp', async (t) => {
        const r = await checkTotp(t, t.actor.userId, req.body.code, 'confirmed');
        return r.ok ? { ok: true } : refusal(r.reason);
      });
      return present(user);
    },
  );

  app.post(
    '/api/auth/verify/recovery-code',
    {
      config: pending,
      schema: {
        tags: ['auth'],
        summary: 'Use a recovery code (each works once)',
        body: Code,
        response: responses({ 200: SessionInfo }),
      },
    },
    async (req, reply) => {
      const user = await verifyAndElevate(services, req, reply, 'recovery_code', async (t) =>
        (await spendRecoveryCode(t, t.actor.userId, req.body.code))
          ? { ok: true }
          : {
              ok: false,
              reason: 'invalid',
              counts: true,
              message: 'That recovery code is not right, or it has been used already.',
            },
      );
      return present(user);
    },
  );

  app.post(
    '/api/auth/webauthn/register/options',
    {
      config: enrolment,
      schema: {
        tags: ['auth'],
        summary: 'Start registering a security key',
        response: responses({ 200: Options }),
      },
    },
    async (req) => {
      const c = ctx(req);
      await mayChangeFactors(c);
      return c.tx(async (t) => {
        const existing = await webauthnCredentials(t, t.actor.userId);
        const { options, challenge } = await registrationOptions(
          rp,
          { userId: t.actor.userId, email: sessionOf(req).email, displayName: sessionOf(req).name },
          existing,
        );
        await holdChallenge(t, sessionOf(req).sessionId, 'register', challenge);
        return { options };
      });
    },
  );

  app.post(
    '/api/auth/webauthn/register',
    {
      config: enrolment,
      schema: {
        tags: ['auth'],
        summary:
          'Finish registering a security key (the first factor also brings recovery codes and elevates the session)',
        body: WebAuthnBody,
        response: responses({
          201: Type.Object({
            id: Type.String(),
            recoveryCodes: Type.Union([Type.Array(Type.String()), Type.Null()], {
              description: 'Ten new recovery codes, shown once, when the user had none left.',
            }),
            session: Type.Union([SessionInfo, Type.Null()], {
              description:
                'The first factor, like a confirmed authenticator app, replaces the session with an elevated one (new id and CSRF token); null otherwise.',
            }),
          }),
        }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      await mayChangeFactors(c);
      const out = await c.tx(async (t) => {
        const challenge = await takeChallenge(t, sessionOf(req).sessionId, 'register');
        if (!challenge)
          return {
            ok: false as const,
            message: 'Start again: the security-key request has expired.',
          };
        const r = await verifyRegistration(rp, req.body.response, challenge);
        if (!r.ok) {
          await t.audit({
            action: 'auth.second_factor_failed',
            targetType: 'user',
            targetId: t.actor.userId,
            details: { method: 'webauthn', reason: r.reason },
          });
          return {
            ok: false as const,
            message: 'The security key’s answer could not be accepted. Try again.',
          };
        }
        const first = !hasFactor(await factorSummary(t, t.actor.userId));
        const [row] = await t.q<{ id: string }>(
          `INSERT INTO webauthn_credentials (school_id, user_id, credential_id, public_key, counter, transports, label, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
          [
            t.actor.schoolId,
            t.actor.userId,
            r.credential.id,
            Buffer.from(r.credential.publicKey),
            r.credential.counter,
            r.credential.transports,
            req.body.label ?? 'Security key',
            t.now,
          ],
        );
        await t.audit({
          action: 'auth.second_factor_added',
          targetType: 'user',
          targetId: t.actor.userId,
          details: { method: 'webauthn' },
        });
        // As with an authenticator app: a way back in if the key is lost.
        const f = await factorSummary(t, t.actor.userId);
        const codes = f.recoveryCodesLeft === 0 ? await newRecoveryCodes(t, t.actor.userId) : null;
        if (codes) {
          await t.audit({
            action: 'auth.recovery_codes_created',
            targetType: 'user',
            targetId: t.actor.userId,
          });
        }
        // Registering the first factor proves it is in hand, as confirming an app's code does:
        // the session is replaced by an elevated one (and a forced enrolment is complete).
        const issued = first ? await elevateIn(services, req, t, sessionOf(req), 'webauthn') : null;
        return { ok: true as const, id: row!.id, recoveryCodes: codes, issued };
      });
      if (!out.ok) throw new DomainError('invalid', 'second_factor_refused', out.message);
      const session = out.issued
        ? await present(
            await afterIssue(
              services,
              reply,
              out.issued,
              sessionOf(req).email,
              services.clock.now(),
            ),
          )
        : null;
      return reply.status(201).send({ id: out.id, recoveryCodes: out.recoveryCodes, session });
    },
  );

  app.post(
    '/api/auth/verify/webauthn/options',
    {
      config: pending,
      schema: {
        tags: ['auth'],
        summary: 'Start using a security key',
        response: responses({ 200: Options }),
      },
    },
    async (req) => {
      const c = ctx(req);
      return c.tx(async (t) => {
        const creds = await webauthnCredentials(t, t.actor.userId);
        if (creds.length === 0)
          throw new DomainError(
            'invalid',
            'no_security_key',
            'No security key is registered for this account.',
          );
        const { options, challenge } = await authenticationOptions(rp, creds);
        await holdChallenge(t, sessionOf(req).sessionId, 'authenticate', challenge);
        return { options };
      });
    },
  );

  app.post(
    '/api/auth/verify/webauthn',
    {
      config: pending,
      schema: {
        tags: ['auth'],
        summary: 'Use a security key',
        body: WebAuthnBody,
        response: responses({ 200: SessionInfo }),
      },
    },
    async (req, reply) => {
      const session = sessionOf(req);
      const user = await verifyAndElevate(services, req, reply, 'webauthn', async (t) => {
        const challenge = await takeChallenge(t, session.sessionId, 'authenticate');
        if (!challenge) {
          return {
            ok: false,
            reason: 'no_challenge',
            counts: false,
            message: 'Start again: the security-key request has expired.',
          };
        }
        const creds = await webauthnCredentials(t, t.actor.userId);
        const r = await verifyAuthentication(rp, req.body.response, challenge, creds);
        if (!r.ok) {
          return {
            ok: false,
            reason: r.reason,
            counts: r.reason !== 'malformed',
            message:
              r.reason === 'malformed'
                ? 'That is not a security-key response.'
                : 'The security key could not be verified.',
          };
        }
        await t.q(
          'UPDATE webauthn_credentials SET counter = $2, last_used_at = $3 WHERE credential_id = $1',
          [r.credentialId, r.newCounter, t.now],
        );
        return { ok: true };
      });
      return present(user);
    },
  );
}

function refusal(reason: 'invalid' | 'replayed' | 'none'): FactorCheck {
  switch (reason) {
    case 'invalid':
      return { ok: false, reason, counts: true, message: BAD_CODE };
    case 'replayed':
      return { ok: false, reason, counts: true, message: REPLAYED };
    case 'none':
      return {
        ok: false,
        reason,
        counts: false,
        message: 'No authenticator app is set up for this account.',
      };
    default: {
      const never: never = reason;
      return never;
    }
  }
}
