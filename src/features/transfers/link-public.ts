// The public page of a link to a school on no Lantern (issue 18): the recipient has no session.
// What it protects: the file opens only for the person at the address it was sent to, only while
// the link is live. The link's token (from the page's #fragment, sent in a body; the page then
// takes it out of the address bar and the back/forward entry, though not out of the browser's
// history) finds the link, or after a reload the view key does; a one-time code emailed
// separately to that address opens it (6 digits, 15 minutes, one use,
// stored as a keyed hash; wrong codes counted against the link and the caller's address by the
// sign-in throttle, and five void the code); a correct code gives this browser a view key (an
// HttpOnly cookie for /api/public/transfer-link, one hour, stored as a hash) that the downloads
// and the receipt need. Every view, download and refusal is audited in the sending school's
// trail; a refusal changes nothing else. To change safely: check the link's state and expiry on
// every request (revoking must stop a view key at once), and keep refusals' audits in their own
// transaction, never in one that then throws.
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Services } from '../../platform/services.ts';
import { PLATFORM_SCHOOL_ID } from '../../platform/db/tenancy.ts';
import { queueMail } from '../../platform/mail/outbox.ts';
import type { Origin, VisitorContext, VisitorTx } from '../../core/context.ts';
import { visitor } from '../../core/context.ts';
import { DomainError } from '../../core/errors.ts';
import {
  addressKey,
  checkThrottle,
  recordFailure,
  refusalDue,
  type ThrottleState,
} from '../identity/throttle.ts';
import { sendQueuedMailSoon } from '../alerts/email.ts';
import type { LinkView, CodeSent, Receipt } from '../../shared/schemas/transfers.ts';
import { hashSecret, LINK_TOKEN } from './link.ts';
import type { TransferFile } from './file.ts';
import { keepAfterAcceptance } from './keep.ts';

/** `__Secure-` over TLS (a `__Host-` cookie must have Path=/, and this one is VIEW_PATH). */
export function viewCookieName(config: { tls: boolean }): string {
  return config.tls ? '__Secure-lantern_transfer_view' : 'lantern_transfer_view';
}
export const VIEW_PATH = '/api/public/transfer-link';
export const VIEW_MINUTES = 60;
export const CODE_MINUTES = 15;
/** Wrong codes after which the code is void (a new one must be asked for). */
export const CODE_TRIES = 5;
/** The least time between two codes for one link. */
export const CODE_GAP_SECONDS = 60;

type LinkRow = {
  id: string;
  school_id: string;
  transfer_id: string;
  from_school: string;
  to_school: string;
  email: Buffer;
  file: Buffer;
  manifest_sha256: string;
  expires_at: Date;
  state: 'live' | 'revoked' | 'replaced' | 'accepted';
  transfer_state: string;
  code_hash: Buffer | null;
  code_expires_at: Date | null;
  code_sent_at: Date | null;
  code_failures: number;
  view_hash: Buffer | null;
  view_expires_at: Date | null;
  opened_at: Date | null;
  receipt: Buffer | null;
};

const LINK_SELECT = `SELECT l.id, l.school_id, l.transfer_id, s.name AS from_school,
    coalesce(e.name, 'the receiving school') AS to_school, l.email, l.file, l.manifest_sha256,
    l.expires_at, l.state, x.state AS transfer_state, l.code_hash, l.code_expires_at,
    l.code_sent_at, l.code_failures, l.view_hash, l.view_expires_at, l.opened_at, x.receipt
  FROM transfer_links l JOIN schools s ON s.id = l.school_id
  JOIN transfers x ON x.id = l.transfer_id
  LEFT JOIN establishments e ON e.urn = x.destination_urn`;

const REFUSALS = {
  unknown: 'This link does not work. Ask the school that sent it to send the file again.',
  revoked:
    'This link has been withdrawn by the school that sent it. Ask that school about the file.',
  expired: 'This link has expired. Ask the school that sent it to send the file again.',
} as const;
/** A page with no token and no file opened in this browser (the token left the address bar). */
const REOPEN =
  'To see this file again, open the link from the email again (it works until it expires).';
type Refusal = keyof typeof REFUSALS | 'wrong_code' | 'no_code' | 'not_opened' | 'too_many';

/** The reason a link cannot be used now, or null (an accepted link still shows its receipt). */
function unusable(l: LinkRow, now: Date): 'revoked' | 'expired' | null {
  if (l.state === 'accepted') return null;
  if (l.state !== 'live' || !['sent', 'viewed'].includes(l.transfer_state)) return 'revoked';
  return l.expires_at <= now ? 'expired' : null;
}

export class LinkDoor {
  readonly #door: VisitorContext;
  readonly #services: Services;
  readonly #ip: string | null;
  constructor(services: Services, origin: Origin, ip: string | null) {
    this.#services = services;
    this.#door = visitor(services, origin);
    this.#ip = ip;
  }

  get #now() {
    return this.#services.clock.now();
  }

  async #byToken(token: string): Promise<LinkRow | null> {
    if (!LINK_TOKEN.test(token)) return null;
    const [row] = await this.#door.findInItsSchool<LinkRow>(
      'lantern_find_transfer_link',
      hashSecret(token),
      `${LINK_SELECT} WHERE l.token_hash = $1`,
    );
    return row ?? null;
  }

  /**
   * Refuses (audited in the link's school). With no link (an unknown token or view key) the
   * refusal counts a failure against the caller's address and is audited in the platform's trail
   * at most once a minute per address, so nobody can flood that trail.
   */
  async #refuse(
    l: LinkRow | null,
    reason: Refusal,
    message: string,
    failures = 0,
    opts: { retryAfterSeconds?: number } = {},
  ): Promise<never> {
    if (l === null) {
      const key = addressKey(this.#ip);
      const now = this.#now;
      await this.#door.inSchool(PLATFORM_SCHOOL_ID, async (t) => {
        await recordFailure(t.db, key, 'address', now);
        if (await refusalDue(t.db, key, now))
          await t.audit({ action: 'transfer.link_refused', details: { reason } });
      });
    } else
      await this.#door.inSchool(l.school_id, (t) =>
        reason === 'wrong_code'
          ? t.audit({
              action: 'transfer.link_code_refused',
              targetType: 'transfer',
              targetId: l.transfer_id,
              details: { link: l.id, failures },
            })
          : t.audit({
              action: 'transfer.link_refused',
              targetType: 'transfer',
              targetId: l.transfer_id,
              details: { reason },
            }),
      );
    const kind = reason === 'too_many' ? 'too_many_attempts' : 'invalid';
    throw new DomainError(
      reason === 'unknown' ? 'not_found' : kind,
      `link_${reason}`,
      message,
      opts,
    );
  }

  /** The link for a token, refused (audited) unless it can be used. */
  async #usable(token: string): Promise<LinkRow> {
    const l = await this.#byToken(token);
    if (!l) return this.#refuse(null, 'unknown', REFUSALS.unknown);
    const why = unusable(l, this.#now);
    if (why) return this.#refuse(l, why, REFUSALS[why]);
    return l;
  }

  /** Whether the browser's view key opens this link now. */
  #viewing(l: LinkRow, viewKey: string | undefined): boolean {
    if (!viewKey || !l.view_hash || !l.view_expires_at || l.view_expires_at <= this.#now)
      return false;
    const h = hashSecret(viewKey);
    return h.length === l.view_hash.length && timingSafeEqual(h, l.view_hash);
  }

  async #present(t: VisitorTx, l: LinkRow, open: boolean): Promise<LinkView> {
    const sealer = await t.sealer();
    const email = sealer.open('transfer_links.email', l.id, l.email);
    const [name = '', domain = ''] = email.split('@');
    const file = open ? sealer.openJson<TransferFile>('transfer_links.file', l.id, l.file) : null;
    return {
      fromSchool: l.from_school,
      toSchool: l.to_school,
      expiresAt: l.expires_at.toISOString(),
      state: l.state === 'accepted' ? 'accepted' : open ? 'open' : 'locked',
      codeTo: `${name.slice(0, 1)}•••@${domain}`,
      file: file && {
        pupil: file.pupil,
        items: file.items.map((i) => ({ kind: i.kind, happenedAt: i.happenedAt, title: i.title })),
        withheld: file.withheld,
        manifestSha256: file.manifestSha256,
      },
      receipt:
        l.state === 'accepted' && l.receipt
          ? sealer.openJson<Receipt>('transfers.receipt', l.transfer_id, l.receipt)
          : null,
    };
  }

  /**
   * The link a page without its token (a reload: the page took the token out of the address) is
   * about: only the one this browser opened with its code, while its view key lasts. Without a
   * view key there is nothing to guess at and nothing is counted; an unknown or lapsed key is a
   * refusal like any other.
   */
  async #reopened(viewKey: string | undefined): Promise<LinkRow> {
    if (!viewKey) throw new DomainError('invalid', 'link_reopen', REOPEN);
    const l = await this.#byView(viewKey);
    if (!l || !this.#viewing(l, viewKey)) return this.#refuse(l, 'not_opened', REOPEN);
    const why = unusable(l, this.#now);
    if (why) return this.#refuse(l, why, REFUSALS[why]);
    return l;
  }

  /**
   * What the page shows: locked until a code is given in this browser. Showing the file (a reload
   * with the view key) is audited, in the same transaction; the locked page is not. Without the
   * token (a reload), only the file this browser opened.
   */
  async view(token: string | undefined, viewKey: string | undefined): Promise<LinkView> {
    const l = token === undefined ? await this.#reopened(viewKey) : await this.#usable(token);
    const open = l.state !== 'accepted' && this.#viewing(l, viewKey);
    return this.#door.inSchool(l.school_id, async (t) => {
      if (open)
        await t.audit({
          action: 'transfer.link_viewed',
          targetType: 'transfer',
          targetId: l.transfer_id,
          details: { link: l.id },
        });
      return this.#present(t, l, open);
    });
  }

  /** Emails a one-time code to the link's address (at most one a minute). */
  async sendCode(token: string): Promise<CodeSent> {
    const l = await this.#usable(token);
    if (l.state === 'accepted')
      throw new DomainError(
        'conflict',
        'link_accepted',
        'Receipt of this file is already confirmed.',
      );
    const now = this.#now;
    const tooSoon = () =>
      new DomainError(
        'too_many_attempts',
        'code_just_sent',
        'A code was sent less than a minute ago: check your email (and its junk folder) before asking again.',
        { retryAfterSeconds: CODE_GAP_SECONDS },
      );
    if (l.code_sent_at && now.getTime() - l.code_sent_at.getTime() < CODE_GAP_SECONDS * 1000)
      throw tooSoon();
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const expiresAt = new Date(now.getTime() + CODE_MINUTES * 60_000);
    const sentTo = await this.#door.inSchool(l.school_id, async (t) => {
      const sealer = await t.sealer();
      const email = sealer.open('transfer_links.email', l.id, l.email);
      // Decided on the row itself, so two asks at once cannot both pass the gap (nor reset the
      // wrong-code count of a code still being guessed); the whole transaction rolls back if not.
      const set = await t.q(
        `UPDATE transfer_links SET code_hash = $2, code_expires_at = $3, code_sent_at = $4,
           code_failures = 0
         WHERE id = $1 AND state = 'live'
           AND (code_sent_at IS NULL OR code_sent_at <= $4::timestamptz - interval '${CODE_GAP_SECONDS} seconds')
         RETURNING id`,
        [l.id, codeHash(sealer.searchKey, l.id, code), expiresAt, now],
      );
      if (set.length === 0) throw tooSoon();
      await queueMail(
        t.db,
        this.#services,
        { template: 'transfer_code', to: email, code, expiresAt: expiresAt.toISOString() },
        now,
      );
      await t.audit({
        action: 'transfer.link_code_sent',
        targetType: 'transfer',
        targetId: l.transfer_id,
        details: { link: l.id },
      });
      const [name = '', domain = ''] = email.split('@');
      return `${name.slice(0, 1)}•••@${domain}`;
    });
    sendQueuedMailSoon(this.#services);
    return { sentTo, validMinutes: CODE_MINUTES };
  }

  /** Opens the file with the code: answers the page and the view key for the cookie. */
  async open(token: string, code: string): Promise<{ view: LinkView; viewKey: string }> {
    const l = await this.#usable(token);
    if (l.state === 'accepted')
      throw new DomainError(
        'conflict',
        'link_accepted',
        'Receipt of this file is already confirmed.',
      );
    const now = this.#now;
    const keys = [hashSecret(`transfer-link:${l.id}`), addressKey(this.#ip)];
    const given = code.replace(/\s+/g, '');
    const viewKey = randomBytes(32).toString('base64url');
    // Everything is decided on the link's row locked in this transaction, so parallel guesses
    // queue: each sees the throttle and the code as the one before left them (never a copy read
    // before), and no more than CODE_TRIES wrong codes are ever compared.
    const result = await this.#door.inSchool(l.school_id, async (t) => {
      const [locked] = await t.q<{
        code_hash: Buffer | null;
        code_expires_at: Date | null;
        state: LinkRow['state'];
        expires_at: Date;
        opened_at: Date | null;
      }>(
        `SELECT code_hash, code_expires_at, state, expires_at, opened_at FROM transfer_links
         WHERE id = $1 FOR UPDATE`,
        [l.id],
      );
      if (!locked || locked.state !== 'live' || locked.expires_at <= now)
        return { refused: 'revoked' as const };
      const throttle = await checkThrottle(t.db, keys, now);
      if (!throttle.ok) return { refused: 'too_many' as const, throttle };
      if (!locked.code_hash || !locked.code_expires_at || locked.code_expires_at <= now)
        return { refused: 'no_code' as const };
      const sealer = await t.sealer();
      const h = codeHash(sealer.searchKey, l.id, given);
      if (!/^\d{6}$/.test(given) || !timingSafeEqual(h, locked.code_hash)) {
        await recordFailure(t.db, keys[0]!, 'account', now);
        await recordFailure(t.db, keys[1]!, 'address', now);
        const [row] = await t.q<{ code_failures: number }>(
          `UPDATE transfer_links SET code_failures = code_failures + 1,
             code_hash = CASE WHEN code_failures + 1 >= $2 THEN NULL ELSE code_hash END
           WHERE id = $1 RETURNING code_failures`,
          [l.id, CODE_TRIES],
        );
        return { refused: 'wrong_code' as const, failures: row?.code_failures ?? 0 };
      }
      const first = locked.opened_at === null;
      await t.q(
        `UPDATE transfer_links SET code_hash = NULL, code_failures = 0, view_hash = $2,
           view_expires_at = $3, opened_at = coalesce(opened_at, $4) WHERE id = $1`,
        [l.id, hashSecret(viewKey), new Date(now.getTime() + VIEW_MINUTES * 60_000), now],
      );
      if (first) {
        const viewed = await t.q(
          `UPDATE transfers SET state = 'viewed', state_changed_at = $2
           WHERE id = $1 AND state = 'sent' RETURNING id`,
          [l.transfer_id, now],
        );
        if (viewed.length > 0)
          await t.audit({
            action: 'transfer.viewed',
            targetType: 'transfer',
            targetId: l.transfer_id,
          });
      }
      await t.audit({
        action: 'transfer.link_opened',
        targetType: 'transfer',
        targetId: l.transfer_id,
        details: { link: l.id },
      });
      return { refused: null, view: await this.#present(t, l, true) };
    });
    if (result.refused === 'revoked') return this.#refuse(l, 'revoked', REFUSALS.revoked);
    if (result.refused === 'too_many')
      return this.#refuse(l, 'too_many', linkThrottleMessage(result.throttle, l.from_school), 0, {
        retryAfterSeconds: result.throttle.retryAfterSeconds,
      });
    if (result.refused === 'no_code')
      return this.#refuse(
        l,
        'no_code',
        'There is no code waiting for this link, or it has expired: ask for a new code.',
      );
    if (result.refused === 'wrong_code') {
      const left = CODE_TRIES - result.failures;
      return this.#refuse(
        l,
        'wrong_code',
        left > 0
          ? `That code is not right. Check the latest email and try again (${left} ${left === 1 ? 'try' : 'tries'} left for this code).`
          : 'That code is not right, and it no longer works: ask for a new code.',
        result.failures,
      );
    }
    return { view: result.view, viewKey };
  }

  /** The file as sent, for a download with the browser's view key (audited). */
  async download(
    viewKey: string | undefined,
    what: 'pdf' | 'manifest',
  ): Promise<{ file: TransferFile; fromSchool: string; toSchool: string; now: Date }> {
    const l = viewKey ? await this.#byView(viewKey) : null;
    if (!l || !this.#viewing(l, viewKey))
      return this.#refuse(
        l,
        'not_opened',
        'Open the file with the one-time code first (on the page the email linked to).',
      );
    const why = unusable(l, this.#now);
    if (why) return this.#refuse(l, why, REFUSALS[why]);
    return this.#door.inSchool(l.school_id, async (t) => {
      await t.audit({
        action: 'transfer.link_downloaded',
        targetType: 'transfer',
        targetId: l.transfer_id,
        details: { link: l.id, what },
      });
      const file = (await t.sealer()).openJson<TransferFile>('transfer_links.file', l.id, l.file);
      return { file, fromSchool: l.from_school, toSchool: l.to_school, now: t.now };
    });
  }

  async #byView(viewKey: string): Promise<LinkRow | null> {
    if (!LINK_TOKEN.test(viewKey)) return null;
    const [row] = await this.#door.findInItsSchool<LinkRow>(
      'lantern_find_transfer_view',
      hashSecret(viewKey),
      `${LINK_SELECT} WHERE l.view_hash = $1`,
    );
    return row ?? null;
  }

  /** The receipt, by name and role, only from a browser that opened the file with its code. */
  async receipt(
    token: string | undefined,
    viewKey: string | undefined,
    given: Receipt,
  ): Promise<LinkView> {
    const l = token === undefined ? await this.#reopened(viewKey) : await this.#usable(token);
    if (l.state === 'accepted')
      throw new DomainError(
        'conflict',
        'link_accepted',
        'Receipt of this file is already confirmed.',
      );
    if (!this.#viewing(l, viewKey))
      return this.#refuse(
        l,
        'not_opened',
        'Open the file with the one-time code and look at it before confirming its receipt.',
      );
    const clean = { name: given.name.trim(), role: given.role.trim() };
    if (clean.name === '' || clean.role === '')
      throw new DomainError(
        'invalid',
        'receipt',
        'Give your name and your role to confirm receipt.',
      );
    return this.#door.inSchool(l.school_id, async (t) => {
      // The link row locked and checked first: a "send again" running at the same time either
      // finished (this link is replaced: refused) or waits for this receipt.
      const live = await t.q(
        `SELECT id FROM transfer_links WHERE id = $1 AND state = 'live' AND view_hash = $2
         FOR UPDATE`,
        [l.id, hashSecret(viewKey!)],
      );
      if (live.length === 0) throw new DomainError('conflict', 'link_revoked', REFUSALS.revoked);
      const sealer = await t.sealer();
      const done = await t.q(
        `UPDATE transfers SET state = 'accepted', state_changed_at = $2, accepted_at = $2,
           receipt = $3 WHERE id = $1 AND state IN ('sent', 'viewed') RETURNING id`,
        [l.transfer_id, t.now, sealer.sealJson('transfers.receipt', l.transfer_id, clean)],
      );
      if (done.length === 0) throw new DomainError('conflict', 'link_revoked', REFUSALS.revoked);
      await t.q(
        `UPDATE transfer_links SET state = 'accepted', view_hash = NULL, code_hash = NULL
         WHERE id = $1`,
        [l.id],
      );
      await t.audit({
        action: 'transfer.link_receipt_given',
        targetType: 'transfer',
        targetId: l.transfer_id,
        details: { link: l.id },
      });
      await t.audit({
        action: 'transfer.accepted',
        targetType: 'transfer',
        targetId: l.transfer_id,
      });
      await keepAfterAcceptance(t, l.transfer_id);
      const [fresh] = await t.q<LinkRow>(`${LINK_SELECT} WHERE l.id = $1`, [l.id]);
      return this.#present(t, fresh!, false);
    });
  }
}

/** The refusal of a link locked by wrong codes: what to do, and when (never "ask an administrator"). */
function linkThrottleMessage(s: Exclude<ThrottleState, { ok: true }>, fromSchool: string): string {
  const minutes = Math.max(1, Math.ceil(s.retryAfterSeconds / 60));
  const wait =
    s.retryAfterSeconds < 60
      ? `${s.retryAfterSeconds} seconds`
      : `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
  return `Too many wrong codes for this link. Try again in ${wait}, or ask ${fromSchool} to send the file again.`;
}

/** The code's hash, keyed by the school's search key and bound to the link. */
function codeHash(key: Buffer, linkId: string, code: string): Buffer {
  return createHmac('sha256', key).update(`transfer-link-code:${linkId}:${code}`).digest();
}
