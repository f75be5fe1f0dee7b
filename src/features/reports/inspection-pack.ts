// The inspection pack (issue 20; Ofsted): on demand, for the DSL team only, a sample of the case
// decisions recorded in a range with their reasons as written (triage decisions, cases closed or
// ended with no further action, referrals made), the versions of the policies Lantern keeps, and
// the timeliness figures (referrals, alert acknowledgement, the transfer clock).
//
// What it protects: names appear only on screen, to the DSL team; every person also has a
// reference (P- for a pupil, S- for a member of staff, D- for a decision, each the start of the
// record's id), and the PDF carries only the references. Text written by staff can name people:
// in the PDF every name Lantern holds for the school is replaced by a reference (namesToRedact,
// redact-names.ts); the PDF still asks the DSL to read the reasons before sharing, since a name
// Lantern does not hold (a neighbour, a sibling at another school) cannot be found.
// Lantern holds no policy documents: the pack says so and lists what it does keep (the settings
// and rules it enforces, each version being a recorded change in the audit trail).
// The sample is chosen by a seed (the screen's, carried to the PDF), so both hold the same
// decisions. Preparing, viewing and exporting are audited by the routes.
import { restrictedRecordSql } from '../../core/access/processing-restriction.ts';
import { createHash, randomBytes } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { recordVisibleSql, restrictedTouchSql } from '../../core/access/record-filter.ts';
import type { SealedTextColumn } from '../../platform/crypto/sealed-columns.ts';
import {
  INSPECTION_SAMPLE,
  type InspectionDecision,
  type InspectionPack,
  type PolicyVersion,
  type ReportTable,
} from '../../shared/schemas/reports.ts';
import { buildReport, type Range } from './figures.ts';
import type { NamedPerson } from './redact-names.ts';

const ref = (prefix: string, id: string) => `${prefix}-${id.slice(0, 8).toUpperCase()}`;
const inRange = (col: string) =>
  `${col} >= ($1::date)::timestamp AT TIME ZONE 'Europe/London'
   AND ${col} < ($2::date + 1)::timestamp AT TIME ZONE 'Europe/London'`;

export const POLICY_NOTE =
  'Lantern holds no policy documents: the school’s child protection and safeguarding policy, ' +
  'staff code of conduct and other policies are kept by the school, not in Lantern. What ' +
  'Lantern records is the settings and rules it enforces, listed here: each version is a change ' +
  'recorded in the audit trail (version 0: as Lantern set it up, never changed).';

/** The settings and rules Lantern keeps, and the audit events that change each. */
const POLICIES: readonly { name: string; actions: readonly string[] }[] = [
  {
    name: 'Sign-in, sessions, passwords, second factor and alert escalation',
    actions: ['school.policies_changed'],
  },
  {
    name: 'Staff groups and their access to records',
    actions: ['group.created', 'group.updated', 'group.category_access_changed'],
  },
  { name: 'Record categories', actions: ['category.created', 'category.updated'] },
  { name: 'Retention schedule', actions: ['retention.rule_changed'] },
  { name: 'Unusual-access rules', actions: ['audit.rules_changed'] },
  {
    name: 'Concerns about adults: who receives them',
    actions: ['staff_concerns.settings_changed'],
  },
];

type DecisionRow = {
  kind: 'triage' | 'closed' | 'no_further_action' | 'referral';
  id: string;
  at: Date;
  risk: string | null;
  state: string | null;
  rationale: Buffer | null;
  outcome: Buffer | null;
  by_id: string;
  pupil_ids: string[];
  agency: string | null;
  responded_at: Date | null;
};

/**
 * The decisions in range whose record the reader may open: a triage decision only when its concern
 * passes the list rule (recordVisibleSql), a case event or referral only when it touches no
 * restricted matter the reader is not granted (restrictedTouchSql), exactly as figures.ts counts.
 */
async function decisionRows(t: Tx, range: Range): Promise<DecisionRow[]> {
  const vis = recordVisibleSql(t.actor, 3, 'c');
  const caseOk = restrictedTouchSql(t.actor, 3 + vis.params.length, { case: 'k.id' });
  const referralOk = restrictedTouchSql(t.actor, 3 + vis.params.length + caseOk.params.length, {
    concern: 'r.concern_id',
    case: 'r.case_id',
  });
  return t.q<DecisionRow>(
    `SELECT 'triage' AS kind, d.id, d.decided_at AS at, d.risk, d.state, d.reason AS rationale,
       NULL::bytea AS outcome, d.decided_by AS by_id,
       ARRAY(SELECT cp.pupil_id FROM concern_pupils cp WHERE cp.concern_id = d.concern_id
             ORDER BY cp.pupil_id) AS pupil_ids,
       NULL::text AS agency, NULL::timestamptz AS responded_at
     FROM concern_triage d JOIN concerns c ON c.id = d.concern_id
     WHERE d.state <> 'new' AND ${inRange('d.decided_at')} AND ${vis.sql}
       AND NOT ${restrictedRecordSql('c')}
     UNION ALL
     SELECT e.kind, e.id, e.at, NULL, NULL, e.rationale, e.outcome, e.by_id, ARRAY[k.pupil_id],
       NULL, NULL
     FROM case_events e JOIN cases k ON k.id = e.case_id
     WHERE e.kind IN ('closed', 'no_further_action') AND ${inRange('e.at')} AND ${caseOk.sql}
     UNION ALL
     SELECT 'referral', r.id, r.referred_at, NULL, NULL, NULL, NULL, r.created_by, ARRAY[r.pupil_id],
       a.name, r.responded_at
     FROM referrals r JOIN referral_agencies a ON a.id = r.agency_id
     WHERE ${inRange('r.referred_at')} AND ${referralOk.sql}`,
    [range.from, range.to, ...vis.params, ...caseOk.params, ...referralOk.params],
  );
}

const SEALED: Record<
  DecisionRow['kind'],
  { rationale?: SealedTextColumn; outcome?: SealedTextColumn }
> = {
  triage: { rationale: 'concern_triage.reason' },
  closed: { rationale: 'case_events.rationale', outcome: 'case_events.outcome' },
  no_further_action: { rationale: 'case_events.rationale', outcome: 'case_events.outcome' },
  referral: {},
};

function decisionWords(r: DecisionRow): string {
  switch (r.kind) {
    case 'triage':
      return r.state === 'triaged'
        ? `Concern triaged: ${r.risk ?? ''} risk`
        : 'Concern triaged: no further action';
    case 'closed':
      return 'Case closed';
    case 'no_further_action':
      return 'Case ended: no further action';
    case 'referral':
      return `Referred to ${r.agency ?? 'an agency'}${r.responded_at ? `; response recorded ${r.responded_at.toISOString().slice(0, 10)}` : '; no response recorded'}`;
  }
}

const KIND: Record<DecisionRow['kind'], InspectionDecision['kind']> = {
  triage: 'triage',
  closed: 'case_closed',
  no_further_action: 'case_no_further_action',
  referral: 'referral',
};

export const newSampleSeed = () => randomBytes(8).toString('hex');

async function policyVersions(t: Tx, range: Range): Promise<PolicyVersion[]> {
  const actions = POLICIES.flatMap((p) => p.actions);
  const rows = await t.q<{ action: string; n: number; last: number }>(
    `SELECT action, count(*)::int AS n, max(seq) AS last FROM audit_events
     WHERE school_id = $2 AND action = ANY($3::text[])
       AND at < ($1::date + 1)::timestamp AT TIME ZONE 'Europe/London'
     GROUP BY action`,
    [range.to, t.schoolId, actions],
  );
  const lasts = rows.map((r) => Number(r.last));
  const entries = await t.q<{
    seq: number;
    at: Date;
    actor_id: string | null;
    actor_label: string;
  }>(
    'SELECT seq, at, actor_id, actor_label FROM audit_events WHERE school_id = $1 AND seq = ANY($2::bigint[])',
    [t.schoolId, lasts],
  );
  return POLICIES.map((p) => {
    const mine = rows.filter((r) => p.actions.includes(r.action));
    const version = mine.reduce((n, r) => n + Number(r.n), 0);
    const last = Math.max(0, ...mine.map((r) => Number(r.last)));
    const e = entries.find((x) => Number(x.seq) === last);
    return {
      name: p.name,
      version,
      changedAt: e ? new Date(e.at).toISOString() : null,
      changedBy: e
        ? { ref: e.actor_id ? ref('S', e.actor_id) : e.actor_label, name: e.actor_label }
        : null,
      entry: e ? Number(e.seq) : null,
    };
  });
}

/** The transfer clock: child-protection files sent to a pupil's next school, against their day due. */
async function transferTable(t: Tx, range: Range): Promise<ReportTable> {
  const [r] = await t.q<{ sent: number; on_time: number; late: number; waiting: number }>(
    `SELECT
       count(*) FILTER (WHERE sent_at IS NOT NULL AND ${inRange('sent_at')})::int AS sent,
       count(*) FILTER (WHERE sent_at IS NOT NULL AND ${inRange('sent_at')}
         AND (sent_at AT TIME ZONE 'Europe/London')::date <= due_on)::int AS on_time,
       count(*) FILTER (WHERE sent_at IS NOT NULL AND ${inRange('sent_at')}
         AND (sent_at AT TIME ZONE 'Europe/London')::date > due_on)::int AS late,
       count(*) FILTER (WHERE sent_at IS NULL AND state = 'draft' AND due_on BETWEEN $1::date AND $2::date)::int AS waiting
     FROM transfers`,
    [range.from, range.to],
  );
  return {
    id: 'transfer_clock',
    title: 'Child-protection file transfers',
    definition:
      'Counting unit: a transfer of a pupil’s child-protection file to their next school. Date ' +
      'basis: the day it was sent (England’s calendar); “on time”: sent on or before the day it ' +
      'was due by the statutory clock; “not yet sent”: due within the range and still a draft. ' +
      'Both ends of the range are included.',
    chart: 'none',
    columns: ['Transfers', 'Count'],
    rows: [
      { label: 'Sent in the range', values: [r?.sent ?? 0] },
      { label: 'Sent on time', values: [r?.on_time ?? 0] },
      { label: 'Sent late', values: [r?.late ?? 0] },
      { label: 'Due in the range, not yet sent', values: [r?.waiting ?? 0] },
    ],
  };
}

/** What was sampled, for the audit: each pupil on a sampled decision, with those decisions' ids. */
export type Sampled = { decisionIds: string[]; byPupil: Map<string, string[]> };

export async function buildInspectionPack(
  t: Tx,
  range: Range,
  sample: string,
): Promise<{ pack: InspectionPack; sampled: Sampled }> {
  const all = await decisionRows(t, range);
  const order = (id: string) => createHash('sha256').update(`${sample}:${id}`).digest('hex');
  const picked = [...all]
    .sort((a, b) => order(a.id).localeCompare(order(b.id)))
    .slice(0, INSPECTION_SAMPLE)
    .sort(
      (a, b) => new Date(a.at).getTime() - new Date(b.at).getTime() || a.id.localeCompare(b.id),
    );
  const pupilIds = [...new Set(picked.flatMap((r) => r.pupil_ids))];
  const userIds = [...new Set(picked.map((r) => r.by_id))];
  const pupils = await t.q<{ id: string; first_name: string; last_name: string }>(
    'SELECT id, first_name, last_name FROM pupils WHERE id = ANY($1::uuid[])',
    [pupilIds],
  );
  const users = await t.q<{ id: string; name: string }>(
    'SELECT id, name FROM users WHERE id = ANY($1::uuid[])',
    [userIds],
  );
  const sealer = await t.sealer();
  const open = (col: SealedTextColumn | undefined, id: string, v: Buffer | null) =>
    col && v ? sealer.open(col, id, Buffer.from(v)) : null;
  const decisions: InspectionDecision[] = picked.map((r) => {
    const by = users.find((u) => u.id === r.by_id);
    return {
      ref: ref('D', r.id),
      kind: KIND[r.kind],
      at: new Date(r.at).toISOString(),
      decision: decisionWords(r),
      rationale: open(SEALED[r.kind].rationale, r.id, r.rationale),
      outcome: open(SEALED[r.kind].outcome, r.id, r.outcome),
      pupils: r.pupil_ids.map((id) => {
        const p = pupils.find((x) => x.id === id);
        return { ref: ref('P', id), name: p ? `${p.first_name} ${p.last_name}` : 'A pupil' };
      }),
      decidedBy: { ref: ref('S', r.by_id), name: by?.name ?? 'A member of staff' },
    };
  });
  const report = await buildReport(t, range);
  const byPupil = new Map<string, string[]>();
  for (const r of picked)
    for (const p of r.pupil_ids) byPupil.set(p, [...(byPupil.get(p) ?? []), r.id]);
  const sampled = { decisionIds: picked.map((r) => r.id), byPupil };
  const pack: InspectionPack = {
    ...range,
    generatedAt: t.now.toISOString(),
    sample,
    decisionsInRange: all.length,
    decisions,
    policyNote: POLICY_NOTE,
    policies: await policyVersions(t, range),
    timeliness: [
      ...report.tables.filter(
        (x) => x.id === 'referrals_by_agency' || x.id === 'alert_acknowledgement',
      ),
      await transferTable(t, range),
    ],
  };
  return { pack, sampled };
}

/**
 * Every name Lantern holds for the school, for the PDF's redaction (redact-names.ts): the sampled
 * pupils first, then every member of staff, every other pupil (first, last and preferred names),
 * and the contacts of the sampled pupils. A name part two people share goes to the first listed.
 */
export async function namesToRedact(
  t: Tx,
  sampledPupils: readonly string[],
): Promise<NamedPerson[]> {
  const pupils = await t.q<{
    id: string;
    first_name: string;
    last_name: string;
    preferred_name: string | null;
  }>('SELECT id, first_name, last_name, preferred_name FROM pupils ORDER BY id');
  const users = await t.q<{ id: string; name: string }>('SELECT id, name FROM users ORDER BY id');
  const contacts = await t.q<{
    id: string;
    first_name: string;
    last_name: string;
    legal_first_name: string | null;
    legal_last_name: string | null;
  }>(
    `SELECT DISTINCT c.id, c.first_name, c.last_name, c.legal_first_name, c.legal_last_name
       FROM contacts c JOIN pupil_contacts pc ON pc.contact_id = c.id
      WHERE pc.pupil_id = ANY($1::uuid[]) ORDER BY c.id`,
    [[...sampledPupils]],
  );
  const pupil = (p: (typeof pupils)[number]): NamedPerson => ({
    ref: ref('P', p.id),
    names: [p.first_name, p.last_name, p.preferred_name ?? ''],
  });
  const first = new Set(sampledPupils);
  return [
    ...pupils.filter((p) => first.has(p.id)).map(pupil),
    ...users.map((u) => ({ ref: ref('S', u.id), names: [u.name] })),
    ...pupils.filter((p) => !first.has(p.id)).map(pupil),
    ...contacts.map((c) => ({
      ref: ref('C', c.id),
      names: [c.first_name, c.last_name, c.legal_first_name ?? '', c.legal_last_name ?? ''],
    })),
  ];
}
