// The breach register (issue 17; Article 33(5)): every breach, reported to the ICO or not, with
// when and how the school became aware, what happened, the data and people, containment, the risk,
// the decisions about telling the ICO and the people affected (with reasons), the updates sent in
// phases, other bodies told, lessons and closure. Free text sealed; every read and change audited
// in its transaction; a breach is never deleted. An entry or a report to the ICO after the 72 hours
// needs its reason (clock.ts).
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../../core/context.ts';
import { badRequest, conflict, notFound } from '../../../core/errors.ts';
import type { Sealer } from '../../../platform/crypto/school-keys.ts';
import type { SealedTextColumn } from '../../../platform/crypto/sealed-columns.ts';
import { can } from '../../../core/access/actor.ts';
import type {
  BreachDetail,
  BreachPatch,
  BreachSummary,
  CloseBreach,
  IcoUpdate,
  NewBreach,
} from '../../../shared/schemas/data-protection.ts';
import { icoDueAt, isLate } from './clock.ts';

type Row = {
  id: string;
  status: BreachSummary['status'];
  source: BreachSummary['source'];
  became_aware_at: Date;
  types: BreachSummary['types'];
  risk: BreachSummary['risk'];
  ico_decision: BreachSummary['icoDecision'];
  how_aware: Buffer;
  occurred_from: Date | null;
  occurred_to: Date | null;
  data_description: Buffer | null;
  people_approx: number | null;
  records_approx: number | null;
  containment: Buffer | null;
  risk_assessment: Buffer | null;
  ico_reasons: Buffer | null;
  ico_reported_at: Date | null;
  ico_reference: string | null;
  people_decision: BreachDetail['peopleDecision'];
  people_reasons: Buffer | null;
  other_bodies: BreachDetail['otherBodies'];
  late_reason: Buffer | null;
  lessons: Buffer | null;
  closed_at: Date | null;
  recorded_at: Date;
};

/** The sealed text fields: body field → column. */
const SEALED = {
  dataDescription: 'data_description',
  containment: 'containment',
  riskAssessment: 'risk_assessment',
  icoReasons: 'ico_reasons',
  peopleReasons: 'people_reasons',
  lateReason: 'late_reason',
} as const;
/** The fields kept in clear: body field → column. */
const CLEAR = {
  occurredFrom: 'occurred_from',
  occurredTo: 'occurred_to',
  types: 'types',
  peopleApprox: 'people_approx',
  recordsApprox: 'records_approx',
  risk: 'risk',
  icoDecision: 'ico_decision',
  icoReportedAt: 'ico_reported_at',
  icoReference: 'ico_reference',
  peopleDecision: 'people_decision',
  otherBodies: 'other_bodies',
} as const;

const iso = (d: Date | null) => d?.toISOString() ?? null;

function summary(r: Row, now: Date): BreachSummary {
  return {
    id: r.id,
    status: r.status,
    source: r.source,
    becameAwareAt: r.became_aware_at.toISOString(),
    icoDueAt: icoDueAt(r.became_aware_at).toISOString(),
    types: r.types,
    risk: r.risk,
    icoDecision: r.ico_decision,
    overdue: r.status !== 'closed' && r.ico_decision === null && isLate(r.became_aware_at, now),
  };
}

export async function listBreaches(t: Tx): Promise<BreachSummary[]> {
  const rows = await t.q<Row>(
    `SELECT * FROM dp_breaches ORDER BY (status = 'closed'), became_aware_at DESC, id`,
  );
  await t.audit({ action: 'dp.breaches_viewed', details: { count: rows.length } });
  return rows.map((r) => summary(r, t.now));
}

export async function getBreach(t: Tx, id: string): Promise<BreachDetail> {
  const [r] = await t.q<Row>('SELECT * FROM dp_breaches WHERE id = $1', [id]);
  if (!r) throw notFound('That breach');
  const sealer = await t.sealer();
  const open = (c: SealedTextColumn, v: Buffer | null) =>
    v === null ? null : sealer.open(c, id, v);
  const updates = await t.q<{ phase: number; sent_on: string; summary: Buffer }>(
    `SELECT phase, sent_on::text AS sent_on, summary FROM dp_breach_updates
     WHERE breach_id = $1 ORDER BY phase`,
    [id],
  );
  await t.audit({ action: 'dp.breach_viewed', targetType: 'dp_breach', targetId: id });
  return {
    ...summary(r, t.now),
    howAware: sealer.open('dp_breaches.how_aware', id, r.how_aware),
    occurredFrom: iso(r.occurred_from),
    occurredTo: iso(r.occurred_to),
    dataDescription: open('dp_breaches.data_description', r.data_description),
    peopleApprox: r.people_approx,
    recordsApprox: r.records_approx,
    containment: open('dp_breaches.containment', r.containment),
    riskAssessment: open('dp_breaches.risk_assessment', r.risk_assessment),
    icoReasons: open('dp_breaches.ico_reasons', r.ico_reasons),
    icoReportedAt: iso(r.ico_reported_at),
    icoReference: r.ico_reference,
    peopleDecision: r.people_decision,
    peopleReasons: open('dp_breaches.people_reasons', r.people_reasons),
    otherBodies: r.other_bodies,
    lateReason: open('dp_breaches.late_reason', r.late_reason),
    lessons: open('dp_breaches.lessons', r.lessons),
    closedAt: iso(r.closed_at),
    recordedAt: r.recorded_at.toISOString(),
    updates: updates.map((u) => ({
      phase: u.phase,
      sentOn: u.sent_on,
      summary: sealer.open('dp_breach_updates.summary', `${id}:${u.phase}`, u.summary),
    })),
    allowed:
      r.status === 'closed' || !can(t.actor, 'data_protection')
        ? []
        : ['edit', 'ico_update', 'close'],
  };
}

/** The columns and values a body sets, sealed where declared. */
function assignments(id: string, sealer: Sealer, body: BreachPatch): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [field, column] of Object.entries(CLEAR)) {
    const v = body[field as keyof typeof CLEAR];
    if (v !== undefined) out.push([column, v]);
  }
  for (const [field, column] of Object.entries(SEALED)) {
    const v = body[field as keyof typeof SEALED];
    if (v !== undefined) out.push([column, sealer.seal(`dp_breaches.${column}`, id, v)]);
  }
  return out;
}

/** A report to the ICO after the 72 hours, or an entry made after them, needs its reason. */
function checkLateness(
  awareAt: Date,
  body: BreachPatch,
  at: { recordedAt: Date | null; storedLateReason: boolean },
): void {
  if (at.storedLateReason || body.lateReason !== undefined) return;
  if (at.recordedAt !== null && isLate(awareAt, at.recordedAt))
    throw badRequest(
      'This breach is being recorded more than 72 hours after the school became aware of it: give the reason for the delay (lateReason).',
      'late_reason_needed',
    );
  if (body.icoReportedAt !== undefined && isLate(awareAt, new Date(body.icoReportedAt)))
    throw badRequest(
      'The ICO was told more than 72 hours after the school became aware: give the reason for the delay (lateReason).',
      'late_reason_needed',
    );
}

function checkOrder(awareAt: Date, now: Date, body: BreachPatch): void {
  if (awareAt.getTime() > now.getTime())
    throw badRequest('The time the school became aware cannot be in the future.', 'future_time');
  if (body.icoDecision === 'report' && body.icoReasons === undefined)
    throw badRequest('Give the reasons for the decision to tell the ICO (icoReasons).', 'missing');
  if (body.icoDecision === 'not_report' && body.icoReasons === undefined)
    throw badRequest('Give the reasons for not telling the ICO (icoReasons).', 'missing');
}

export async function recordBreach(t: Tx, body: NewBreach): Promise<{ id: string }> {
  if (body.becameAwareAt === undefined)
    throw badRequest(
      'Say when the school became aware of the breach (becameAwareAt): the 72 hours run from then.',
      'aware_needed',
    );
  const awareAt = new Date(body.becameAwareAt);
  checkOrder(awareAt, t.now, body);
  checkLateness(awareAt, body, { recordedAt: t.now, storedLateReason: false });
  const id = randomUUID();
  const sealer = await t.sealer();
  const sets = assignments(id, sealer, { types: ['confidentiality'], ...body });
  const cols = [
    'id',
    'school_id',
    'status',
    'source',
    'became_aware_at',
    'how_aware',
    'recorded_by',
    'recorded_at',
    ...sets.map(([c]) => c),
  ];
  const values = [
    id,
    t.schoolId,
    'open',
    'recorded',
    awareAt,
    sealer.seal('dp_breaches.how_aware', id, body.howAware),
    t.actor.userId,
    t.now,
    ...sets.map(([, v]) => v),
  ];
  await t.q(
    `INSERT INTO dp_breaches (${cols.join(', ')}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')})`,
    values,
  );
  await t.audit({
    action: 'dp.breach_recorded',
    targetType: 'dp_breach',
    targetId: id,
    details: {
      source: 'recorded',
      late: isLate(awareAt, t.now),
      dueAt: icoDueAt(awareAt).toISOString(),
    },
  });
  return { id };
}

async function openBreach(t: Tx, id: string) {
  const [r] = await t.q<{ status: string; became_aware_at: Date; late: boolean }>(
    `SELECT status, became_aware_at, late_reason IS NOT NULL AS late FROM dp_breaches
     WHERE id = $1 FOR UPDATE`,
    [id],
  );
  if (!r) throw notFound('That breach');
  if (r.status === 'closed') throw conflict('That breach is closed.');
  return r;
}

export async function changeBreach(t: Tx, id: string, body: BreachPatch): Promise<void> {
  const r = await openBreach(t, id);
  checkOrder(r.became_aware_at, t.now, body);
  checkLateness(r.became_aware_at, body, { recordedAt: null, storedLateReason: r.late });
  const sets = assignments(id, await t.sealer(), body);
  // Confirming a draft Lantern opened makes it an open breach of the register.
  sets.push(['status', 'open']);
  await t.q(
    `UPDATE dp_breaches SET ${sets.map(([c], i) => `${c} = $${i + 2}`).join(', ')} WHERE id = $1`,
    [id, ...sets.map(([, v]) => v)],
  );
  await t.audit({
    action: 'dp.breach_changed',
    targetType: 'dp_breach',
    targetId: id,
    details: { changed: Object.keys(body).sort() },
  });
}

export async function addIcoUpdate(t: Tx, id: string, body: IcoUpdate): Promise<number> {
  await openBreach(t, id);
  const [{ phase } = { phase: 1 }] = await t.q<{ phase: number }>(
    'SELECT COALESCE(max(phase), 0) + 1 AS phase FROM dp_breach_updates WHERE breach_id = $1',
    [id],
  );
  const sealer = await t.sealer();
  await t.q(
    `INSERT INTO dp_breach_updates (school_id, breach_id, phase, sent_on, summary, recorded_by,
       recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      t.schoolId,
      id,
      phase,
      body.sentOn,
      sealer.seal('dp_breach_updates.summary', `${id}:${phase}`, body.summary),
      t.actor.userId,
      t.now,
    ],
  );
  await t.audit({
    action: 'dp.breach_ico_update',
    targetType: 'dp_breach',
    targetId: id,
    details: { phase },
  });
  return phase;
}

export async function closeBreach(t: Tx, id: string, body: CloseBreach): Promise<void> {
  await openBreach(t, id);
  const [undecided] = await t.q<{ n: number }>(
    `SELECT count(*)::int AS n FROM dp_breaches WHERE id = $1
       AND (ico_decision IS NULL OR people_decision IS NULL OR risk IS NULL)`,
    [id],
  );
  if ((undecided?.n ?? 0) > 0)
    throw badRequest(
      'Record the risk and the decisions about telling the ICO and the people affected before closing.',
      'undecided',
    );
  await t.q(
    `UPDATE dp_breaches SET status = 'closed', lessons = $2, closed_at = $3, closed_by = $4
     WHERE id = $1`,
    [id, (await t.sealer()).seal('dp_breaches.lessons', id, body.lessons), t.now, t.actor.userId],
  );
  await t.audit({ action: 'dp.breach_closed', targetType: 'dp_breach', targetId: id });
}
