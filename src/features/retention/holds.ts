// Legal holds (issue 15): a held record cannot be destroyed or anonymised. A hold covers a pupil's
// records, a category's, the records of a date range, or one record; it names the matter it is for
// (litigation, police, a public inquiry, an open subject-access request) and a reason, sealed
// because it may name people. Holds are placed and lifted with a reason, each audited, and never
// deleted. Every sexual-abuse category is under a standing hold from the start, because the public
// inquiry into child sexual abuse asked that such records be kept; only the DPO lifts it
// (policy.ts). What this protects: no disposal may pass a live hold, so `heldRecords` is the one
// answer to "is this record held, and by whom" for every screen and step that offers disposal.
import { randomUUID } from 'node:crypto';
import type { SchoolTx, Tx } from '../../core/context.ts';
import { badRequest, conflict, notFound } from '../../core/errors.ts';
import type { Queryable } from '../../platform/db/engine.ts';
import type { HoldMatter, HoldScope } from '../../shared/retention.ts';
import type { Hold, LiftHold, NewHold } from '../../shared/schemas/retention.ts';
import { holdActions, retentionDecidersOf, standingHoldRefusal } from './policy.ts';

/** The default categories (features/categories/defaults.ts) whose records are sexual abuse. */
export const SEXUAL_ABUSE_CATEGORY_KEYS: readonly string[] = [
  'sexual_abuse',
  'sexual_violence_harassment',
  'nude_image_sharing',
  'cse',
];

const STANDING_REASON =
  'Standing hold: the Independent Inquiry into Child Sexual Abuse asked that records of child ' +
  'sexual abuse be kept. Only the data-protection officer may lift it.';

type Row = {
  id: string;
  scope: HoldScope;
  pupil_id: string | null;
  pupil_name: string | null;
  category_id: string | null;
  category_name: string | null;
  concern_id: string | null;
  from_date: string | null;
  to_date: string | null;
  matter: HoldMatter;
  reason: Buffer;
  standing: boolean;
  placed_by: string | null;
  placed_by_name: string | null;
  placed_at: Date;
  lifted_by: string | null;
  lifted_by_name: string | null;
  lifted_at: Date | null;
  lift_reason: Buffer | null;
};

const SELECT = `
  SELECT h.id, h.scope, h.pupil_id, p.first_name || ' ' || p.last_name AS pupil_name,
    h.category_id, c.name AS category_name, h.concern_id, h.from_date::text AS from_date,
    h.to_date::text AS to_date, h.matter, h.reason, h.standing, h.placed_by,
    pb.name AS placed_by_name, h.placed_at, h.lifted_by, lb.name AS lifted_by_name, h.lifted_at,
    h.lift_reason
  FROM retention_holds h
  LEFT JOIN pupils p ON p.id = h.pupil_id
  LEFT JOIN categories c ON c.id = h.category_id
  LEFT JOIN users pb ON pb.id = h.placed_by
  LEFT JOIN users lb ON lb.id = h.lifted_by`;

const named = (id: string | null, name: string | null) =>
  id === null ? null : { id, name: name ?? 'Unknown' };

/**
 * Puts every sexual-abuse category of the school under its standing hold, once: a category whose
 * standing hold the DPO has lifted keeps it lifted (the unique index counts lifted holds too).
 * Called before anything that lists holds or decides a record's disposal (and by the nightly
 * sweep), so no disposal can run ahead of a standing hold a new school has not yet been given.
 */
export async function ensureStandingHolds(t: SchoolTx): Promise<void> {
  const missing = await t.q<{ id: string }>(
    `SELECT c.id FROM categories c
     WHERE c.key = ANY($1::text[])
       AND NOT EXISTS (SELECT 1 FROM retention_holds h WHERE h.standing AND h.category_id = c.id)`,
    [SEXUAL_ABUSE_CATEGORY_KEYS],
  );
  if (missing.length === 0) return;
  const sealer = await t.sealer();
  for (const { id: categoryId } of missing) {
    const id = randomUUID();
    await t.q(
      `INSERT INTO retention_holds (id, school_id, scope, category_id, matter, reason, standing,
         placed_at)
       VALUES ($1, $2, 'category', $3, 'public_inquiry', $4, true, $5)
       ON CONFLICT DO NOTHING`,
      [
        id,
        t.schoolId,
        categoryId,
        sealer.seal('retention_holds.reason', id, STANDING_REASON),
        t.now,
      ],
    );
    await t.audit({
      action: 'retention.hold_placed',
      targetType: 'retention_hold',
      targetId: id,
      details: { scope: 'category', matter: 'public_inquiry', standing: true },
    });
  }
}

export async function listHolds(t: Tx, lifted: boolean): Promise<Hold[]> {
  await ensureStandingHolds(t);
  const rows = await t.q<Row>(
    `${SELECT} WHERE (h.lifted_at IS NOT NULL) = $1 ORDER BY h.placed_at DESC, h.id`,
    [lifted],
  );
  const deciders = await retentionDecidersOf(t.db, t.actor.userId);
  const sealer = await t.sealer();
  await t.audit({ action: 'retention.holds_viewed', details: { count: rows.length, lifted } });
  return rows.map((r) => ({
    id: r.id,
    scope: r.scope,
    pupil: named(r.pupil_id, r.pupil_name),
    category: named(r.category_id, r.category_name),
    concernId: r.concern_id,
    fromDate: r.from_date,
    toDate: r.to_date,
    matter: r.matter,
    reason: sealer.open('retention_holds.reason', r.id, r.reason),
    standing: r.standing,
    placedBy: named(r.placed_by, r.placed_by_name),
    placedAt: r.placed_at.toISOString(),
    liftedBy: named(r.lifted_by, r.lifted_by_name),
    liftedAt: r.lifted_at?.toISOString() ?? null,
    liftReason:
      r.lift_reason === null
        ? null
        : sealer.open('retention_holds.lift_reason', r.id, r.lift_reason),
    allowed: holdActions(t.actor, deciders, { standing: r.standing, lifted: r.lifted_at !== null }),
  }));
}

const SCOPE_FIELDS = {
  pupil: ['pupilId'],
  category: ['categoryId'],
  record: ['concernId'],
  date_range: ['fromDate', 'toDate'],
} as const satisfies Record<HoldScope, readonly (keyof NewHold)[]>;
const ALL_SCOPE_FIELDS = ['pupilId', 'categoryId', 'concernId', 'fromDate', 'toDate'] as const;

/** The hold's scope and the one field (or pair) it needs, each checked and named when wrong. */
async function checkScope(t: Tx, body: NewHold): Promise<void> {
  const needed: readonly string[] = SCOPE_FIELDS[body.scope];
  for (const f of ALL_SCOPE_FIELDS) {
    const given = body[f] !== undefined;
    if (needed.includes(f) && !given) throw badRequest(`The body is missing "${f}".`, 'missing');
    if (!needed.includes(f) && given)
      throw badRequest(`The body field "${f}" does not belong to a ${body.scope} hold.`, 'extra');
  }
  const exists = async (table: string, field: string, id: string, what: string) => {
    const rows = await t.q(`SELECT 1 FROM ${table} WHERE id = $1`, [id]);
    if (rows.length === 0)
      throw badRequest(`The body field "${field}" names no ${what} of this school.`, 'unknown');
  };
  if (body.pupilId) await exists('pupils', 'pupilId', body.pupilId, 'pupil');
  if (body.categoryId) await exists('categories', 'categoryId', body.categoryId, 'category');
  if (body.concernId) await exists('concerns', 'concernId', body.concernId, 'record');
  if (body.fromDate && body.toDate && body.fromDate > body.toDate)
    throw badRequest('The body field "toDate" must not be before "fromDate".', 'bad_range');
}

export async function placeHold(t: Tx, body: NewHold): Promise<{ id: string }> {
  await checkScope(t, body);
  const id = randomUUID();
  const sealer = await t.sealer();
  await t.q(
    `INSERT INTO retention_holds (id, school_id, scope, pupil_id, category_id, concern_id,
       from_date, to_date, matter, reason, placed_by, placed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      id,
      t.schoolId,
      body.scope,
      body.pupilId ?? null,
      body.categoryId ?? null,
      body.concernId ?? null,
      body.fromDate ?? null,
      body.toDate ?? null,
      body.matter,
      sealer.seal('retention_holds.reason', id, body.reason),
      t.actor.userId,
      t.now,
    ],
  );
  await t.audit({
    action: 'retention.hold_placed',
    targetType: 'retention_hold',
    targetId: id,
    details: { scope: body.scope, matter: body.matter, standing: false },
  });
  return { id };
}

export async function liftHold(t: Tx, id: string, body: LiftHold): Promise<void> {
  const [hold] = await t.q<{ scope: string; matter: string; standing: boolean; lifted: boolean }>(
    `SELECT scope, matter, standing, lifted_at IS NOT NULL AS lifted FROM retention_holds
     WHERE id = $1 FOR UPDATE`,
    [id],
  );
  if (!hold) throw notFound('That hold');
  if (hold.lifted) throw conflict('That hold has already been lifted.');
  const deciders = await retentionDecidersOf(t.db, t.actor.userId);
  if (holdActions(t.actor, deciders, { standing: hold.standing, lifted: false }).length === 0)
    throw standingHoldRefusal();
  const sealer = await t.sealer();
  await t.q(
    `UPDATE retention_holds SET lifted_by = $2, lifted_at = $3, lift_reason = $4 WHERE id = $1`,
    [id, t.actor.userId, t.now, sealer.seal('retention_holds.lift_reason', id, body.reason)],
  );
  await t.audit({
    action: 'retention.hold_lifted',
    targetType: 'retention_hold',
    targetId: id,
    details: { scope: hold.scope, matter: hold.matter, standing: hold.standing },
  });
}

/** Who placed the live holds on each of these records: the one answer for every disposal. */
export type HoldOnRecord = { holdId: string; matter: HoldMatter; placedBy: string | null };
export async function heldRecords(
  q: Queryable,
  concernIds: readonly string[],
): Promise<Map<string, HoldOnRecord[]>> {
  const rows = await q.query<{
    concern_id: string;
    id: string;
    matter: HoldMatter;
    placed_by: string | null;
  }>(
    `SELECT k.id AS concern_id, h.id, h.matter, u.name AS placed_by
     FROM concerns k JOIN retention_holds h ON h.lifted_at IS NULL AND (
         h.concern_id = k.id
      OR (h.scope = 'date_range' AND k.happened_at::date BETWEEN h.from_date AND h.to_date)
      OR h.pupil_id IN (SELECT cp.pupil_id FROM concern_pupils cp WHERE cp.concern_id = k.id)
      OR h.category_id IN (SELECT cc.category_id FROM concern_categories cc WHERE cc.concern_id = k.id))
     LEFT JOIN users u ON u.id = h.placed_by
     WHERE k.id = ANY($1::uuid[])
     ORDER BY h.placed_at`,
    [concernIds],
  );
  const out = new Map<string, HoldOnRecord[]>();
  for (const r of rows) {
    const list = out.get(r.concern_id) ?? [];
    list.push({ holdId: r.id, matter: r.matter, placedBy: r.placed_by });
    out.set(r.concern_id, list);
  }
  return out;
}
