// Demo data for parents and carers (issue 21): a nursery intake of three synthetic pupils with
// their MIS contacts — one parent who has accepted (a password and an authenticator app, listed in
// <data dir>/demo-parent-credentials.json), one invited and reminded once, one not yet invited,
// and a contact the DSL has restricted (a court order), who can never be invited. Called by
// src/demo/seed.ts for each demo school; synthetic people only.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { asSystem } from '../../core/context.ts';
import type { Services } from '../../platform/services.ts';
import { hashPassword } from '../identity/password-hash.ts';
import { newTotpSecret } from '../identity/totp.ts';
import { PARENT_TOTP_FIELD } from './sign-in.ts';

export type DemoParentCredential = {
  school: string;
  email: string;
  password: string;
  name: string;
  /** Base32 key of the parent's authenticator app (`oathtool --totp -b <key>`). */
  totpSecret: string;
};

const DAY = 86_400_000;

export async function seedParents(
  services: Services,
  schoolId: string,
  p: { schoolName: string; domain: string; invitedBy: string },
): Promise<DemoParentCredential> {
  const password = `${randomBytes(9).toString('base64url')}-Pa7!`;
  const passwordHash = await hashPassword(password);
  const totpSecret = newTotpSecret();
  const email = `pat.parent@${p.domain}`;
  await asSystem(services, schoolId, 'demo_seed').tx(async (t) => {
    const sealer = await t.sealer();
    const pupil = async (first: string, last: string, dob: string, year: string) => {
      const id = randomUUID();
      await t.q(
        `INSERT INTO pupils (id, school_id, mis_id, first_name, last_name, date_of_birth,
           year_group, form)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          id,
          schoolId,
          `DEMO-N-${id.slice(0, 8)}`,
          first,
          last,
          dob,
          year,
          year === 'Nursery' ? 'N1' : 'R1',
        ],
      );
      return id;
    };
    const contact = async (
      pupilId: string,
      first: string,
      last: string,
      address: string,
      pr: boolean,
      priority: number,
    ) => {
      const id = randomUUID();
      await t.q(
        `INSERT INTO contacts (id, school_id, mis_id, first_name, last_name, emails)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          id,
          schoolId,
          `DEMO-C-${id.slice(0, 8)}`,
          first,
          last,
          sealer.sealJson('contacts.emails', id, [{ kind: 'home', address }]),
        ],
      );
      await t.q(
        `INSERT INTO pupil_contacts (school_id, pupil_id, contact_id, relationship, priority,
           parental_responsibility)
         VALUES ($1, $2, $3, 'Parent', $4, $5)`,
        [schoolId, pupilId, id, priority, pr],
      );
      return id;
    };
    const ava = await pupil('Ava', 'Parent', '2022-10-03', 'Nursery');
    const ben = await pupil('Ben', 'Carer', '2022-12-19', 'Nursery');
    const cal = await pupil('Cal', 'Guardian', '2021-11-08', 'Reception');

    // Accepted: Pat Parent, with a password and an authenticator app.
    const pat = await contact(ava, 'Pat', 'Parent', email, true, 1);
    const [acc] = await t.q<{ id: string }>(
      `INSERT INTO parent_accounts (school_id, contact_id, email, name, password_hash, status,
         created_at, activated_at, password_changed_at)
       VALUES ($1, $2, $3, 'Pat Parent', $4, 'active', $5, $5, $5) RETURNING id`,
      [schoolId, pat, email, passwordHash, t.now],
    );
    const parentId = acc!.id;
    await t.q(
      `INSERT INTO parent_totp (parent_id, school_id, secret_sealed, created_at, confirmed_at)
       VALUES ($1, $2, $3, $4, $4)`,
      [parentId, schoolId, sealer.seal(PARENT_TOTP_FIELD, parentId, totpSecret), t.now],
    );
    await t.q(
      `INSERT INTO parent_links (school_id, parent_id, pupil_id, contact_id, created_at, accepted_at)
       VALUES ($1, $2, $3, $4, $5, $5)`,
      [schoolId, parentId, ava, pat, t.now],
    );
    const invitedAt = new Date(t.now.getTime() - 8 * DAY);
    await t.q(
      `INSERT INTO parent_invitations (school_id, contact_id, pupil_id, parent_id, email, status,
         invited_by, invited_at, accepted_at, reminders_sent)
       VALUES ($1, $2, $3, $4, $5, 'accepted', $6, $7, $8, 0)`,
      [schoolId, pat, ava, parentId, email, p.invitedBy, invitedAt, t.now],
    );
    // Invited eight days ago and reminded once; the link (never shown) expires in 20 days.
    const sam = await contact(ben, 'Sam', 'Carer', `sam.carer@${p.domain}`, true, 1);
    await t.q(
      `INSERT INTO parent_invitations (school_id, contact_id, pupil_id, email, status, invited_by,
         invited_at, reminders_sent, next_reminder_at, token_hash, expires_at)
       VALUES ($1, $2, $3, $4, 'invited', $5, $6, 1, $7, $8, $9)`,
      [
        schoolId,
        sam,
        ben,
        `sam.carer@${p.domain}`,
        p.invitedBy,
        invitedAt,
        new Date(t.now.getTime() + 4 * DAY),
        createHash('sha256').update(randomBytes(32)).digest(),
        new Date(t.now.getTime() + 20 * DAY),
      ],
    );
    // Not invited yet; and a second contact with a court order, never to be invited.
    await contact(cal, 'Lee', 'Guardian', `lee.guardian@${p.domain}`, true, 1);
    const barred = await contact(cal, 'Rory', 'Guardian', `rory.guardian@${p.domain}`, true, 2);
    await t.q(
      `INSERT INTO contact_restrictions (school_id, pupil_id, contact_id, kind, court_order)
       VALUES ($1, $2, $3, 'no_contact_or_collection', true)`,
      [schoolId, cal, barred],
    );
  });
  const cred = { school: p.schoolName, email, password, name: 'Pat Parent', totpSecret };
  const file = path.join(services.config.dataDir, 'demo-parent-credentials.json');
  const before = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as DemoParentCredential[])
    : [];
  writeFileSync(file, JSON.stringify([...before, cred], null, 2), { mode: 0o600 });
  return cred;
}
