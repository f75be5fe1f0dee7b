// The school's retention schedule (issue 15): the seeded English schedule (shared/retention.ts)
// with the school's own changes (retention_rules). A change is checked against the rule's floor
// (the IRMS toolkit's minimum) and a ceiling, and audited with before and after in the same
// transaction; a refused change writes nothing but its own audit entry (refusals.ts).
import type { Tx } from '../../core/context.ts';
import { badRequest } from '../../core/errors.ts';
import type { Queryable } from '../../platform/db/engine.ts';
import {
  DEFAULT_SCHEDULE,
  RETENTION_KINDS,
  RETENTION_MAX_YEARS,
  type RetentionAction,
  type RetentionKind,
  type RetentionRuleSpec,
  type TransferKeeps,
} from '../../shared/retention.ts';
import type { RetentionRule, RetentionRulePatch } from '../../shared/schemas/retention.ts';
import { periodProblem } from './rules.ts';

type Row = {
  kind: RetentionKind;
  years: number;
  action: RetentionAction;
  transfer_keeps: TransferKeeps | null;
  updated_at: Date;
};

/** The school's rule for each kind: its own setting over the seeded one. */
export async function schoolSchedule(
  q: Queryable,
): Promise<Record<RetentionKind, RetentionRuleSpec & { updatedAt: Date | null }>> {
  const rows = await q.query<Row>(
    'SELECT kind, years, action, transfer_keeps, updated_at FROM retention_rules',
  );
  const own = new Map(rows.map((r) => [r.kind, r]));
  const out = {} as Record<RetentionKind, RetentionRuleSpec & { updatedAt: Date | null }>;
  for (const kind of RETENTION_KINDS) {
    const spec = DEFAULT_SCHEDULE[kind];
    const r = own.get(kind);
    out[kind] = r
      ? {
          ...spec,
          years: r.years,
          action: r.action,
          ...(spec.transferKeeps && { transferKeeps: r.transfer_keeps ?? spec.transferKeeps }),
          updatedAt: r.updated_at,
        }
      : { ...spec, updatedAt: null };
  }
  return out;
}

const present = (kind: RetentionKind, r: RetentionRuleSpec & { updatedAt: Date | null }) => {
  const spec = DEFAULT_SCHEDULE[kind];
  return {
    kind,
    trigger: r.trigger,
    years: r.years,
    action: r.action,
    transferKeeps: r.transferKeeps ?? null,
    schoolSet: spec.schoolSet,
    minYears: spec.minYears,
    defaultYears: spec.years,
    defaultAction: spec.action,
    updatedAt: r.updatedAt?.toISOString() ?? null,
  } satisfies RetentionRule;
};

export async function listSchedule(t: Tx): Promise<RetentionRule[]> {
  const schedule = await schoolSchedule(t.db);
  return RETENTION_KINDS.map((kind) => present(kind, schedule[kind]));
}

/** The problem with a change, naming its field, or null. */
function changeProblem(spec: RetentionRuleSpec, patch: RetentionRulePatch) {
  if (!spec.schoolSet)
    return badRequest(
      'This rule is set by law, not by the school: a malicious allegation leaves only an anonymised count.',
      'not_school_set',
    );
  if (patch.years !== undefined) {
    const problem = periodProblem(spec, patch.years, RETENTION_MAX_YEARS);
    if (problem) return badRequest(`The body field "years" is refused: ${problem}`, 'bad_period');
  }
  if (patch.transferKeeps !== undefined && spec.transferKeeps === undefined)
    return badRequest(
      'The body field "transferKeeps" applies only to transferred files.',
      'not_a_transfer_rule',
    );
  return null;
}

export async function changeRule(
  t: Tx,
  kind: RetentionKind,
  patch: RetentionRulePatch,
): Promise<RetentionRule> {
  const schedule = await schoolSchedule(t.db);
  const before = schedule[kind];
  const problem = changeProblem(DEFAULT_SCHEDULE[kind], patch);
  if (problem) throw problem;
  const after = {
    years: patch.years ?? before.years,
    action: patch.action ?? before.action,
    transferKeeps: patch.transferKeeps ?? before.transferKeeps ?? null,
  };
  const was = {
    years: before.years,
    action: before.action,
    transferKeeps: before.transferKeeps ?? null,
  };
  const changed = (Object.keys(after) as (keyof typeof after)[]).filter((k) => after[k] !== was[k]);
  if (changed.length === 0) return present(kind, before);
  const [row] = await t.q<{ updated_at: Date }>(
    `INSERT INTO retention_rules (school_id, kind, years, action, transfer_keeps, updated_by, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (school_id, kind) DO UPDATE SET years = EXCLUDED.years, action = EXCLUDED.action,
       transfer_keeps = EXCLUDED.transfer_keeps, updated_by = EXCLUDED.updated_by,
       updated_at = EXCLUDED.updated_at
     RETURNING updated_at`,
    [t.schoolId, kind, after.years, after.action, after.transferKeeps, t.actor.userId, t.now],
  );
  await t.audit({
    action: 'retention.rule_changed',
    targetType: 'retention_rule',
    targetId: kind,
    details: { kind, changed, before: JSON.stringify(was), after: JSON.stringify(after) },
  });
  return present(kind, {
    ...before,
    ...after,
    transferKeeps: after.transferKeeps ?? undefined,
    updatedAt: row!.updated_at,
  });
}
