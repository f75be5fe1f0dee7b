// The offline emergency cards of a trip (issue 21). What this protects: a phone carried on a trip
// holds the medical details and emergency contacts of every pupil on it, so
// - the bundle is encrypted (AES-256-GCM, node:crypto) under a fresh random key per download; the
//   key is kept here sealed and released only to the leader who downloaded it, in a session that
//   has passed its second factor, and never once the cards have expired (the end of the trip's last
//   day plus 24 hours) or been revoked: such a request is refused and audited;
// - the device keeps the key only wrapped under a PIN the member chooses (web/src/card/), checks
//   the expiry itself and asks here whether the cards were revoked whenever it is online;
// - each card opened on the device is logged there and sent here when back online, audited as a
//   view of the child's record.
// To change safely: keep the expiry and revocation checks in `releaseKey` in the same
// transaction as the release, and never put the key or a card's content in an audit detail.
import { createCipheriv, createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { SchoolTx, Tx, VisitorTx } from '../../core/context.ts';
import type { AuditEvent } from '../../platform/audit/catalogue.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import type { EntryContent } from '../../shared/medical.ts';
import type {
  BundleKey,
  BundleStatus,
  Card,
  CardBundle,
  CardItem,
  CardSet,
  PlanDocument,
  DeviceEvents,
  TokenDeviceEvents,
} from '../../shared/trips.ts';
import { DEVICE_EVENTS_PER_PUPIL, TRIP_DOCUMENTS_MAX_BYTES } from '../../shared/trips.ts';
import { currentConsents } from '../consents/state.ts';
import { cardsExpireAt, isManager, loadTripFor } from './policy.ts';

/** Encrypts for WebCrypto's AES-GCM: the 16-byte tag appended to the ciphertext. */
export function encryptBundle(key: Buffer, plain: Buffer, aad: string) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return { iv, body };
}

type Opened<T> = { id: string; v: T };

async function cardsFor(t: SchoolTx, tripId: string): Promise<Card[]> {
  const sealer = await t.sealer();
  // The plans' documents, carried after the cards are built: as many as fit the trip's budget.
  const documents: Parameters<typeof carryDocuments>[0] = [];
  const tripPupils = await t.q<{ pupil_id: string }>(
    'SELECT pupil_id FROM trip_pupils WHERE trip_id = $1',
    [tripId],
  );
  // The consents on each card: only the forms the trip names, by the same rule as the staff's
  // consent pages (consents/state.ts).
  const linked = new Set(
    (
      await t.q<{ form_id: string }>('SELECT form_id FROM trip_consent_forms WHERE trip_id = $1', [
        tripId,
      ])
    ).map((r) => r.form_id),
  );
  const consents = (
    await currentConsents(
      t,
      tripPupils.map((r) => r.pupil_id),
    )
  ).filter((c) => linked.has(c.formId));
  const pupils = await t.q<{
    id: string;
    name: string;
    date_of_birth: string | null;
    year_group: string | null;
    form: string | null;
    photo: Buffer | null;
  }>(
    `SELECT p.id, coalesce(p.preferred_name, p.first_name) || ' ' || p.last_name AS name,
       p.date_of_birth::text AS date_of_birth, p.year_group, p.form, p.photo
     FROM trip_pupils tp JOIN pupils p ON p.id = tp.pupil_id WHERE tp.trip_id = $1
     ORDER BY p.last_name, p.first_name`,
    [tripId],
  );
  const cards: Card[] = [];
  for (const p of pupils) {
    const photo = p.photo
      ? sealer.openJson<{ kind: string; mimeType?: string; data?: string }>(
          'pupils.photo',
          p.id,
          p.photo,
        )
      : null;
    const contacts = await t.q<{
      id: string;
      name: string;
      relationship: string | null;
      priority: number | null;
      phones: Buffer | null;
    }>(
      `SELECT c.id, concat_ws(' ', c.title, c.first_name, c.last_name) AS name, l.relationship,
         l.priority, c.phones
       FROM pupil_contacts l JOIN contacts c ON c.id = l.contact_id
       WHERE l.pupil_id = $1 AND c.archived_at IS NULL AND l.court_order IS NOT TRUE
         AND NOT EXISTS (SELECT 1 FROM contact_restrictions r WHERE r.pupil_id = l.pupil_id
                         AND r.contact_id = c.id AND r.removed_at IS NULL)
       ORDER BY l.priority NULLS LAST, c.last_name`,
      [p.id],
    );
    // Current items and changes still waiting (marked unconfirmed): on a trip, a parent's new
    // allergy matters before anyone has acknowledged it.
    const entries = await t.q<{
      id: string;
      kind: string;
      content: Buffer;
      confirmed: boolean;
    }>(
      `SELECT e.id, e.kind, e.content,
         (e.parent_confirmed_at IS NOT NULL AND e.staff_acknowledged_at IS NOT NULL) AS confirmed
       FROM medical_entries e
       WHERE e.pupil_id = $1 AND e.declined_at IS NULL AND e.superseded_at IS NULL
         AND NOT e.removal
         AND NOT EXISTS (SELECT 1 FROM medical_entries r WHERE r.entry_key = e.entry_key
                         AND r.removal AND r.declined_at IS NULL AND r.superseded_at IS NULL
                         AND r.parent_confirmed_at IS NOT NULL AND r.staff_acknowledged_at IS NOT NULL)
       ORDER BY e.proposed_at`,
      [p.id],
    );
    const items = entries.map((e): Opened<CardItem> & { kind: string } => ({
      id: e.id,
      kind: e.kind,
      v: {
        ...sealer.openJson<EntryContent>('medical_entries.content', e.id, e.content),
        confirmed: e.confirmed,
      },
    }));
    const of = (kind: string) => items.filter((i) => i.kind === kind).map((i) => i.v);
    const plans = await t.q<{
      id: string;
      kind: string;
      title: Buffer;
      expires_on: string;
      file_name: Buffer;
      mime: string;
      size_bytes: number;
      content: Buffer;
    }>(
      `SELECT id, kind, title, expires_on::text AS expires_on, file_name, mime, size_bytes, content
       FROM medical_plans
       WHERE pupil_id = $1 AND replaced_at IS NULL AND declined_at IS NULL
         AND parent_confirmed_at IS NOT NULL AND staff_acknowledged_at IS NOT NULL
       ORDER BY proposed_at DESC`,
      [p.id],
    );
    cards.push({
      pupilId: p.id,
      name: p.name,
      dateOfBirth: p.date_of_birth,
      yearGroup: p.year_group,
      form: p.form,
      photo:
        photo?.data && photo.mimeType?.startsWith('image/')
          ? `data:${photo.mimeType};base64,${photo.data}`
          : null,
      contacts: contacts.map((c) => ({
        name: c.name,
        relationship: c.relationship,
        priority: c.priority,
        phones: c.phones
          ? sealer.openJson<{ kind: string; number: string }[]>('contacts.phones', c.id, c.phones)
          : [],
      })),
      conditions: of('condition'),
      medications: of('medication'),
      allergies: of('allergy'),
      dietary: of('dietary'),
      plans: plans.map((pl) => {
        const plan: Card['plans'][number] = {
          kind: pl.kind,
          title: sealer.open('medical_plans.title', pl.id, pl.title),
          expiresOn: pl.expires_on,
        };
        documents.push({
          plan,
          size: pl.size_bytes,
          // The current file of the plan, as the vault holds it (base64, sealed at rest).
          open: () => {
            const data = sealer.open('medical_plans.content', pl.id, pl.content);
            return {
              fileName: sealer.open('medical_plans.file_name', pl.id, pl.file_name),
              mime: pl.mime,
              sha256: createHash('sha256').update(Buffer.from(data, 'base64')).digest('hex'),
              data,
            };
          },
        });
        return plan;
      }),
      consents: consents
        .filter((c) => c.pupilId === p.id)
        .map((c) => ({ title: c.title, version: c.version, state: c.state })),
    });
  }
  carryDocuments(documents);
  return cards;
}

/**
 * The plans' files a trip's bundle carries: smallest first, as many as fit the trip's budget
 * (TRIP_DOCUMENTS_MAX_BYTES), so one large scan never costs the leader every other child's card or
 * plan. A plan whose file does not fit keeps its title and dates and says its file was left out
 * (the leader reads it in Lantern, or the office replaces it with a smaller file).
 */
function carryDocuments(
  documents: { plan: Card['plans'][number]; size: number; open: () => PlanDocument }[],
): void {
  let used = 0;
  for (const d of [...documents].sort((a, b) => a.size - b.size)) {
    if (used + d.size <= TRIP_DOCUMENTS_MAX_BYTES) {
      used += d.size;
      d.plan.document = d.open();
    } else {
      d.plan.documentLeftOut = true;
    }
  }
}

const expired = () =>
  new DomainError(
    'conflict',
    'cards_expired',
    "This trip's cards have expired: the trip ended more than 24 hours ago.",
  );
const revoked = () =>
  new DomainError(
    'conflict',
    'cards_revoked',
    'These cards were revoked in Lantern. Download them again if you still need them.',
  );

/** A leader downloads the trip's cards to their device: one encrypted bundle. */
export async function downloadCards(
  t: Tx,
  tripId: string,
): Promise<{ ok: true; bundle: CardBundle } | { ok: false; error: DomainError }> {
  // Waits for an edit of the trip in flight (trips.ts locks the row): the cards carry the edit.
  await t.q('SELECT id FROM trips WHERE id = $1 FOR SHARE', [tripId]);
  const trip = await loadTripFor(t, t.actor, tripId);
  // A refusal is audited and answered once the transaction has committed (the route throws).
  const refuse = async (reason: 'not_leader' | 'expired', error: DomainError) => {
    await t.audit({
      action: 'trip.card_refused',
      targetType: 'trip',
      targetId: tripId,
      details: { reason, where: 'server' },
    });
    return { ok: false as const, error };
  };
  if (!trip.leaders.includes(t.actor.userId)) {
    return refuse(
      'not_leader',
      new DomainError('forbidden', 'not_leader', "Only the trip's leaders can download its cards."),
    );
  }
  const expiresAt = cardsExpireAt(trip.ends_on);
  if (t.now >= expiresAt) return refuse('expired', expired());
  const id = randomUUID();
  const key = randomBytes(32);
  const statusToken = randomBytes(32).toString('base64url');
  const cards = await cardsFor(t, tripId);
  const set: CardSet = {
    bundleId: id,
    tripName: trip.name,
    startsOn: trip.starts_on,
    endsOn: trip.ends_on,
    expiresAt: expiresAt.toISOString(),
    cards,
  };
  const aad = `lantern-cards:${id}:${set.expiresAt}`;
  const { iv, body } = encryptBundle(key, Buffer.from(JSON.stringify(set), 'utf8'), aad);
  // The leader's earlier cards for the trip (an old or lost phone's) are revoked once this
  // device says it has stored these (confirmStored), not now: a phone with no room left keeps the
  // cards it had.
  const sealer = await t.sealer();
  await t.q(
    `INSERT INTO trip_card_bundles (id, school_id, trip_id, user_id, bundle_key, pupils, created_at,
       expires_at, status_token_hash, pupil_ids)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      id,
      t.schoolId,
      tripId,
      t.actor.userId,
      sealer.seal('trip_card_bundles.bundle_key', id, key.toString('base64')),
      cards.length,
      t.now,
      expiresAt,
      tokenHash(statusToken),
      cards.map((c) => c.pupilId),
    ],
  );
  // Each child's card leaves Lantern: one event per child, on the child's record.
  for (const c of cards) {
    await t.audit({
      action: 'trip.cards_downloaded',
      targetType: 'pupil',
      targetId: c.pupilId,
      details: { trip: tripId, pupils: cards.length, expiresAt: set.expiresAt },
    });
  }
  const bundle: CardBundle = {
    id,
    schoolId: t.schoolId,
    statusToken,
    tripId,
    tripName: trip.name,
    expiresAt: set.expiresAt,
    iv: iv.toString('base64'),
    ciphertext: body.toString('base64'),
    aad,
  };
  return { ok: true, bundle };
}

type BundleRow = {
  id: string;
  trip_id: string;
  user_id: string;
  bundle_key: Buffer;
  expires_at: Date;
  revoked_at: Date | null;
  created_at: Date;
  pupils: number;
  /** The pupils whose cards the bundle carries (null: downloaded before 0064). */
  pupil_ids: string[] | null;
  status_token_hash: Buffer;
};

/**
 * The bundle a device proves it holds with the status token given at download (no session: the
 * phone may be signed out, or never signed in again). A wrong token and an unknown bundle get the
 * same answer. The token is 256 random bits, compared by hash in constant time.
 */
async function bundleByToken(
  t: Pick<SchoolTx, 'q'>,
  bundleId: string,
  token: string,
): Promise<BundleRow> {
  const b = await bundleRow(t, bundleId);
  const given = tokenHash(token);
  if (
    !b ||
    b.status_token_hash.length !== given.length ||
    !timingSafeEqual(b.status_token_hash, given)
  ) {
    throw notFound('Those cards');
  }
  return b;
}

const stateOfBundle = (b: BundleRow, now: Date): BundleStatus => ({
  state: b.revoked_at ? 'revoked' : now >= b.expires_at ? 'expired' : 'active',
  expiresAt: b.expires_at.toISOString(),
});

/** The device asks, with its token, whether its cards may still be opened. */
export async function bundleStatusByToken(
  t: VisitorTx,
  bundleId: string,
  token: string,
): Promise<BundleStatus> {
  return stateOfBundle(await bundleByToken(t, bundleId, token), t.now);
}

/** The device sends its offline log with its token: recorded as the bundle's leader's. */
export async function recordDeviceEventsByToken(
  t: VisitorTx,
  bundleId: string,
  body: TokenDeviceEvents,
): Promise<{ recorded: number }> {
  const b = await bundleByToken(t, bundleId, body.token);
  const [leader] = await t.q<{ name: string }>('SELECT name FROM users WHERE id = $1', [b.user_id]);
  const as = { userId: b.user_id, name: leader?.name ?? 'trip leader' };
  return recordFor(t, b, body.events, (e) => t.audit(e, as));
}

const tokenHash = (token: string) => createHash('sha256').update(token, 'utf8').digest();

async function bundleRow(t: Pick<SchoolTx, 'q'>, bundleId: string): Promise<BundleRow | undefined> {
  const [b] = await t.q<BundleRow>(
    `SELECT id, trip_id, user_id, bundle_key, expires_at, revoked_at, created_at, pupils,
       pupil_ids, status_token_hash
     FROM trip_card_bundles
     WHERE id = $1 FOR UPDATE`,
    [bundleId],
  );
  return b;
}

export type KeyAnswer = { ok: true; key: BundleKey } | { ok: false; error: DomainError };

/**
 * The key of a bundle, to its holder's elevated session only, before expiry and unrevoked. A
 * refusal is audited and returned (not thrown), so its audit entry commits; the route throws it.
 */
export async function releaseKey(t: Tx, bundleId: string): Promise<KeyAnswer> {
  const b = await bundleRow(t, bundleId);
  if (!b) return { ok: false, error: notFound('Those cards') };
  if (b.user_id !== t.actor.userId) {
    // Someone asking for another leader's key: answered as unknown, recorded.
    await t.audit({
      action: 'trip.card_refused',
      targetType: 'trip',
      targetId: b.trip_id,
      details: { bundle: bundleId, reason: 'not_leader', where: 'server' },
    });
    return { ok: false, error: notFound('Those cards') };
  }
  const refuse = async (
    reason: 'expired' | 'revoked' | 'no_second_factor',
    error: DomainError,
  ): Promise<KeyAnswer> => {
    await t.audit({
      action: 'trip.card_refused',
      targetType: 'trip',
      targetId: b.trip_id,
      details: { bundle: bundleId, reason, where: 'server' },
    });
    return { ok: false, error };
  };
  if (!t.actor.elevated) {
    return refuse(
      'no_second_factor',
      new DomainError(
        'forbidden',
        'step_up_required',
        'Confirm it is you with your second factor (authentication code or security key) before the cards can be opened on this device.',
      ),
    );
  }
  if (b.revoked_at) return refuse('revoked', revoked());
  if (t.now >= b.expires_at) return refuse('expired', expired());
  const sealer = await t.sealer();
  const key = sealer.open('trip_card_bundles.bundle_key', bundleId, b.bundle_key);
  await t.q('UPDATE trip_card_bundles SET key_released_at = $2 WHERE id = $1', [bundleId, t.now]);
  await t.audit({
    action: 'trip.card_key_released',
    targetType: 'trip',
    targetId: b.trip_id,
    details: { trip: b.trip_id },
  });
  return { ok: true, key: { key, expiresAt: b.expires_at.toISOString() } };
}

/** Whether the device may still open its cards; asked whenever it is online. */
export async function bundleStatus(t: Tx, bundleId: string): Promise<BundleStatus> {
  const b = await bundleRow(t, bundleId);
  if (!b || (b.user_id !== t.actor.userId && !isManager(t.actor))) throw notFound('Those cards');
  return stateOfBundle(b, t.now);
}

/** Revoked by a manager, or by the holder (a lost phone): the key is never released again. */
export async function revokeBundle(t: Tx, bundleId: string): Promise<BundleStatus> {
  const b = await bundleRow(t, bundleId);
  if (!b || (b.user_id !== t.actor.userId && !isManager(t.actor))) throw notFound('Those cards');
  if (!b.revoked_at) {
    await t.q(
      `UPDATE trip_card_bundles SET revoked_at = $2, revoked_by = $3, revoked_because = 'revoked'
       WHERE id = $1`,
      [bundleId, t.now, t.actor.userId],
    );
    await t.audit({
      action: 'trip.card_revoked',
      targetType: 'trip',
      targetId: b.trip_id,
      details: { trip: b.trip_id },
    });
  }
  return { state: 'revoked', expiresAt: b.expires_at.toISOString() };
}

/**
 * The device has stored these cards: the holder's earlier cards for the same trip (an old or lost
 * phone's, or this phone's previous download) are revoked as replaced. Asked by the device only
 * after it kept the new bundle, so a failed download or a full phone never leaves the leader with
 * no cards at all.
 */
export async function confirmStored(t: Tx, bundleId: string): Promise<BundleStatus> {
  const b = await bundleRow(t, bundleId);
  if (!b || b.user_id !== t.actor.userId) throw notFound('Those cards');
  if (b.revoked_at) throw revoked();
  const earlier = await t.q<{ id: string }>(
    `UPDATE trip_card_bundles SET revoked_at = $4, revoked_by = $2, revoked_because = 'replaced'
     WHERE trip_id = $1 AND user_id = $2 AND id <> $3 AND created_at <= $5 AND revoked_at IS NULL
     RETURNING id`,
    [b.trip_id, t.actor.userId, b.id, t.now, b.created_at],
  );
  for (let i = 0; i < earlier.length; i += 1) {
    await t.audit({
      action: 'trip.card_revoked',
      targetType: 'trip',
      targetId: b.trip_id,
      details: { trip: b.trip_id },
    });
  }
  return {
    state: t.now >= b.expires_at ? 'expired' : 'active',
    expiresAt: b.expires_at.toISOString(),
  };
}

/** What the device logged offline: each card opened is a view of that child's record. */
export async function recordDeviceEvents(
  t: Tx,
  bundleId: string,
  body: DeviceEvents,
): Promise<{ recorded: number }> {
  const b = await bundleRow(t, bundleId);
  if (!b || b.user_id !== t.actor.userId) throw notFound('Those cards');
  return recordFor(t, b, body.events, (e) => t.audit(e));
}

async function recordFor(
  t: Pick<SchoolTx, 'q' | 'now' | 'schoolId'>,
  b: BundleRow,
  events: DeviceEvents['events'],
  audit: (e: AuditEvent) => Promise<void>,
): Promise<{ recorded: number }> {
  const bundleId = b.id;
  // The pupils the bundle carried when downloaded: a view of a pupil an edit has since taken off
  // the trip is still a view of their record, and is audited.
  const onTrip = new Set(
    b.pupil_ids ??
      (
        await t.q<{ pupil_id: string }>('SELECT pupil_id FROM trip_pupils WHERE trip_id = $1', [
          b.trip_id,
        ])
      ).map((r) => r.pupil_id),
  );
  // The bundle row is locked (bundleRow), so the count below holds for this request.
  const [{ n } = { n: 0 }] = await t.q<{ n: number }>(
    'SELECT count(*)::int AS n FROM trip_card_events WHERE bundle_id = $1',
    [bundleId],
  );
  const cap = Math.max(1, b.pupils) * DEVICE_EVENTS_PER_PUPIL;
  // A device's clock can be wrong: an event is placed between the download and the earlier of
  // now and the bundle's expiry.
  const earliest = b.created_at.getTime();
  const latest = Math.min(t.now.getTime(), b.expires_at.getTime());
  const clamp = (at: string) =>
    new Date(Math.min(latest, Math.max(earliest, Date.parse(at)))).toISOString();
  let recorded = 0;
  for (const e of events) {
    if (n + recorded >= cap) break;
    if (e.kind === 'viewed' && (!e.pupilId || !onTrip.has(e.pupilId))) continue;
    const fresh = await t.q(
      `INSERT INTO trip_card_events (school_id, bundle_id, event_id, recorded_at)
       VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING event_id`,
      [t.schoolId, bundleId, e.id, t.now],
    );
    if (fresh.length === 0) continue;
    const at = clamp(e.at);
    if (e.kind === 'viewed') {
      await audit({
        action: 'trip.card_viewed',
        targetType: 'pupil',
        targetId: e.pupilId!,
        details: { bundle: bundleId, viewedAt: at },
      });
    } else {
      await audit({
        action: 'trip.card_refused',
        targetType: 'trip',
        targetId: b.trip_id,
        details: { bundle: bundleId, reason: e.reason ?? 'wrong_pin', where: 'device', at },
      });
    }
    recorded += 1;
  }
  return { recorded };
}
