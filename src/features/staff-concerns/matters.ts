// Reading concerns about adults (issue 19): the case manager's list, with the LADO clock and its
// overdue state, and one matter in full. Both go through policy.ts's one rule (list by its SQL
// filter, a single read by the same filter), so the person a matter names never finds it: their
// read is a 404 and their list leaves it out. Every read is audited.
import type { Tx } from '../../core/context.ts';
import { notFound } from '../../core/errors.ts';
import type {
  Classification,
  Matter,
  MatterSummary,
  Outcome,
  RoutedTo,
  SubjectKind,
} from '../../shared/schemas/staff-concerns.ts';
import { staffMatterRetention, type StaffMatterKind } from '../retention/staff-matters.ts';
import { matterActions, teamsOf, visibleMatterSql, type MatterFacts } from './policy.ts';
import { FACTS_COLUMNS, retentionFactsOf, type FactsRow } from './retention-facts.ts';
import { settingsOf } from './settings.ts';
import { mayOpenPupil } from '../pupils/service.ts';

type Row = {
  id: string;
  raised_at: Date;
  raised_by_name: string;
  subject_kind: SubjectKind;
  subject_user_id: string | null;
  subject_user_name: string | null;
  subject_name: Buffer | null;
  agency_name: Buffer | null;
  what_happened: Buffer;
  withhold_name: boolean;
  routed_to: RoutedTo;
  classification: Classification | null;
  rationale: Buffer | null;
  triaged_at: Date | null;
  lado_due_at: Date | null;
  lado_met: boolean;
  outcome: Outcome | null;
  copy_given_on: string | null;
  theme: string | null;
  retention_kind: StaffMatterKind | null;
} & FactsRow;

const SELECT = `
  SELECT s.id, s.raised_at, rb.name AS raised_by_name, s.subject_kind, s.subject_user_id,
    su.name AS subject_user_name, s.subject_name, s.agency_name, s.what_happened, s.withhold_name,
    s.routed_to, s.classification, s.rationale, s.triaged_at, s.lado_due_at,
    EXISTS (SELECT 1 FROM staff_concern_lado_contacts l WHERE l.staff_concern_id = s.id) AS lado_met,
    s.outcome, s.copy_given_on::text AS copy_given_on, s.theme, s.retention_kind, ${FACTS_COLUMNS}
  FROM staff_concerns s
  JOIN users rb ON rb.id = s.raised_by
  LEFT JOIN users su ON su.id = s.subject_user_id`;

export const factsOf = (r: {
  routed_to: RoutedTo;
  subject_user_id: string | null;
  classification: Classification | null;
  outcome: string | null;
}): MatterFacts => ({
  routedTo: r.routed_to,
  subjectUserId: r.subject_user_id,
  classification: r.classification,
  outcome: r.outcome,
  removed: false,
});

/** Whom the matter is about: the member's name, or the sealed name of anyone else. */
export async function subjectNameOf(
  t: Tx,
  r: { id: string; subject_user_name: string | null; subject_name: Buffer | null },
): Promise<string> {
  if (r.subject_user_name !== null) return r.subject_user_name;
  if (r.subject_name === null) return 'Unknown';
  return (await t.sealer()).open('staff_concerns.subject_name', r.id, r.subject_name);
}

async function summarise(t: Tx, teams: readonly RoutedTo[], r: Row): Promise<MatterSummary> {
  const subjectName = await subjectNameOf(t, r);
  return {
    id: r.id,
    raisedAt: r.raised_at.toISOString(),
    subjectKind: r.subject_kind,
    subjectName,
    routedTo: r.routed_to,
    classification: r.classification,
    outcome: r.outcome,
    lado:
      r.lado_due_at === null
        ? null
        : {
            dueAt: r.lado_due_at.toISOString(),
            met: r.lado_met,
            overdue: !r.lado_met && r.lado_due_at.getTime() < t.now.getTime(),
          },
    theme: r.theme,
    allowed: matterActions(t.actor, teams, factsOf(r)),
  };
}

export async function listMatters(
  t: Tx,
): Promise<{ items: MatterSummary[]; removedAsMalicious: number }> {
  const teams = await teamsOf(t.db, t.actor.userId);
  const where = visibleMatterSql(t.actor, teams, 1);
  const rows = await t.q<Row>(
    `${SELECT} WHERE ${where.sql} ORDER BY s.raised_at DESC, s.id LIMIT 500`,
    where.params,
  );
  const [removed] = await t.q<{ n: number }>(
    `SELECT count(*)::int AS n FROM staff_concerns s WHERE s.removed_at IS NOT NULL
       AND s.routed_to = ANY($1::text[])`,
    [[...teams]],
  );
  await t.audit({ action: 'staff_concerns.listed', details: { count: rows.length } });
  const items = [];
  for (const r of rows) items.push(await summarise(t, teams, r));
  return { items, removedAsMalicious: removed?.n ?? 0 };
}

/**
 * The matter if the member may read it, locked for update when asked; else 404, the same answer
 * as for a matter that does not exist (a named person learns nothing).
 */
export async function loadVisibleMatter(
  t: Tx,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<{ row: Row; teams: RoutedTo[] }> {
  const teams = await teamsOf(t.db, t.actor.userId);
  const where = visibleMatterSql(t.actor, teams, 2);
  const [row] = await t.q<Row>(
    `${SELECT} WHERE s.id = $1 AND ${where.sql}${opts.forUpdate ? ' FOR UPDATE OF s' : ''}`,
    [id, ...where.params],
  );
  if (!row) throw notFound('That concern');
  return { row, teams };
}

export async function readMatter(t: Tx, id: string): Promise<Matter> {
  const { row, teams } = await loadVisibleMatter(t, id);
  const sealer = await t.sealer();
  const contacts = await t.q<{
    id: string;
    officer: Buffer;
    contacted_at: Date;
    advice: Buffer;
    reference: Buffer | null;
    strategy_meeting_on: string | null;
    police_involved: boolean;
    social_care_involved: boolean;
    suspension: Buffer | null;
    review_on: string | null;
    recorded_at: Date;
  }>(
    `SELECT id, officer, contacted_at, advice, reference, strategy_meeting_on::text
       AS strategy_meeting_on, police_involved, social_care_involved, suspension,
       review_on::text AS review_on, recorded_at
     FROM staff_concern_lado_contacts WHERE staff_concern_id = $1 ORDER BY contacted_at, id`,
    [id],
  );
  const tasks = await t.q<{ id: string; due_on: string; done_at: Date | null }>(
    `SELECT id, due_on::text AS due_on, done_at FROM staff_concern_tasks
     WHERE staff_concern_id = $1 ORDER BY due_on, id`,
    [id],
  );
  const pupils = await t.q<{
    id: string;
    first_name: string;
    last_name: string;
    year_group: string | null;
    form: string | null;
    group_refs: string[];
  }>(
    `SELECT p.id, p.first_name, p.last_name, p.year_group, p.form,
       lantern_pupil_group_refs(p.id, p.form) AS group_refs
     FROM staff_concern_pupils l
     JOIN pupils p ON p.id = l.pupil_id WHERE l.staff_concern_id = $1
     ORDER BY p.last_name, p.first_name, p.id`,
    [id],
  );
  // Lantern holds neither a member's date of birth nor their pension age, so an allegation's
  // date is "not known" (never queued early: retention/rules.ts), and said so in words; the
  // leaving date and the finding are known (retention-facts.ts).
  const retention =
    row.retention_kind === null
      ? null
      : await staffMatterRetention(
          t.db,
          row.retention_kind,
          retentionFactsOf(row, (await settingsOf(t)).timeZone),
        );
  await t.audit({ action: 'staff_concerns.viewed', targetType: 'staff_concern', targetId: id });
  const L = 'staff_concern_lado_contacts' as const;
  const openOrNull = (
    col: `${typeof L}.reference` | `${typeof L}.suspension`,
    rid: string,
    b: Buffer | null,
  ) => (b === null ? null : sealer.open(col, rid, b));
  return {
    ...(await summarise(t, teams, row)),
    raisedBy: row.raised_by_name,
    withholdName: row.withhold_name,
    agency:
      row.agency_name === null
        ? null
        : sealer.open('staff_concerns.agency_name', id, row.agency_name),
    whatHappened: sealer.open('staff_concerns.what_happened', id, row.what_happened),
    rationale:
      row.rationale === null ? null : sealer.open('staff_concerns.rationale', id, row.rationale),
    triagedAt: row.triaged_at?.toISOString() ?? null,
    copyGivenOn: row.copy_given_on,
    ladoContacts: contacts.map((c) => ({
      id: c.id,
      officer: sealer.open(`${L}.officer`, c.id, c.officer),
      contactedAt: c.contacted_at.toISOString(),
      advice: sealer.open(`${L}.advice`, c.id, c.advice),
      reference: openOrNull(`${L}.reference`, c.id, c.reference),
      strategyMeetingOn: c.strategy_meeting_on,
      policeInvolved: c.police_involved,
      socialCareInvolved: c.social_care_involved,
      suspension: openOrNull(`${L}.suspension`, c.id, c.suspension),
      reviewOn: c.review_on,
      recordedAt: c.recorded_at.toISOString(),
    })),
    tasks: tasks.map((k) => ({
      id: k.id,
      kind: 'inform_agency' as const,
      dueOn: k.due_on,
      done: k.done_at !== null,
    })),
    // The pupil's page only for a reader who may open it (the same rule as the page itself).
    pupils: pupils.map((p) => ({
      id: p.id,
      name: `${p.first_name} ${p.last_name}`,
      canOpen: mayOpenPupil(t, p),
    })),
    subjectLeftOn: row.subject_left_on,
    retention,
  };
}
