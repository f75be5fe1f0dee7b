// Patterns about pupils (issue 20). The DSL team sets rules ("3 records about one pupil in 30
// days", optionally only in some categories); a scan every few minutes (jobs/pupil-patterns.ts)
// finds each pupil on roll a rule matches and alerts the DSL team once, naming the rule — and
// again only if the pattern is still there after the rule's number of days. The scan counts only
// records in no restricted category (a rule may not name one), so an alert never rests on a
// record some of the DSL team may not open. And the pupils whose records are rising: more in the
// last 30 days than in the 30 before, counted over the records the reader may see. Everything
// here is for those who manage cases (`case.manage`, decided in routes.ts).
import { randomUUID } from 'node:crypto';
import type { SchoolTx, Tx } from '../../core/context.ts';
import { badRequest } from '../../core/errors.ts';
import { recordVisibleSql } from '../../core/access/record-filter.ts';
import type { Patterns, PatternRule, RisingPupils } from '../../shared/schemas/patterns.ts';
import { raiseAlerts } from '../alerts/service.ts';

const PUPIL_NAME = "coalesce(p.preferred_name, p.first_name) || ' ' || p.last_name";
const DAY_MS = 86_400_000;

type RuleRow = {
  id: string;
  name: string;
  records: number;
  within_days: number;
  category_ids: string[];
  enabled: boolean;
};

const present = (r: RuleRow) => ({
  id: r.id,
  name: r.name,
  records: Number(r.records),
  withinDays: Number(r.within_days),
  categoryIds: r.category_ids,
  enabled: r.enabled,
});

export async function readPatterns(t: Tx): Promise<Patterns> {
  const rules = await t.q<RuleRow>(
    `SELECT id, name, records, within_days, category_ids, enabled FROM pattern_rules
      WHERE removed_at IS NULL ORDER BY name`,
  );
  const categories = await t.q<{ id: string; name: string }>(
    `SELECT id, name FROM categories WHERE archived_at IS NULL AND NOT restricted
      ORDER BY sort_order, name`,
  );
  // A signal is shown only about a pupil the reader may see a record of.
  // Not `vc`, `vk`, `rc` or `rk`: recordVisibleSql's own aliases.
  const vis = recordVisibleSql(t.actor, 1, 'sr');
  const signals = await t.q<{
    id: string;
    rule: string;
    pupil_id: string;
    pupil_name: string;
    records: number;
    raised_at: Date;
  }>(
    `SELECT s.id, r.name AS rule, s.pupil_id, ${PUPIL_NAME} AS pupil_name, s.records, s.raised_at
       FROM pattern_signals s JOIN pattern_rules r ON r.id = s.rule_id
       JOIN pupils p ON p.id = s.pupil_id
      WHERE EXISTS (SELECT 1 FROM concern_pupils sp JOIN concerns sr ON sr.id = sp.concern_id
                     WHERE sp.pupil_id = s.pupil_id AND ${vis.sql})
      ORDER BY s.raised_at DESC LIMIT 20`,
    vis.params,
  );
  await t.audit({
    action: 'patterns.viewed',
    details: { pupils: [...new Set(signals.map((s) => s.pupil_id))] },
  });
  return {
    rules: rules.map(present),
    categories,
    signals: signals.map((s) => ({
      id: s.id,
      rule: s.rule,
      pupil: { id: s.pupil_id, name: s.pupil_name },
      records: Number(s.records),
      raisedAt: new Date(s.raised_at).toISOString(),
    })),
  };
}

/** Replaces the school's rules with these (an id keeps a rule and its signals; none makes one). */
export async function saveRules(t: Tx, rules: readonly PatternRule[]): Promise<void> {
  const names = new Set<string>();
  for (const r of rules) {
    const key = r.name.trim().toLowerCase();
    if (names.has(key))
      throw badRequest(`Two rules are called “${r.name.trim()}”. Name each once.`);
    names.add(key);
  }
  const wanted = [...new Set(rules.flatMap((r) => r.categoryIds))];
  if (wanted.length > 0) {
    const known = await t.q<{ id: string; restricted: boolean }>(
      'SELECT id, restricted FROM categories WHERE id = ANY($1::uuid[])',
      [wanted],
    );
    if (known.length !== wanted.length) {
      throw badRequest('A rule names a category this school does not have. Reload and try again.');
    }
    if (known.some((k) => k.restricted)) {
      throw badRequest(
        'A rule cannot count a restricted category: not everyone alerted may open those records.',
      );
    }
  }
  const keep = rules.filter((r) => r.id).map((r) => r.id!);
  if (new Set(keep).size !== keep.length) {
    throw badRequest('The same rule is listed twice. Reload and try again.');
  }
  const before = await t.q<RuleRow>(
    `SELECT id, name, records, within_days, category_ids, enabled FROM pattern_rules
      WHERE removed_at IS NULL ORDER BY id FOR UPDATE`,
  );
  for (const id of keep) {
    if (!before.some((b) => b.id === id)) {
      throw badRequest('A rule was removed by someone else meanwhile. Reload and try again.');
    }
  }
  // Taken away, not deleted: the signals it raised still name it.
  await t.q(
    'UPDATE pattern_rules SET removed_at = $2 WHERE removed_at IS NULL AND NOT (id = ANY($1::uuid[]))',
    [keep, t.now],
  );
  for (const r of rules) {
    const values = [r.name.trim(), r.records, r.withinDays, r.categoryIds, r.enabled, t.now];
    if (r.id) {
      await t.q(
        `UPDATE pattern_rules SET name = $2, records = $3, within_days = $4, category_ids = $5::uuid[],
           enabled = $6, updated_at = $7 WHERE id = $1`,
        [r.id, ...values],
      );
    } else {
      await t.q(
        `INSERT INTO pattern_rules (id, school_id, name, records, within_days, category_ids, enabled, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6::uuid[], $7, $8)`,
        [randomUUID(), t.schoolId, ...values],
      );
    }
  }
  const after = rules.map((r) => ({ ...r, name: r.name.trim() }));
  await t.audit({
    action: 'patterns.rules_changed',
    details: {
      changed: ['rules'],
      before: JSON.stringify(before.map(present)),
      after: JSON.stringify(after),
    },
  });
}

/**
 * One pass over the school's enabled rules: every pupil a rule matches now and has not been
 * signalled for within the rule's window gets a signal, and the DSL team an alert (once).
 */
export async function scanPatterns(t: SchoolTx): Promise<{ raised: number; alerted: string[] }> {
  // Locked for the pass, so two scans of one school (the job and a manual run) never both signal.
  const rules = await t.q<RuleRow>(
    `SELECT id, name, records, within_days, category_ids, enabled FROM pattern_rules
      WHERE enabled AND removed_at IS NULL ORDER BY id FOR UPDATE`,
  );
  let raised = 0;
  const alerted = new Set<string>();
  for (const rule of rules) {
    const since = new Date(t.now.getTime() - Number(rule.within_days) * DAY_MS);
    const found = await t.q<{ pupil_id: string; n: number }>(
      `SELECT cp.pupil_id, count(DISTINCT c.id)::int AS n
         FROM concerns c JOIN concern_pupils cp ON cp.concern_id = c.id
         JOIN pupils p ON p.id = cp.pupil_id AND p.archived_at IS NULL
        WHERE c.happened_at > $1 AND c.happened_at <= $2
          AND NOT EXISTS (SELECT 1 FROM concern_categories rc JOIN categories rk ON rk.id = rc.category_id
                           WHERE rc.concern_id = c.id AND rk.restricted)
          AND (cardinality($3::uuid[]) = 0 OR EXISTS (
                SELECT 1 FROM concern_categories cc
                 WHERE cc.concern_id = c.id AND cc.category_id = ANY($3::uuid[])))
          AND NOT EXISTS (SELECT 1 FROM pattern_signals s
                 WHERE s.rule_id = $4 AND s.pupil_id = cp.pupil_id AND s.raised_at > $1)
        GROUP BY cp.pupil_id HAVING count(DISTINCT c.id) >= $5`,
      [since, t.now, rule.category_ids, rule.id, rule.records],
    );
    for (const f of found) {
      const id = randomUUID();
      await t.q(
        `INSERT INTO pattern_signals (id, school_id, rule_id, pupil_id, records, raised_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [id, t.schoolId, rule.id, f.pupil_id, f.n, t.now],
      );
      const to = await raiseAlerts(t.db, t.schoolId, t.now, {
        kind: 'pupil_pattern',
        targetType: 'pupil',
        targetId: f.pupil_id,
        userIds: [],
        groups: ['dsl_team'],
      });
      for (const u of to) alerted.add(u);
      await t.audit({
        action: 'patterns.signalled',
        targetType: 'pupil',
        targetId: f.pupil_id,
        details: { rule: rule.id, records: Number(f.n), signal: id },
      });
      raised += 1;
    }
  }
  return { raised, alerted: [...alerted] };
}

/** Pupils with more records in the last `days` than in the `days` before, most risen first. */
export async function risingPupils(t: Tx, days = 30): Promise<RisingPupils> {
  const now = t.now.getTime();
  const vis = recordVisibleSql(t.actor, 4, 'c');
  // Counted per pupil from the records first, then the few rising pupils named: joining pupils
  // before counting let a planner without statistics (the embedded engine has no autovacuum) walk
  // every pupil against every record (32 s for 3,000 records; this shape: milliseconds).
  const rows = await t.q<{ id: string; name: string; recent: number; before: number }>(
    `WITH counts AS (
       SELECT cp.pupil_id,
              count(*) FILTER (WHERE c.happened_at > $2)::int AS recent,
              count(*) FILTER (WHERE c.happened_at <= $2)::int AS before
         FROM concerns c JOIN concern_pupils cp ON cp.concern_id = c.id
        WHERE c.happened_at > $1 AND c.happened_at <= $3 AND ${vis.sql}
        GROUP BY cp.pupil_id
     ), rising AS (
       SELECT * FROM counts WHERE recent >= 2 AND recent > before
        ORDER BY recent - before DESC LIMIT 50
     )
     SELECT p.id, ${PUPIL_NAME} AS name, r.recent, r.before
       FROM rising r JOIN pupils p ON p.id = r.pupil_id
      WHERE p.archived_at IS NULL
      ORDER BY r.recent - r.before DESC, name
      LIMIT 10`,
    [new Date(now - 2 * days * DAY_MS), new Date(now - days * DAY_MS), t.now, ...vis.params],
  );
  await t.audit({ action: 'patterns.rising_viewed', details: { pupils: rows.map((r) => r.id) } });
  return {
    days,
    pupils: rows.map((r) => ({
      id: r.id,
      name: r.name,
      recent: Number(r.recent),
      before: Number(r.before),
    })),
  };
}
