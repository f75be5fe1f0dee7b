// The demo trust's lead (issue 20): a trust safeguarding lead of the DEMO trust with an
// authenticator app already set up, the credentials written beside the staff ones
// (<data dir>/demo-trust-credentials.json); each demo school shares its figures with the trust
// (switched on by its administrator, audited) and the first school's DSL has granted the lead a
// week's access to one pupil's record, with a reason.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Services } from '../../platform/services.ts';
import { asSystem, unsafeAsOperator, SYSTEM_REASONS } from '../../core/context.ts';
import { newTotpSecret } from '../identity/totp.ts';
import { addTrustMember } from './members.ts';
import { computeSnapshot } from './figures.ts';

export type DemoTrustCredential = {
  trust: string;
  email: string;
  password: string;
  name: string;
  role: 'trust_safeguarding_lead';
  totpSecret: string;
};

export async function seedTrustLead(
  services: Services,
  trust: { id: string; name: string },
  schools: { id: string; admin: string; dsl: string }[],
  /** The demo seeds an empty database; a test on a shared one names its own address. */
  email = 'trust.lead@trust.demo.lantern.invalid',
): Promise<DemoTrustCredential> {
  const password = `${randomBytes(9).toString('base64url')}-Lt7!`;
  const name = 'Jordan Trustlead';
  const memberId = await addTrustMember(
    services,
    { trustId: trust.id, email, name, role: 'trust_safeguarding_lead', password },
    SYSTEM_REASONS.demo_seed,
  );
  const totpSecret = newTotpSecret();
  const { sealed, masterKeyId } = services.keys.sealUnderMaster(
    `trust_totp.secret:${memberId}`,
    totpSecret,
  );
  await unsafeAsOperator(services, SYSTEM_REASONS.demo_seed, (t) =>
    t.q(
      `UPDATE trust_member_credentials SET totp_sealed = $2, totp_master_key_id = $3,
         totp_confirmed_at = $4 WHERE member_id = $1`,
      [memberId, sealed, masterKeyId, t.now],
    ),
  );
  for (const [i, s] of schools.entries()) {
    await asSystem(services, s.id, 'demo_seed').tx(async (t) => {
      await t.q(
        `INSERT INTO trust_sharing (school_id, trust_id, since, switched_on_by)
         VALUES ($1, $2, $3, $4)`,
        [s.id, trust.id, t.now, s.admin],
      );
      await t.audit({
        action: 'trust.sharing_changed',
        targetType: 'school',
        targetId: s.id,
        details: { sharing: true },
      });
      await computeSnapshot(t);
      if (i > 0) return;
      const [pupil] = await t.q<{ id: string }>(
        `SELECT p.id FROM pupils p WHERE EXISTS (SELECT 1 FROM concern_pupils cp WHERE cp.pupil_id = p.id)
         ORDER BY p.last_name, p.first_name LIMIT 1`,
      );
      if (!pupil) return;
      const [{ id } = { id: '' }] = await t.q<{ id: string }>(
        'SELECT gen_random_uuid()::text AS id',
      );
      const reason = 'DEMO: the trust safeguarding lead is reviewing this case with the DSL.';
      await t.q(
        `INSERT INTO trust_grants (id, school_id, trust_id, member_id, scope, pupil_id,
           reason_sealed, granted_by, granted_at, expires_at)
         VALUES ($1, $2, $3, $4, 'pupil', $5, $6, $7, $8, $9)`,
        [
          id,
          s.id,
          trust.id,
          memberId,
          pupil.id,
          (await t.sealer()).seal('trust_grants.reason', id, reason),
          s.dsl,
          t.now,
          new Date(t.now.getTime() + 7 * 86_400_000),
        ],
      );
      await t.audit({
        action: 'trust.grant_made',
        targetType: 'pupil',
        targetId: pupil.id,
        details: { grant: id, member: memberId, scope: 'pupil', days: 7 },
      });
    });
  }
  const cred: DemoTrustCredential = {
    trust: trust.name,
    email,
    password,
    name,
    role: 'trust_safeguarding_lead',
    totpSecret,
  };
  const file = path.join(services.config.dataDir, 'demo-trust-credentials.json');
  writeFileSync(file, JSON.stringify([cred], null, 2), { mode: 0o600 });
  return cred;
}
