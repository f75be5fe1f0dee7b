// A parent's passkey (WebAuthn, issue 21) as their second factor: set one up instead of an
// authenticator app (an `enrol` session), or use it to finish signing in (a `second_factor`
// session). The identity feature's verifiers do the work (identity/webauthn.ts: the challenge,
// origin, RP id, signature and counter), parameterised with the parent's own credentials; the
// challenge is held on the parent's session and cleared at its first use. To change safely: keep
// the challenge single-use and bound to its purpose, and store the new counter on success.
import type { FastifyRequest } from 'fastify';
import type { Services } from '../../platform/services.ts';
import { originOf, visitor, type SchoolTx } from '../../core/context.ts';
import { parentDoor } from '../../core/parent-context.ts';
import { DomainError } from '../../core/errors.ts';
import {
  authenticationOptions,
  registrationOptions,
  verifyAuthentication,
  verifyRegistration,
  type StoredCredential,
} from '../identity/webauthn.ts';
import { relyingParty } from '../identity/security-keys.ts';
import { addressKey, checkThrottle, clearThrottle } from '../identity/throttle.ts';
import type { ParentSession } from './sessions.ts';
import {
  advance,
  parentAccountKey,
  recordFactorFailure,
  throttled,
  type Issued,
  withCodes,
} from './sign-in.ts';
import { codesForNewFactor } from './recovery-codes.ts';

type Purpose = 'register' | 'authenticate';

async function credentialsOf(
  t: Pick<SchoolTx, 'q'>,
  parentId: string,
): Promise<StoredCredential[]> {
  const rows = await t.q<{
    credential_id: string;
    public_key: Buffer;
    counter: string;
    transports: string[];
  }>(
    `SELECT credential_id, public_key, counter, transports FROM parent_webauthn_credentials
     WHERE parent_id = $1 AND removed_at IS NULL ORDER BY created_at`,
    [parentId],
  );
  return rows.map((r) => ({
    id: r.credential_id,
    publicKey: new Uint8Array(r.public_key),
    counter: Number(r.counter),
    transports: r.transports,
  }));
}

/** The browser's options: to register (setting one up) or to answer (signing in). */
export async function parentPasskeyOptions(
  services: Services,
  req: FastifyRequest,
  s: ParentSession,
): Promise<{ options: unknown }> {
  const rp = relyingParty(services);
  return parentDoor(services, originOf(req), s.schoolId, s.name).tx(async (t) => {
    const existing = await credentialsOf(t, s.parentId);
    let purpose: Purpose;
    let made: { options: unknown; challenge: string };
    if (s.stage === 'enrol') {
      purpose = 'register';
      made = await registrationOptions(
        rp,
        { userId: s.parentId, email: s.email, displayName: s.name },
        existing,
      );
    } else {
      if (existing.length === 0) {
        throw new DomainError(
          'conflict',
          'no_passkey',
          'No passkey is set up for this account. Enter the code from your authenticator app.',
        );
      }
      purpose = 'authenticate';
      made = await authenticationOptions(rp, existing);
    }
    await t.q('UPDATE parent_sessions SET challenge = $2 WHERE id = $1', [
      s.sessionId,
      `${purpose}:${made.challenge}`,
    ]);
    return { options: made.options };
  });
}

const EXPIRED = 'Start again: the passkey request has expired.';

/** The browser's answer: a new passkey (then signed in) or a signature (signed in). */
export async function parentPasskeyVerify(
  services: Services,
  req: FastifyRequest,
  s: ParentSession,
  response: unknown,
): Promise<Issued> {
  const rp = relyingParty(services);
  const keys = [parentAccountKey(s.email), addressKey(req.ip)];
  const now = services.clock.now();
  const state = await visitor(services, originOf(req)).inPlatform((q) =>
    checkThrottle(q, keys, now),
  );
  if (!state.ok) throw throttled(state);
  const mine = parentDoor(services, originOf(req), s.schoolId, s.name);
  const purpose: Purpose = s.stage === 'enrol' ? 'register' : 'authenticate';
  // The challenge is taken (and cleared) in its own transaction, so a failed answer cannot retry it.
  const challenge = await mine.tx(async (t) => {
    const [row] = await t.q<{ challenge: string | null }>(
      'SELECT challenge FROM parent_sessions WHERE id = $1 FOR UPDATE',
      [s.sessionId],
    );
    await t.q('UPDATE parent_sessions SET challenge = NULL WHERE id = $1', [s.sessionId]);
    const [p, c] = (row?.challenge ?? '').split(':');
    return p === purpose && c ? c : null;
  });
  if (!challenge) throw new DomainError('invalid', 'challenge_expired', EXPIRED);
  const result = await mine.tx(async (t) => {
    let recoveryCodes: string[] | null = null;
    if (purpose === 'register') {
      const r = await verifyRegistration(rp, response, challenge);
      if (!r.ok) return r;
      await t.q(
        `INSERT INTO parent_webauthn_credentials (school_id, parent_id, credential_id, public_key,
           counter, transports, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          s.schoolId,
          s.parentId,
          r.credential.id,
          Buffer.from(r.credential.publicKey),
          r.credential.counter,
          r.credential.transports,
          t.now,
        ],
      );
      await t.audit({
        action: 'parent.second_factor_added',
        targetType: 'parent',
        targetId: s.parentId,
        details: { method: 'webauthn' },
      });
      recoveryCodes = await codesForNewFactor(t, s.parentId);
    } else {
      const r = await verifyAuthentication(
        rp,
        response,
        challenge,
        await credentialsOf(t, s.parentId),
      );
      if (!r.ok) return r;
      await t.q(
        `UPDATE parent_webauthn_credentials SET counter = $3, last_used_at = $4
         WHERE parent_id = $1 AND credential_id = $2`,
        [s.parentId, r.credentialId, r.newCounter, t.now],
      );
    }
    await clearThrottle(t.db, keys[0]!);
    await t.audit({
      action: 'parent.signed_in',
      targetType: 'parent',
      targetId: s.parentId,
      details: { secondFactor: 'webauthn' },
    });
    return {
      ok: true as const,
      issued: withCodes(await advance(t, req, s, 'full'), recoveryCodes),
    };
  });
  if (result.ok) return result.issued;
  await recordFactorFailure(mine, s, keys, 'webauthn', result.reason, now);
  throw new DomainError(
    'unauthorised',
    'passkey_refused',
    'That passkey was not accepted. Try again, or use your authenticator app.',
  );
}
