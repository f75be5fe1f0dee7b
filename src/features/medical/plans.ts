// Individual healthcare and action plans (issue 21): a document with an expiry date, checked by
// its bytes like the vault's files (vault/file-check.ts) and sealed at rest with its title and
// name. A plan needs both sides like an entry; once current it replaces the plan it names and gets
// its annual review task. Reads and downloads are audited as views of the child's record.
import { randomUUID } from 'node:crypto';
import type { SchoolTx } from '../../core/context.ts';
import { badRequest, DomainError, notFound } from '../../core/errors.ts';
import { PLAN_MAX_BYTES, type Changed, type NewPlan, type Plan } from '../../shared/medical.ts';
import { checkUpload } from '../vault/file-check.ts';
import { changeActions, stateOf, type Side } from './policy.ts';
import { addYear, dayOfDate } from './rules.ts';
import { pupilName } from './pupil.ts';

type PlanRow = {
  id: string;
  pupil_id: string;
  kind: Plan['kind'];
  title: Buffer;
  file_name: Buffer;
  mime: string;
  size_bytes: number;
  expires_on: string;
  proposed_by_kind: 'staff' | 'parent';
  proposed_at: Date;
  parent_confirmed_at: Date | null;
  staff_acknowledged_at: Date | null;
  declined_at: Date | null;
  replaced_at: Date | null;
  replaces: string | null;
  review_due_on: string | null;
};

const PLAN_COLUMNS = `p.id, p.pupil_id, p.kind, p.title, p.file_name, p.mime, p.size_bytes,
  p.expires_on::text AS expires_on, p.proposed_by_kind, p.proposed_at, p.parent_confirmed_at,
  p.staff_acknowledged_at, p.declined_at, p.replaced_at, p.replaces,
  (SELECT min(r.due_on)::text FROM medical_plan_reviews r
   WHERE r.plan_id = p.id AND r.done_at IS NULL) AS review_due_on`;

export async function listPlans(t: SchoolTx, side: Side, pupilId: string): Promise<Plan[]> {
  const rows = await t.q<PlanRow>(
    `SELECT ${PLAN_COLUMNS} FROM medical_plans p WHERE p.pupil_id = $1
     ORDER BY p.proposed_at DESC, p.id`,
    [pupilId],
  );
  const sealer = await t.sealer();
  return rows.map((r) => {
    const state = stateOf({ ...r, superseded_at: r.replaced_at });
    return {
      id: r.id,
      kind: r.kind,
      title: sealer.open('medical_plans.title', r.id, r.title),
      fileName: sealer.open('medical_plans.file_name', r.id, r.file_name),
      mime: r.mime,
      sizeBytes: r.size_bytes,
      expiresOn: r.expires_on,
      proposedBy: r.proposed_by_kind,
      proposedAt: r.proposed_at.toISOString(),
      state,
      replaces: r.replaces,
      reviewDueOn: r.review_due_on,
      allowed: changeActions(side, state),
    };
  });
}

export async function addPlan(
  t: SchoolTx,
  side: Side,
  pupilId: string,
  body: NewPlan,
): Promise<Changed> {
  await pupilName(t, pupilId);
  const bytes = Buffer.from(body.content, 'base64');
  const check = await checkUpload(bytes, body.fileName, PLAN_MAX_BYTES);
  if (!check.ok) throw badRequest(check.reason, 'file_refused');
  if (body.expiresOn <= dayOfDate(t.now)) {
    throw badRequest('The expiry date must be after today.', 'expired_plan');
  }
  if (body.replaces) {
    const [old] = await t.q<{ id: string }>(
      'SELECT id FROM medical_plans WHERE id = $1 AND pupil_id = $2 AND replaced_at IS NULL',
      [body.replaces, pupilId],
    );
    if (!old) throw notFound('The plan to replace');
  }
  const id = randomUUID();
  const sealer = await t.sealer();
  const staff = side.kind === 'staff';
  const who = side.kind === 'staff' ? side.userId : side.parentId;
  await t.q(
    `INSERT INTO medical_plans (id, school_id, pupil_id, kind, title, file_name, mime, size_bytes,
       content, expires_on, proposed_by_kind, proposed_by, proposed_at, parent_confirmed_at,
       parent_confirmed_by, staff_acknowledged_at, staff_acknowledged_by, replaces)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
    [
      id,
      t.schoolId,
      pupilId,
      body.kind,
      sealer.seal('medical_plans.title', id, body.title),
      sealer.seal('medical_plans.file_name', id, check.safeName),
      check.mime,
      bytes.byteLength,
      sealer.seal('medical_plans.content', id, bytes.toString('base64')),
      body.expiresOn,
      side.kind,
      who,
      t.now,
      staff ? null : t.now,
      staff ? null : who,
      staff ? t.now : null,
      staff ? who : null,
      body.replaces ?? null,
    ],
  );
  await t.audit({
    action: 'medical.plan_added',
    targetType: 'pupil',
    targetId: pupilId,
    details: {
      by: side.kind,
      expiresOn: body.expiresOn,
      bytes: bytes.byteLength,
      ...(body.replaces ? { replaces: body.replaces } : {}),
    },
  });
  return { id, state: staff ? 'awaiting_parent' : 'awaiting_staff' };
}

/** The other side's answer to a plan; once current it replaces the old one and gets its review. */
export async function answerPlan(
  t: SchoolTx,
  side: Side,
  planId: string,
  answer: 'agree' | 'decline',
  pupilIds?: readonly string[],
): Promise<Changed & { pupilId: string }> {
  // Lock the plan this one replaces first (the chain's anchor), so two answers to plans replacing
  // the same one run one after the other: the second sees it already replaced.
  const [head] = await t.q<{ replaces: string | null }>(
    'SELECT replaces FROM medical_plans WHERE id = $1',
    [planId],
  );
  if (head?.replaces) {
    await t.q('SELECT id FROM medical_plans WHERE id = $1 FOR UPDATE', [head.replaces]);
  }
  const [r] = await t.q<PlanRow>(
    `SELECT ${PLAN_COLUMNS} FROM medical_plans p WHERE p.id = $1 FOR UPDATE`,
    [planId],
  );
  if (!r || (pupilIds && !pupilIds.includes(r.pupil_id))) throw notFound('That plan');
  if (changeActions(side, stateOf({ ...r, superseded_at: r.replaced_at })).length === 0) {
    throw new DomainError('conflict', 'not_waiting', 'This plan is not waiting for you any more.');
  }
  if (answer === 'decline') {
    await t.q('UPDATE medical_plans SET declined_at = $2 WHERE id = $1', [planId, t.now]);
    await t.audit({
      action: 'medical.change_declined',
      targetType: 'pupil',
      targetId: r.pupil_id,
      details: { by: side.kind, entry: planId },
    });
    return { id: planId, state: 'declined', pupilId: r.pupil_id };
  }
  if (r.replaces) {
    const [old] = await t.q<{ replaced_at: Date | null }>(
      'SELECT replaced_at FROM medical_plans WHERE id = $1',
      [r.replaces],
    );
    if (old?.replaced_at) {
      throw new DomainError(
        'conflict',
        'stale',
        'The plan this one replaces has already been replaced by another, so it cannot become current.',
      );
    }
  }
  if (side.kind === 'parent') {
    await t.q(
      'UPDATE medical_plans SET parent_confirmed_at = $2, parent_confirmed_by = $3 WHERE id = $1',
      [planId, t.now, side.parentId],
    );
  } else {
    await t.q(
      'UPDATE medical_plans SET staff_acknowledged_at = $2, staff_acknowledged_by = $3 WHERE id = $1',
      [planId, t.now, side.userId],
    );
  }
  await becameCurrent(t, planId, r.replaces);
  await t.audit({
    action: 'medical.change_confirmed',
    targetType: 'pupil',
    targetId: r.pupil_id,
    details: { by: side.kind, entry: planId, current: true },
  });
  return { id: planId, state: 'current', pupilId: r.pupil_id };
}

async function becameCurrent(t: SchoolTx, planId: string, replaces: string | null) {
  if (replaces) {
    await t.q('UPDATE medical_plans SET replaced_at = $2 WHERE id = $1 AND replaced_at IS NULL', [
      replaces,
      t.now,
    ]);
    // Other plans still waiting to replace the same one can no longer: they are superseded.
    await t.q(
      `UPDATE medical_plans SET replaced_at = $3
       WHERE replaces = $1 AND id <> $2 AND replaced_at IS NULL AND declined_at IS NULL
         AND (parent_confirmed_at IS NULL OR staff_acknowledged_at IS NULL)`,
      [replaces, planId, t.now],
    );
  }
  await t.q(
    `INSERT INTO medical_plan_reviews (id, school_id, plan_id, due_on) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING`,
    [randomUUID(), t.schoolId, planId, addYear(dayOfDate(t.now))],
  );
}

export async function downloadPlan(
  t: SchoolTx,
  side: Side,
  planId: string,
  pupilIds?: readonly string[],
): Promise<{ name: string; mime: string; bytes: Buffer }> {
  const [r] = await t.q<{ pupil_id: string; file_name: Buffer; mime: string; content: Buffer }>(
    'SELECT pupil_id, file_name, mime, content FROM medical_plans WHERE id = $1',
    [planId],
  );
  if (!r || (pupilIds && !pupilIds.includes(r.pupil_id))) throw notFound('That plan');
  const sealer = await t.sealer();
  await t.audit({
    action: 'medical.plan_downloaded',
    targetType: 'pupil',
    targetId: r.pupil_id,
    details: { by: side.kind },
  });
  return {
    name: sealer.open('medical_plans.file_name', planId, r.file_name),
    mime: r.mime,
    bytes: Buffer.from(sealer.open('medical_plans.content', planId, r.content), 'base64'),
  };
}
