// A member's security keys (WebAuthn): registering one, using one to finish signing in or to step
// up, and listing them. Protects the second tier: every answer must meet a challenge held on the
// session (five minutes, taken and cleared on use, so it is accepted at most once); a refused
// registration stores nothing and is audited; adding a key when a factor exists needs a step-up.
import type { FastifyRequest } from 'fastify';
import type { Services } from '../../platform/services.ts';
import type { RequestContext, Tx } from '../../core/context.ts';
import { DomainError } from '../../core/errors.ts';
import type { SecurityKeyList } from '../../shared/schemas/identity.ts';
import {
  authenticationOptions,
  registrationOptions,
  verifyAuthentication,
  verifyRegistration,
  type RelyingParty,
} from './webauthn.ts';
import {
  factorSummary,
  hasFactor,
  holdChallenge,
  mayChangeFactors,
  noteFactorAdded,
  takeChallenge,
  webauthnCredentials,
} from './second-factor.ts';
import { elevateIn, type FactorCheck } from './elevate.ts';
import type { Issued } from './issue.ts';
import type { SessionUser } from './sessions.ts';

const EXPIRED = 'Start again: the security-key request has expired.';

/** Lantern as the relying party keys are registered to: its public origin and host name. */
export function relyingParty(services: Pick<Services, 'config'>): RelyingParty {
  const url = new URL(services.config.publicOrigin);
  return { rpID: url.hostname, origin: url.origin };
}

/** The browser's options for registering a new key; the challenge stays on the session. */
export async function registrationOptionsFor(
  c: RequestContext,
  rp: RelyingParty,
  session: SessionUser,
): Promise<{ options: unknown }> {
  await mayChangeFactors(c);
  return c.tx(async (t) => {
    const existing = await webauthnCredentials(t, t.actor.userId);
    const { options, challenge } = await registrationOptions(
      rp,
      { userId: t.actor.userId, email: session.email, displayName: session.name },
      existing,
    );
    await holdChallenge(t, session.sessionId, 'register', challenge);
    return { options };
  });
}

/**
 * Stores the key the browser registered against the session's challenge (audited, with recovery
 * codes when none are left). The first factor replaces the session with an elevated one, as
 * confirming an app's code does: `issued` is that session, to be completed after commit.
 */
export async function registerSecurityKey(
  c: RequestContext,
  req: FastifyRequest,
  rp: RelyingParty,
  session: SessionUser,
  body: { response: unknown; label?: string | undefined },
): Promise<{ id: string; recoveryCodes: string[] | null; issued: Issued | null }> {
  await mayChangeFactors(c);
  const out = await c.tx(async (t) => {
    const challenge = await takeChallenge(t, session.sessionId, 'register');
    if (!challenge) return { ok: false as const, message: EXPIRED };
    const r = await verifyRegistration(rp, body.response, challenge);
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
        body.label ?? 'Security key',
        t.now,
      ],
    );
    const recoveryCodes = await noteFactorAdded(t, 'webauthn');
    // Registering the first factor proves it is in hand, as confirming an app's code does:
    // the session is replaced by an elevated one (and a forced enrolment is complete).
    const issued = first ? await elevateIn(req, t, session, 'webauthn') : null;
    return { ok: true as const, id: row!.id, recoveryCodes, issued };
  });
  if (!out.ok) throw new DomainError('invalid', 'second_factor_refused', out.message);
  return { id: out.id, recoveryCodes: out.recoveryCodes, issued: out.issued };
}

/** The browser's options for using one of the member's keys; the challenge stays on the session. */
export async function authenticationOptionsFor(
  c: RequestContext,
  rp: RelyingParty,
  sessionId: string,
): Promise<{ options: unknown }> {
  return c.tx(async (t) => {
    const creds = await webauthnCredentials(t, t.actor.userId);
    if (creds.length === 0) {
      throw new DomainError(
        'invalid',
        'no_security_key',
        'No security key is registered for this account.',
      );
    }
    const { options, challenge } = await authenticationOptions(rp, creds);
    await holdChallenge(t, sessionId, 'authenticate', challenge);
    return { options };
  });
}

/** A key's answer to the session's challenge; on success its counter is stored. */
export async function securityKeyCheck(
  t: Tx,
  rp: RelyingParty,
  sessionId: string,
  response: unknown,
): Promise<FactorCheck> {
  const challenge = await takeChallenge(t, sessionId, 'authenticate');
  if (!challenge) return { ok: false, reason: 'no_challenge', counts: false, message: EXPIRED };
  const creds = await webauthnCredentials(t, t.actor.userId);
  const r = await verifyAuthentication(rp, response, challenge, creds);
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
}

/** The member's own keys, oldest first. */
export async function listSecurityKeys(t: Tx): Promise<SecurityKeyList> {
  const rows = await t.q<{
    id: string;
    label: string;
    created_at: Date;
    last_used_at: Date | null;
  }>(
    `SELECT id, label, created_at, last_used_at FROM webauthn_credentials
     WHERE user_id = $1 AND removed_at IS NULL ORDER BY created_at, id`,
    [t.actor.userId],
  );
  return {
    items: rows.map((r) => ({
      id: r.id,
      label: r.label,
      createdAt: r.created_at.toISOString(),
      lastUsedAt: r.last_used_at?.toISOString() ?? null,
    })),
  };
}
