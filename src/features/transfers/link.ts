// Sending the child-protection file to a school on no Lantern (issue 18): a single-recipient link
// emailed to the receiving school's DSL address. What it protects: the file reaches only the
// person the sending DSL named, at the school the directory says it is. The address must be under
// the domain the directory holds for that school, or one this school's DSL confirmed (a subdomain
// of it counts); the link's token is 32 random bytes, stored only as its SHA-256; the file is
// frozen as sent, sealed under this school's key with the address; the email carries the link and
// the sending school's name, nothing of the child (the one-time code comes separately, asked for
// on the page: link-public.ts). To change safely: never put anything but the token in the link,
// and keep every refusal before any change (sendTransfer audits it in its own transaction).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { clearLinkCopies } from './keep.ts';
import { DomainError } from '../../core/errors.ts';
import type { Services } from '../../platform/services.ts';
import { queueMail } from '../../platform/mail/outbox.ts';
import { LINK_DAYS_DEFAULT } from '../../shared/schemas/transfers.ts';
import { establishment } from './directory.ts';
import type { TransferFile } from './file.ts';

export const LINK_PAGE = '/transfer-link';
/** A link's token: 32 random bytes, base64url. */
export const LINK_TOKEN = /^[A-Za-z0-9_-]{43}$/;
export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest();

/** One plain address, as the mailer accepts it (no display name, list or line break). */
const ADDRESS = /^[^\s@<>,;"]+@([a-z0-9-]+(\.[a-z0-9-]+)+)$/;

export async function linkDaysOf(t: Tx): Promise<number> {
  const [row] = await t.q<{ link_days: number }>('SELECT link_days FROM transfer_settings');
  return row?.link_days ?? LINK_DAYS_DEFAULT;
}

export async function setLinkDays(t: Tx, days: number): Promise<void> {
  await t.q(
    `INSERT INTO transfer_settings (school_id, link_days) VALUES ($1, $2)
     ON CONFLICT (school_id) DO UPDATE SET link_days = EXCLUDED.link_days`,
    [t.schoolId, days],
  );
  await t.audit({ action: 'transfer.link_settings_set', details: { linkDays: days } });
}

/** Refused addresses: a DomainError whose code sendTransfer audits after the rollback. */
export class LinkRefused extends DomainError {
  readonly domain: string | undefined;
  constructor(
    code: 'bad_address' | 'outside_domain' | 'no_domain' | 'no_address',
    message: string,
    domain?: string,
  ) {
    super('invalid', code, message);
    this.domain = domain;
  }
}

/** The address, checked against the destination's domain; answers it and its domain. */
export async function checkRecipient(
  t: Tx,
  urn: number,
  email: string | undefined,
): Promise<{ email: string; domain: string }> {
  // The domain is compared without case; the local part is kept as given.
  const trimmed = (email ?? '').trim();
  const at = trimmed.lastIndexOf('@');
  const clean = at < 0 ? trimmed : `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`;
  if (clean === '')
    throw new LinkRefused(
      'no_address',
      "Give the receiving school's DSL email address: the school does not use Lantern, so the file goes to it as a secure link.",
    );
  const m = ADDRESS.exec(clean);
  if (!m)
    throw new LinkRefused('bad_address', 'Give one email address, such as dsl@school.sch.uk.');
  const domain = m[1]!;
  const school = await establishment(t, urn);
  if (!school.domain)
    throw new LinkRefused(
      'no_domain',
      `No email domain is confirmed for ${school.name}: confirm the domain its DSL addresses are under first (a school's website may be on another domain than its email).`,
      domain,
    );
  if (domain !== school.domain && !domain.endsWith(`.${school.domain}`))
    throw new LinkRefused(
      'outside_domain',
      `That address is not at ${school.name}: its DSL addresses are under ${school.domain}. Check the address, or confirm the school's domain if it has changed.`,
      domain,
    );
  return { email: clean, domain };
}

/** Issues the link (any earlier one for the transfer is replaced) and queues its email. */
export async function issueLink(
  t: Tx,
  services: Pick<Services, 'config' | 'log'>,
  o: { transferId: string; email: string; domain: string; file: TransferFile; school: string },
): Promise<{ id: string; expiresAt: Date }> {
  const id = randomUUID();
  const token = randomBytes(32).toString('base64url');
  const days = await linkDaysOf(t);
  const expiresAt = new Date(t.now.getTime() + days * 86_400_000);
  const replaced = await t.q<{ id: string }>(
    `UPDATE transfer_links SET state = 'replaced', view_hash = NULL, code_hash = NULL
     WHERE transfer_id = $1 AND state = 'live' RETURNING id`,
    [o.transferId],
  );
  // A replaced link's own copy of the file goes with it.
  if (replaced.length > 0)
    await clearLinkCopies(
      t,
      o.transferId,
      replaced.map((r) => r.id),
    );
  const sealer = await t.sealer();
  await t.q(
    `INSERT INTO transfer_links (id, school_id, transfer_id, email, domain, token_hash, file,
       manifest_sha256, expires_at, state, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'live', $10, $11)`,
    [
      id,
      t.schoolId,
      o.transferId,
      sealer.seal('transfer_links.email', id, o.email),
      o.domain,
      hashSecret(token),
      sealer.sealJson('transfer_links.file', id, o.file),
      o.file.manifestSha256,
      expiresAt,
      t.actor.userId,
      t.now,
    ],
  );
  await queueMail(
    t.db,
    services,
    {
      template: 'transfer_link',
      to: o.email,
      school: o.school,
      // The token goes after '#': browsers never send it to a server, nor in a Referer.
      link: `${services.config.publicOrigin}${LINK_PAGE}#${token}`,
      expiresAt: expiresAt.toISOString(),
    },
    t.now,
  );
  await t.audit({
    action: 'transfer.link_sent',
    targetType: 'transfer',
    targetId: o.transferId,
    details: {
      link: id,
      domain: o.domain,
      expiresAt: expiresAt.toISOString(),
      items: o.file.items.length,
      sha256: o.file.manifestSha256,
    },
  });
  return { id, expiresAt };
}

/** The last address a transfer's link went to ("send again" without a new one). */
export async function lastLinkEmail(t: Tx, transferId: string): Promise<string | undefined> {
  const [row] = await t.q<{ id: string; email: Buffer }>(
    `SELECT id, email FROM transfer_links WHERE transfer_id = $1 ORDER BY created_at DESC LIMIT 1`,
    [transferId],
  );
  if (!row) return undefined;
  return (await t.sealer()).open('transfer_links.email', row.id, row.email);
}
