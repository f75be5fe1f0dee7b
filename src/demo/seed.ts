// Demo data for a first run on an empty embedded database: a clearly labelled demo trust with two
// schools of synthetic pupils, staff in every role, and a few concerns. Never runs on PostgreSQL
// or in production (config.demoData is false there). Writes <data dir>/demo-credentials.json.
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Services } from '../platform/services.ts';
import { asSystem, NO_ORIGIN, SYSTEM_REASONS, unsafeAsOperator, visitor } from '../core/context.ts';
import { createSchool, createTrust } from '../features/administration/create-school.ts';
import { seedTrustLead } from '../features/trust/demo.ts';
import { createUser } from '../features/administration/create-user.ts';
import { seedStaffConcerns } from '../features/staff-concerns/demo.ts';
import { seedAdmissions } from '../features/admissions/demo.ts';
import { seedConsents } from '../features/consents/demo.ts';
import { seedParents } from '../features/parents/demo.ts';
import { seedMedical } from '../features/medical/demo.ts';
import { linkDemoTripConsents, seedTrips } from '../features/trips/demo.ts';
import type { Role } from '../core/access/actor.ts';
import { FIRST_NAMES, LAST_NAMES } from './names.ts';
import { newTotpSecret } from '../features/identity/totp.ts';
import { TOTP_FIELD } from '../features/identity/second-factor.ts';
import { concernTokens } from '../features/concerns/service.ts';
import { INDEX_VERSION } from '../features/search/blind-index.ts';

export type DemoCredential = {
  school: string;
  email: string;
  password: string;
  role: Role;
  name: string;
  /** Base32 TOTP secret for users enrolled with an authenticator (all who read records but the new starter). */
  totpSecret?: string;
};

/**
 * The demo's staff. Everyone who may read records has an authenticator app (its key in
 * demo-credentials.json) except the new starter, who shows enrolment on first sign-in. The
 * lunchtime supervisor is in "All staff" only: may log a concern, sees no records, and so needs no
 * second factor.
 */
const STAFF: {
  role: Role;
  name: string;
  local: string;
  totp: boolean;
  /** The only groups this account keeps, instead of its role's defaults. */
  onlyGroups?: readonly string[];
}[] = [
  { role: 'teacher', name: 'Tom Teacher', local: 'teacher', totp: true },
  { role: 'teacher', name: 'Tara Teacher', local: 'teacher2', totp: true },
  { role: 'teacher', name: 'Nia New-Starter', local: 'newstarter', totp: false },
  {
    role: 'teacher',
    name: 'Lee Lunchtime (supervisor)',
    local: 'lunchtime',
    totp: false,
    onlyGroups: ['all_staff'],
  },
  { role: 'head_of_year', name: 'Hana Head-of-Year', local: 'hoy', totp: true },
  { role: 'dsl', name: 'Dana Lead (DSL)', local: 'dsl', totp: true },
  { role: 'deputy_dsl', name: 'Dev Deputy (DDSL)', local: 'ddsl', totp: true },
  { role: 'headteacher', name: 'Helen Head', local: 'head', totp: true },
  { role: 'school_admin', name: 'Adam Admin', local: 'admin', totp: true },
  // Issue 19: the case manager for concerns about the headteacher; this area alone.
  { role: 'chair_of_governors', name: 'Gita Governor (chair)', local: 'chair', totp: true },
];

/** A small deterministic PRNG so the demo school looks the same on every machine. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function seedDemoIfEmpty(services: Services): Promise<DemoCredential[] | null> {
  // Whether any school exists at all crosses tenants, so only the owner can tell.
  const [{ n } = { n: 0 }] = await unsafeAsOperator(services, SYSTEM_REASONS.demo_seed, (t) =>
    t.q<{ n: number }>('SELECT count(*)::int AS n FROM schools'),
  );
  if (n > 0) return null;
  const creds = await seedDemo(services);
  const file = path.join(services.config.dataDir, 'demo-credentials.json');
  writeFileSync(file, JSON.stringify(creds, null, 2), { mode: 0o600 });
  services.log.info(
    `Demo data created (DEMO trust, synthetic pupils). Sign in at ${services.config.publicOrigin} ` +
      `with any account in ${file}, for example ${creds[0]!.email} / ${creds[0]!.password}. ` +
      'Accounts that read records have an authenticator app: its key is the totpSecret in that ' +
      'file (add it to an authenticator app, or run `oathtool --totp -b <totpSecret>`). The new ' +
      'starter has none and is asked to set one up; the lunchtime supervisor may only log ' +
      "concerns and needs none. The demo trust's lead signs in at /trust with the account in " +
      'demo-trust-credentials.json (beside it).',
  );
  return creds;
}

export async function seedDemo(
  services: Services,
  pupilsPerSchool = 400,
): Promise<DemoCredential[]> {
  const trustId = await createTrust(services.db, 'DEMO Lantern Learning Trust', true);
  const creds: DemoCredential[] = [];
  const trustSchools: { id: string; admin: string; dsl: string }[] = [];
  const schools = [
    { name: 'DEMO Northfield Academy', domain: 'northfield.demo.lantern.invalid', seed: 1 },
    { name: 'DEMO Riverside High School', domain: 'riverside.demo.lantern.invalid', seed: 2 },
  ];
  for (const s of schools) {
    const schoolId = await createSchool(
      services,
      { name: s.name, trustId, isDemo: true },
      'demo-seed',
    );
    const ids: Partial<Record<string, string>> = {};
    for (const st of STAFF) {
      const password = `${randomBytes(9).toString('base64url')}-Lt7!`;
      const email = `${st.local}@${s.domain}`;
      const id = await createUser(
        services.db,
        { schoolId, email, name: st.name, role: st.role, password },
        'demo-seed',
      );
      ids[st.local] = id;
      if (st.onlyGroups) await keepOnlyGroups(services, schoolId, id, st.onlyGroups);
      const totpSecret = st.totp ? await enrolTotp(services, schoolId, id) : undefined;
      creds.push({
        school: s.name,
        email,
        password,
        role: st.role,
        name: st.name,
        ...(totpSecret ? { totpSecret } : {}),
      });
    }
    await seedPupils(services, schoolId, pupilsPerSchool, s.seed);
    await seedConcerns(services, schoolId, ids.teacher!, ids.dsl!);
    await seedStaffConcerns(services, schoolId, {
      raiser: ids.teacher!,
      colleague: ids.teacher2!,
      dsl: ids.dsl!,
      head: ids.head!,
    });
    // Issue 21: a nursery intake's parents (accepted, invited, not invited, restricted).
    await seedParents(services, schoolId, {
      schoolName: s.name,
      domain: s.domain,
      invitedBy: ids.admin!,
    });
    // Issue 21: a medical plan due to expire, changes waiting on both sides, and a trip.
    const medicalPupil = await seedMedical(services, schoolId, { staff: ids.admin! });
    await seedTrips(services, schoolId, {
      leaders: [ids.teacher!, ids.head!],
      createdBy: ids.admin!,
      pupilId: medicalPupil,
    });
    // Issue 21: a nursery admission in progress; a consent form at version 2, version 1's answers kept.
    const family = await seedAdmissions(services, schoolId, ids.admin!);
    await seedConsents(services, schoolId, ids.admin!, family);
    trustSchools.push({ id: schoolId, admin: ids.admin!, dsl: ids.dsl! });
    // Issue 21: the trip names the consent form (and takes the child it asks about).
    await linkDemoTripConsents(services, schoolId);
  }
  // Issue 20: the demo trust's lead (demo-trust-credentials.json); both schools share figures.
  await seedTrustLead(services, { id: trustId, name: 'DEMO Lantern Learning Trust' }, trustSchools);
  return creds;
}

/** Takes a demo account out of its role's other default groups (audited like an admin's change). */
async function keepOnlyGroups(
  services: Services,
  schoolId: string,
  userId: string,
  keys: readonly string[],
): Promise<void> {
  await asSystem(services, schoolId, 'demo_seed').tx(async (t) => {
    const member = async () =>
      (
        await t.q<{ id: string }>(
          `SELECT g.id FROM staff_group_members m JOIN staff_groups g ON g.id = m.group_id
           WHERE m.user_id = $1 ORDER BY g.id`,
          [userId],
        )
      ).map((r) => r.id);
    const before = await member();
    await t.q(
      `DELETE FROM staff_group_members m USING staff_groups g
       WHERE g.id = m.group_id AND m.user_id = $1 AND NOT (g.key = ANY($2::text[]))`,
      [userId, [...keys]],
    );
    await t.audit({
      action: 'user.groups_changed',
      targetType: 'user',
      targetId: userId,
      details: { before, after: await member() },
    });
  });
}

/** A confirmed authenticator app for a demo user; the secret is sealed like any other. */
async function enrolTotp(services: Services, schoolId: string, userId: string): Promise<string> {
  const secret = newTotpSecret();
  await asSystem(services, schoolId, 'demo_seed').tx(async (t) => {
    const sealer = await t.sealer();
    await t.q(
      `INSERT INTO totp_credentials (user_id, school_id, secret_sealed, confirmed_at)
       VALUES ($1, $2, $3, now())`,
      [userId, schoolId, sealer.seal(TOTP_FIELD, userId, secret)],
    );
  });
  return secret;
}

async function seedPupils(services: Services, schoolId: string, count: number, seed: number) {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  await asSystem(services, schoolId, 'demo_seed').tx(async (t) => {
    const { db: tx } = t;
    const sealer = await t.sealer();
    const rows: unknown[][] = [];
    for (let i = 0; i < count; i++) {
      const year = 7 + (i % 5);
      const form = `${year}${'ABCD'[Math.floor(i / 5) % 4]}`;
      const dobYear = 2026 - year - 5;
      const dob = `${dobYear}-${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rand() * 28)).padStart(2, '0')}`;
      rows.push([
        randomUUID(),
        schoolId,
        `DEMO${seed}${String(i).padStart(4, '0')}`,
        pick(FIRST_NAMES),
        pick(LAST_NAMES),
        dob,
        `Year ${year}`,
        form,
        rand() < 0.5 ? 'F' : 'M',
      ]);
    }
    const values = rows.map(
      (_, i) =>
        `($${i * 9 + 1}, $${i * 9 + 2}, $${i * 9 + 3}, $${i * 9 + 4}, $${i * 9 + 5}, $${i * 9 + 6}, $${i * 9 + 7}, $${i * 9 + 8}, $${i * 9 + 9})`,
    );
    await tx.query(
      `INSERT INTO pupils (id, school_id, mis_id, first_name, last_name, date_of_birth, year_group, form, gender)
       VALUES ${values.join(', ')}`,
      rows.flat(),
    );
    const flags: [string, number][] = [
      ['sen_support', 0.12],
      ['ehcp', 0.03],
      ['fsm', 0.2],
      ['pupil_premium', 0.25],
      ['cp_plan', 0.01],
      ['cin', 0.02],
      ['eal', 0.15],
    ];
    for (const r of rows) {
      for (const [flag, p] of flags) {
        if (rand() < p) {
          // A flag's kind is sealed like the other MIS fields (migration 0022).
          const id = randomUUID();
          await tx.query(
            `INSERT INTO pupil_flags (id, school_id, pupil_id, kind_sealed, source, starts_on) VALUES ($1, $2, $3, $4, 'mis', '2025-09-01')`,
            [id, schoolId, r[0], sealer.seal('pupil_flags.kind', id, flag)],
          );
        }
      }
    }
  });
}

async function seedConcerns(
  services: Services,
  schoolId: string,
  teacherId: string,
  dslId: string,
) {
  const samples = [
    {
      by: teacherId,
      text: 'Arrived without a coat again and said "there was no one to wake me up". Seemed hungry at break.',
      days: 3,
    },
    {
      by: teacherId,
      text: 'Upset after lunch; said other pupils had been posting about her in a group chat.',
      days: 8,
    },
    {
      by: dslId,
      text: 'Phone call from mum: family are moving house next month. No concerns raised on the call.',
      days: 12,
    },
  ];
  // Each sample is audited as written by its author, labelled as the demo seed: the door for
  // an audit entry that names a real person without a request is the visitor's.
  await visitor(services, NO_ORIGIN).inSchool(schoolId, async (t) => {
    const { db: tx, now } = t;
    const sealer = await t.sealer();
    const pupils = await tx.query<{ id: string }>('SELECT id FROM pupils ORDER BY mis_id LIMIT 3');
    const cats = await tx.query<{ id: string }>(
      'SELECT id FROM categories WHERE parent_id IS NULL AND NOT restricted ORDER BY sort_order LIMIT 3',
    );
    for (const [i, s] of samples.entries()) {
      const id = randomUUID();
      await tx.query(
        `INSERT INTO concerns (id, school_id, author_id, happened_at, recorded_at, body, search_tokens,
           index_version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, ${INDEX_VERSION})`,
        [
          id,
          schoolId,
          s.by,
          new Date(now.getTime() - s.days * 86_400_000),
          now,
          sealer.seal('concerns.body', id, s.text),
          concernTokens(sealer.searchKey, s.text, null),
        ],
      );
      await tx.query(
        'INSERT INTO concern_pupils (school_id, concern_id, pupil_id) VALUES ($1, $2, $3)',
        [schoolId, id, pupils[i]!.id],
      );
      await tx.query(
        'INSERT INTO concern_categories (school_id, concern_id, category_id) VALUES ($1, $2, $3)',
        [schoolId, id, cats[i % cats.length]!.id],
      );
      await t.audit(
        { action: 'concern.created', targetType: 'concern', targetId: id },
        { userId: s.by, name: SYSTEM_REASONS.demo_seed },
      );
    }
  });
}
