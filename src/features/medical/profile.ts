// A pupil's medical and care profile (issue 21): its items, each a chain of versions that are
// never overwritten, and its plans. Every read is audited as a view of the child's record; every
// proposal, confirmation and refusal as a change. The caller has already decided the side may see
// this pupil (staff: policy.ts; a parent: the parent door's guard). Content is sealed at rest.
import { randomUUID } from 'node:crypto';
import type { SchoolTx } from '../../core/context.ts';
import { badRequest, DomainError, notFound } from '../../core/errors.ts';
import type {
  EntryContent,
  EntryVersion,
  MedicalItem,
  MedicalKind,
  MedicalProfile,
  ProposeEntry,
  Changed,
} from '../../shared/medical.ts';
import { changeActions, stateOf, type Side } from './policy.ts';
import { checkContent } from './rules.ts';
import { listPlans } from './plans.ts';
import { pupilName } from './pupil.ts';

export type EntryRow = {
  id: string;
  entry_key: string;
  kind: MedicalKind;
  content: Buffer | null;
  removal: boolean;
  proposed_by_kind: 'staff' | 'parent';
  proposed_at: Date;
  parent_confirmed_at: Date | null;
  staff_acknowledged_at: Date | null;
  declined_at: Date | null;
  superseded_at: Date | null;
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const byKind = (side: Side) => side.kind;
const whoId = (side: Side) => (side.kind === 'staff' ? side.userId : side.parentId);

/** Every version of every item of the pupil, opened, oldest first. */
export async function entryRows(
  t: SchoolTx,
  pupilId: string,
): Promise<(EntryRow & { opened: EntryContent | null })[]> {
  const rows = await t.q<EntryRow>(
    `SELECT id, entry_key, kind, content, removal, proposed_by_kind, proposed_at,
       parent_confirmed_at, staff_acknowledged_at, declined_at, superseded_at
     FROM medical_entries WHERE pupil_id = $1 ORDER BY proposed_at, id`,
    [pupilId],
  );
  const sealer = await t.sealer();
  return rows.map((r) => ({
    ...r,
    opened: r.content
      ? sealer.openJson<EntryContent>('medical_entries.content', r.id, r.content)
      : null,
  }));
}

function version(side: Side, r: EntryRow & { opened: EntryContent | null }): EntryVersion {
  const state = stateOf(r);
  return {
    id: r.id,
    content: r.opened,
    removal: r.removal,
    proposedBy: r.proposed_by_kind,
    proposedAt: r.proposed_at.toISOString(),
    parentConfirmedAt: iso(r.parent_confirmed_at),
    staffAcknowledgedAt: iso(r.staff_acknowledged_at),
    state,
    allowed: changeActions(side, state),
  };
}

/** The items, each with its current version, the changes waiting and its history. */
export function itemsOf(
  side: Side,
  rows: (EntryRow & { opened: EntryContent | null })[],
): MedicalItem[] {
  const items = new Map<string, MedicalItem>();
  for (const r of rows) {
    const item = items.get(r.entry_key) ?? {
      entryKey: r.entry_key,
      kind: r.kind,
      current: null,
      pending: [],
      history: [],
    };
    const v = version(side, r);
    if (v.state === 'current') item.current = v;
    else if (v.state === 'awaiting_parent' || v.state === 'awaiting_staff') item.pending.push(v);
    else item.history.push(v);
    items.set(r.entry_key, item);
  }
  // An item whose current version removes it, with nothing waiting, is kept only as history.
  return [...items.values()].filter((i) => !(i.current?.removal && i.pending.length === 0));
}

export async function readProfile(
  t: SchoolTx,
  side: Side,
  pupilId: string,
): Promise<MedicalProfile> {
  const name = await pupilName(t, pupilId);
  const items = itemsOf(side, await entryRows(t, pupilId));
  const plans = await listPlans(t, side, pupilId);
  await t.audit({
    action: 'medical.profile_viewed',
    targetType: 'pupil',
    targetId: pupilId,
    details: { by: byKind(side) },
  });
  const waiting =
    items.reduce((n, i) => n + i.pending.filter((p) => p.allowed.length > 0).length, 0) +
    plans.filter((p) => p.allowed.length > 0).length;
  return { pupil: { id: pupilId, name }, items, plans, waitingForYou: waiting };
}

/**
 * A new item, a new version of one, or its removal: stored as a new row that waits for the other
 * side. Nothing already stored changes.
 */
export async function proposeEntry(
  t: SchoolTx,
  side: Side,
  pupilId: string,
  body: ProposeEntry,
): Promise<Changed> {
  await pupilName(t, pupilId);
  const removal = body.removal === true;
  let entryKey = body.entryKey;
  if (entryKey) {
    const [prior] = await t.q<{ kind: string }>(
      'SELECT kind FROM medical_entries WHERE pupil_id = $1 AND entry_key = $2 LIMIT 1',
      [pupilId, entryKey],
    );
    if (!prior) throw notFound('That item of the profile');
    if (prior.kind !== body.kind) {
      throw badRequest('A change must keep the kind of the item it changes.', 'kind_changed');
    }
  } else if (removal) {
    throw badRequest('Say which item to remove.', 'nothing_to_remove');
  }
  if (removal && body.content) {
    throw badRequest('A removal carries no content.', 'removal_with_content');
  }
  if (!removal) {
    if (!body.content) throw badRequest('Say what the item is.', 'missing_content');
    checkContent(body.kind, body.content);
  }
  const id = randomUUID();
  entryKey ??= randomUUID();
  const sealer = await t.sealer();
  const staff = side.kind === 'staff';
  await t.q(
    `INSERT INTO medical_entries (id, school_id, pupil_id, entry_key, kind, content, removal,
       proposed_by_kind, proposed_by, proposed_at, parent_confirmed_at, parent_confirmed_by,
       staff_acknowledged_at, staff_acknowledged_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [
      id,
      t.schoolId,
      pupilId,
      entryKey,
      body.kind,
      body.content ? sealer.sealJson('medical_entries.content', id, body.content) : null,
      removal,
      side.kind,
      whoId(side),
      t.now,
      staff ? null : t.now,
      staff ? null : whoId(side),
      staff ? t.now : null,
      staff ? whoId(side) : null,
    ],
  );
  await t.audit({
    action: 'medical.change_proposed',
    targetType: 'pupil',
    targetId: pupilId,
    details: { by: side.kind, kind: body.kind, entry: id, removal },
  });
  return { id, state: staff ? 'awaiting_parent' : 'awaiting_staff' };
}

const notWaiting = () =>
  new DomainError('conflict', 'not_waiting', 'This change is not waiting for you any more.');

/**
 * The other side's answer to a change: a parent confirms, staff acknowledge, either declines.
 * Once both have agreed the change is current and the version it replaces is superseded.
 */
export async function answerEntry(
  t: SchoolTx,
  side: Side,
  entryId: string,
  answer: 'agree' | 'decline',
  /** A parent's door passes the pupils that are theirs; staff reach every pupil. */
  pupilIds?: readonly string[],
): Promise<Changed & { pupilId: string }> {
  // Lock the item's whole chain of versions first, so two answers to versions of the same item
  // run one after the other: the second sees what the first made current.
  const [head] = await t.q<{ pupil_id: string; entry_key: string }>(
    'SELECT pupil_id, entry_key FROM medical_entries WHERE id = $1',
    [entryId],
  );
  if (head) {
    await t.q('SELECT id FROM medical_entries WHERE pupil_id = $1 AND entry_key = $2 FOR UPDATE', [
      head.pupil_id,
      head.entry_key,
    ]);
  }
  const [r] = await t.q<EntryRow & { pupil_id: string }>(
    `SELECT id, pupil_id, entry_key, kind, content, removal, proposed_by_kind, proposed_at,
       parent_confirmed_at, staff_acknowledged_at, declined_at, superseded_at
     FROM medical_entries WHERE id = $1 FOR UPDATE`,
    [entryId],
  );
  if (!r || (pupilIds && !pupilIds.includes(r.pupil_id))) throw notFound('That change');
  const allowed = changeActions(side, stateOf(r));
  if (allowed.length === 0) throw notWaiting();
  if (answer === 'decline') {
    await t.q('UPDATE medical_entries SET declined_at = $2, declined_by_kind = $3 WHERE id = $1', [
      entryId,
      t.now,
      side.kind,
    ]);
    await t.audit({
      action: 'medical.change_declined',
      targetType: 'pupil',
      targetId: r.pupil_id,
      details: { by: side.kind, entry: entryId },
    });
    return { id: entryId, state: 'declined', pupilId: r.pupil_id };
  }
  // A newer version is already current: this older one would overwrite it. Refuse (stale).
  const [newer] = await t.q<{ id: string }>(
    `SELECT id FROM medical_entries
     WHERE pupil_id = $1 AND entry_key = $2 AND id <> $3 AND declined_at IS NULL
       AND superseded_at IS NULL AND parent_confirmed_at IS NOT NULL
       AND staff_acknowledged_at IS NOT NULL AND proposed_at > $4`,
    [r.pupil_id, r.entry_key, entryId, r.proposed_at],
  );
  if (newer) {
    throw new DomainError(
      'conflict',
      'stale',
      'A newer version of this item is already current, so this older change cannot replace it.',
    );
  }
  // Both sides are agreeing: this replaces the item's current version (kept, superseded) and
  // every older version still waiting (it would otherwise overwrite this one later). Done before
  // the confirmation, so the index allowing one current version per item never sees two.
  await t.q(
    `UPDATE medical_entries SET superseded_at = $3
     WHERE pupil_id = $1 AND entry_key = $2 AND id <> $4 AND declined_at IS NULL
       AND superseded_at IS NULL
       AND ((parent_confirmed_at IS NOT NULL AND staff_acknowledged_at IS NOT NULL)
            OR proposed_at <= $5)`,
    [r.pupil_id, r.entry_key, t.now, entryId, r.proposed_at],
  );
  if (side.kind === 'parent') {
    await t.q(
      'UPDATE medical_entries SET parent_confirmed_at = $2, parent_confirmed_by = $3 WHERE id = $1',
      [entryId, t.now, side.parentId],
    );
  } else {
    await t.q(
      'UPDATE medical_entries SET staff_acknowledged_at = $2, staff_acknowledged_by = $3 WHERE id = $1',
      [entryId, t.now, side.userId],
    );
  }
  await t.audit({
    action: 'medical.change_confirmed',
    targetType: 'pupil',
    targetId: r.pupil_id,
    details: { by: side.kind, entry: entryId, current: true },
  });
  return { id: entryId, state: 'current', pupilId: r.pupil_id };
}
