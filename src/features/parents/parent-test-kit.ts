// Test-only helpers for the parents' side (never imported by the server): a parent made for given
// pupils as the MIS would have them (a contact with parental responsibility, the primary contact)
// with an accepted account and an authenticator app, signed in through the real routes
// (password, then the code), and a call helper that sends the parent's cookie and CSRF token.
// Used by F (forms) and M (medical) too:
//   const parent = await makeParent(t, schoolId, [pupil.id]);
//   const s = await signInParent(t, parent);
//   const res = await parentCall(t, s, 'GET', `/api/parent/children/${pupil.id}`);
import { randomUUID } from 'node:crypto';
import type { TestApp } from '../../test/harness.ts';
import { TEST_PASSWORD } from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { hashPassword } from '../identity/password-hash.ts';
import { newTotpSecret, totpCodeAt } from '../identity/totp.ts';
import { PARENT_TOTP_FIELD } from './sign-in.ts';
import { parentCookieName } from './sessions.ts';

export type TestParent = {
  parentId: string;
  contactId: string;
  schoolId: string;
  email: string;
  password: string;
  name: string;
  pupilIds: string[];
  /** The authenticator app's secret (base32), or null for a parent who has not set one up. */
  secret: string | null;
};

export type ParentSession = { cookie: string; csrf: string };

let hashed: Promise<string> | undefined;

/**
 * A parent of `pupilIds`: an MIS contact with parental responsibility (the primary contact) of
 * each, an accepted, active account, and (unless `secondFactor: false`) an authenticator app.
 */
export async function makeParent(
  t: Pick<TestApp, 'services'>,
  schoolId: string,
  pupilIds: string[],
  opts: {
    firstName?: string;
    lastName?: string;
    secondFactor?: boolean;
    /** Link as a contact without parental responsibility and not the primary contact. */
    notResponsible?: boolean;
  } = {},
): Promise<TestParent> {
  const first = opts.firstName ?? 'Ann';
  const last = opts.lastName ?? `Parent${randomUUID().slice(0, 6)}`;
  const email = `parent-${randomUUID().slice(0, 8)}@test.lantern.invalid`;
  hashed ??= hashPassword(TEST_PASSWORD);
  const passwordHash = await hashed;
  const secret = opts.secondFactor === false ? null : newTotpSecret();
  const now = t.services.clock.now();
  const ids = await unsafeAsOwner(t.services.db, async (q) => {
    const [contact] = await q.query<{ id: string }>(
      `INSERT INTO contacts (school_id, mis_id, first_name, last_name)
       VALUES ($1, $2, $3, $4) RETURNING id`,
      [schoolId, `C-${randomUUID()}`, first, last],
    );
    const contactId = contact!.id;
    for (const pupilId of pupilIds) {
      await q.query(
        `INSERT INTO pupil_contacts (school_id, pupil_id, contact_id, relationship, priority,
           parental_responsibility)
         VALUES ($1, $2, $3, 'Parent', $4, $5)`,
        [schoolId, pupilId, contactId, opts.notResponsible ? 3 : 1, !opts.notResponsible],
      );
    }
    const [account] = await q.query<{ id: string }>(
      `INSERT INTO parent_accounts (school_id, contact_id, email, name, password_hash, status,
         created_at, activated_at)
       VALUES ($1, $2, $3, $4, $5, 'active', $6, $6) RETURNING id`,
      [schoolId, contactId, email, `${first} ${last}`, passwordHash, now],
    );
    const parentId = account!.id;
    for (const pupilId of pupilIds) {
      await q.query(
        `INSERT INTO parent_links (school_id, parent_id, pupil_id, contact_id, created_at,
           accepted_at)
         VALUES ($1, $2, $3, $4, $5, $5)`,
        [schoolId, parentId, pupilId, contactId, now],
      );
    }
    if (secret) {
      const sealer = await t.services.keys.forSchool(q, schoolId);
      await q.query(
        `INSERT INTO parent_totp (parent_id, school_id, secret_sealed, created_at, confirmed_at)
         VALUES ($1, $2, $3, $4, $4)`,
        [parentId, schoolId, sealer.seal(PARENT_TOTP_FIELD, parentId, secret), now],
      );
    }
    return { contactId, parentId };
  });
  return {
    ...ids,
    schoolId,
    email,
    password: TEST_PASSWORD,
    name: `${first} ${last}`,
    pupilIds,
    secret,
  };
}

/** The code the parent's authenticator app shows now (the replay guard reset first: tests only). */
export async function parentCode(t: Pick<TestApp, 'services'>, p: TestParent): Promise<string> {
  if (!p.secret) throw new Error('this parent has no authenticator app');
  await unsafeAsOwner(t.services.db, (q) =>
    q.query('UPDATE parent_totp SET last_step = NULL WHERE parent_id = $1', [p.parentId]),
  );
  return totpCodeAt(p.secret, t.services.clock.now());
}

type Reply = Awaited<ReturnType<TestApp['app']['inject']>>;

/** The parent session a reply set (or kept), with its CSRF token. */
export function parentSessionOf(res: Reply, old?: ParentSession): ParentSession {
  const name = parentCookieName({ tls: false }); // test apps run without TLS
  const c = res.cookies.find((x) => x.name === name);
  const csrf = res.json<{ csrfToken?: string }>().csrfToken ?? old?.csrf;
  const cookie = c ? `${name}=${c.value}` : old?.cookie;
  if (!cookie || !csrf) throw new Error(`no parent session in ${res.statusCode} ${res.body}`);
  return { cookie, csrf };
}

/** Signs the parent in through the real routes: password, then the authenticator code. */
export async function signInParent(t: TestApp, p: TestParent): Promise<ParentSession> {
  const first = await t.app.inject({
    method: 'POST',
    url: '/api/parent/auth/sign-in',
    payload: { email: p.email, password: p.password },
  });
  if (first.statusCode !== 200) {
    throw new Error(`parent sign-in failed: ${first.statusCode} ${first.body}`);
  }
  const pending = parentSessionOf(first);
  if (!p.secret) return pending;
  const coded = await parentCall(t, pending, 'POST', '/api/parent/auth/code', {
    code: await parentCode(t, p),
  });
  if (coded.statusCode !== 200) {
    throw new Error(`parent code refused: ${coded.statusCode} ${coded.body}`);
  }
  return parentSessionOf(coded, pending);
}

/** Calls the API as a signed-in parent (or signed out with session null). */
export function parentCall(
  t: Pick<TestApp, 'app'>,
  session: ParentSession | null,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
): Promise<Reply> {
  return t.app.inject({
    method,
    url,
    headers: session ? { cookie: session.cookie, 'x-csrf-token': session.csrf } : {},
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
}

/**
 * An MIS contact of the pupil (parental responsibility unless told otherwise) with an email
 * address (sealed, as the MIS sync stores it), not invited yet.
 */
export async function makeContact(
  t: Pick<TestApp, 'services'>,
  schoolId: string,
  pupilId: string,
  opts: {
    firstName?: string;
    lastName?: string;
    email?: string | null;
    parentalResponsibility?: boolean;
    priority?: number;
  } = {},
): Promise<{ contactId: string; email: string | null; name: string }> {
  const first = opts.firstName ?? 'Carer';
  const last = opts.lastName ?? `Contact${randomUUID().slice(0, 6)}`;
  const email =
    opts.email === undefined
      ? `carer-${randomUUID().slice(0, 8)}@test.lantern.invalid`
      : opts.email;
  const contactId = await unsafeAsOwner(t.services.db, async (q) => {
    const [c] = await q.query<{ id: string }>(
      `INSERT INTO contacts (school_id, mis_id, first_name, last_name)
       VALUES ($1, $2, $3, $4) RETURNING id`,
      [schoolId, `C-${randomUUID()}`, first, last],
    );
    const id = c!.id;
    if (email) {
      const sealer = await t.services.keys.forSchool(q, schoolId);
      await q.query('UPDATE contacts SET emails = $2 WHERE id = $1', [
        id,
        sealer.sealJson('contacts.emails', id, [{ kind: 'home', address: email }]),
      ]);
    }
    await q.query(
      `INSERT INTO pupil_contacts (school_id, pupil_id, contact_id, relationship, priority,
         parental_responsibility)
       VALUES ($1, $2, $3, 'Parent', $4, $5)`,
      [schoolId, pupilId, id, opts.priority ?? 1, opts.parentalResponsibility ?? true],
    );
    return id;
  });
  return { contactId, email, name: `${first} ${last}` };
}

/** An invitation already sent to a new contact of the pupil (status invited), by its id. */
export async function makeInvitation(
  t: Pick<TestApp, 'services'>,
  schoolId: string,
  pupilId: string,
): Promise<string> {
  const c = await makeContact(t, schoolId, pupilId);
  const now = t.services.clock.now();
  const [row] = await unsafeAsOwner(t.services.db, (q) =>
    q.query<{ id: string }>(
      `INSERT INTO parent_invitations (school_id, contact_id, pupil_id, email, status, invited_at,
         expires_at, token_hash)
       VALUES ($1, $2, $3, $4, 'invited', $5, $6, $7) RETURNING id`,
      [
        schoolId,
        c.contactId,
        pupilId,
        c.email,
        now,
        new Date(now.getTime() + 86_400_000),
        Buffer.from(randomUUID()),
      ],
    ),
  );
  return row!.id;
}
