// Drafts (issue 14): what a member is still writing, kept on the server while they type, so a
// reload, a lost connection or a records window ending mid-sentence loses nothing. Only the
// author's own row is ever read (every query is by the acting member's id, inside the school's
// wall); the fields are sealed under the school's key, bound to the draft's row, like the record
// they become. A draft is deleted when its form is saved or discarded; one untouched for
// DRAFT_LIFETIME_DAYS is deleted when its author next opens any draft.
//
// Audited: a draft's creation, its being read back (the author's words returned to a screen) and
// its discarding; not each later save of the same draft, which the browser makes every few
// seconds while someone types (the trail would hold one entry per pause in a sentence).
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { badRequest } from '../../core/errors.ts';
import { stepUpRequired } from '../../core/access/step-up.ts';
import {
  MAX_DRAFT_CHARS,
  type DraftAnswer,
  type DraftFields,
} from '../../shared/schemas/drafts.ts';

export const DRAFT_LIFETIME_DAYS = 30;

type Row = { id: string; fields: Buffer; saved_at: Date; behind_second_factor: boolean };

/**
 * Whether a draft of `form` written now is read back only inside a records window: any form
 * written inside one (a conversation note holds what the record will), except a new concern,
 * which every member may write with a password alone.
 */
const behindSecondFactor = (t: Tx, form: string) => t.actor.elevated && form !== 'concern-new';

async function ownDraft(t: Tx, form: string, lock = false): Promise<Row | undefined> {
  const [row] = await t.q<Row>(
    `SELECT id, fields, saved_at, behind_second_factor FROM drafts
     WHERE user_id = $1 AND form = $2${lock ? ' FOR UPDATE' : ''}`,
    [t.actor.userId, form],
  );
  return row;
}

/** The member's draft of `form`, opened; null when there is none (or it had expired). */
export async function readDraft(t: Tx, form: string): Promise<DraftAnswer> {
  const cutoff = new Date(t.now.getTime() - DRAFT_LIFETIME_DAYS * 86_400_000);
  const expired = await t.q<{ id: string; form: string }>(
    'DELETE FROM drafts WHERE user_id = $1 AND saved_at < $2 RETURNING id, form',
    [t.actor.userId, cutoff],
  );
  for (const e of expired) {
    await t.audit({
      action: 'draft.discarded',
      targetType: 'draft',
      targetId: e.id,
      details: { form: e.form, why: 'expired' },
    });
  }
  const row = await ownDraft(t, form);
  if (!row) return { draft: null };
  // Written inside a records window: as sensitive as the record it will become.
  if (row.behind_second_factor && !t.actor.elevated) throw stepUpRequired();
  const sealer = await t.sealer();
  const fields = sealer.openJson<DraftFields>('drafts.fields', row.id, row.fields);
  await t.audit({
    action: 'draft.opened',
    targetType: 'draft',
    targetId: row.id,
    details: { form },
  });
  return { draft: { fields, savedAt: row.saved_at.toISOString() } };
}

/** Keeps what the member has typed so far in `form`, replacing the draft they had. */
export async function saveDraft(
  t: Tx,
  form: string,
  fields: DraftFields,
): Promise<{ savedAt: string }> {
  const size = JSON.stringify(fields).length;
  if (size > MAX_DRAFT_CHARS) {
    throw badRequest(
      `The draft is too long to keep (${size.toLocaleString('en-GB')} characters; at most ${MAX_DRAFT_CHARS.toLocaleString('en-GB')}).`,
      'draft_too_long',
    );
  }
  const sealer = await t.sealer();
  const existing = await ownDraft(t, form, true);
  if (existing) {
    await t.q(
      `UPDATE drafts SET fields = $2, saved_at = $3,
         behind_second_factor = behind_second_factor OR $4 WHERE id = $1`,
      [
        existing.id,
        sealer.sealJson('drafts.fields', existing.id, fields),
        t.now,
        behindSecondFactor(t, form),
      ],
    );
  } else {
    const id = randomUUID();
    // Two saves of a new draft racing (two tabs): the second keeps the first's row.
    const inserted = await t.q<{ id: string }>(
      `INSERT INTO drafts (id, school_id, user_id, form, fields, saved_at, behind_second_factor)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (school_id, user_id, form) DO NOTHING RETURNING id`,
      [
        id,
        t.actor.schoolId,
        t.actor.userId,
        form,
        sealer.sealJson('drafts.fields', id, fields),
        t.now,
        behindSecondFactor(t, form),
      ],
    );
    if (inserted.length === 0) return saveDraft(t, form, fields);
    await t.audit({ action: 'draft.saved', targetType: 'draft', targetId: id, details: { form } });
  }
  return { savedAt: t.now.toISOString() };
}

/** Deletes the member's draft of `form` (saved as a record, or thrown away); true if there was one. */
export async function discardDraft(
  t: Tx,
  form: string,
  why: 'saved' | 'discarded',
): Promise<boolean> {
  const [gone] = await t.q<{ id: string }>(
    'DELETE FROM drafts WHERE user_id = $1 AND form = $2 RETURNING id',
    [t.actor.userId, form],
  );
  if (!gone) return false;
  await t.audit({
    action: 'draft.discarded',
    targetType: 'draft',
    targetId: gone.id,
    details: { form, why },
  });
  return true;
}
