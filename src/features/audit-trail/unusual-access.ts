// Unusual access (issue 20): a scan of each school's audit trail, a few minutes behind it, that
// notices a member opening many pupils' records in an hour or a day, opening records outside the
// school's hours, being refused repeatedly, exporting in bulk, or an administrator changing their
// own access. Each trip of a rule is a signal (access_signals), raised once per member per rule per
// window, which alerts the DSL team, the headteacher and the breach register's holders (never the
// member) and is audited.
//
// The member may be a member of staff (the entry's actor_id) or a trust member reading under a
// grant from the school (actor_id NULL, their id in the entry's details as `trustMember`, written
// by core/trust-context.ts): the same rules judge both, except the wide-grant and own-access rules,
// which are about staff's own groups. A trust member's signal names them (trust_member_id, 0082),
// and its alert (kind unusual_access_trust) points at the signal, which names them and their trust.
//
// It runs off the request path (jobs/unusual-access.ts), so logging or reading a record costs
// nothing more; it reads only the entries after its watermark, and a window's first entry from the
// (time, seq) marks it keeps for the last day, so its cost follows what happened since the last
// scan, not the size of the trail.
import { englandDay } from '../../shared/calendar.ts';
import type { SchoolTx } from '../../core/context.ts';
import { randomUUID } from 'node:crypto';
import { AUDIT_ACTIONS, type AuditAction } from '../../platform/audit/catalogue.ts';
import {
  DEFAULT_UNUSUAL_ACCESS,
  UnusualAccessRules,
  type UnusualRule,
} from '../../shared/schemas/audit-trail.ts';
import { Value } from 'typebox/value';
import { raiseAlerts } from '../alerts/service.ts';
import { registerHolders } from '../data-protection/signals.ts';
import { EVENT_LABELS } from './labels.ts';
import { wideGrantCounts } from './wide-grant.ts';

/** Opening a pupil's record (or a record about them): what the pupil counts look at. */
const OPENS: readonly AuditAction[] = [
  'pupil.chronology_viewed',
  'pupil.profile_viewed',
  'concern.viewed',
  'concern.versions_viewed',
  'case.viewed',
  'referral.viewed',
  'chronology.exported',
  'attachment.downloaded',
  'audit.pupil_log_viewed',
];
// Never the concerns-about-adults area's own events (issue 19): a signal names its member to the
// DSL team and head, who may be the subject of a matter.
const ofKind = (kind: string) =>
  AUDIT_ACTIONS.filter((a) => EVENT_LABELS[a][1] === kind && !a.startsWith('staff_concerns.'));

export function rulesOf(settings: unknown): UnusualAccessRules {
  const raw = (settings as { unusualAccess?: unknown } | null)?.unusualAccess;
  // A rule added since the school saved its rules takes its default.
  return raw !== undefined && Value.Check(UnusualAccessRules, raw)
    ? { ...DEFAULT_UNUSUAL_ACCESS, ...raw }
    : DEFAULT_UNUSUAL_ACCESS;
}

type Mark = [at: string, seq: number];
/** Who tripped a rule: a member of staff (users) or a trust member (trust_members). */
export type ActorKind = 'staff' | 'trust';
type Found = {
  rule: UnusualRule;
  actor: ActorKind;
  member: string;
  window: string;
  observed: number;
};
/** One key per actor, so a staff id and a trust member's id never count together. */
const keyOf = (actor: ActorKind, id: string) => `${actor === 'staff' ? 'u' : 't'}:${id}`;
const fromKey = (key: string): { actor: ActorKind; member: string } => ({
  actor: key.startsWith('u:') ? 'staff' : 'trust',
  member: key.slice(2),
});

const HOUR = 3_600_000;

/**
 * Where a window that starts at `since` begins in the trail, from the scan's marks: the last mark
 * taken at or before it. A window reaching back before the oldest mark kept (the first day of
 * watching, or after a gap of more than a day) starts at that oldest mark, or at the watermark
 * when none is kept: never at the start of the trail, whose history was never judged.
 */
function seqSince(marks: Mark[], since: number, watermark: number): number {
  const before = marks.filter(([at]) => Date.parse(at) <= since);
  if (before.length) return before[before.length - 1]![1];
  return marks[0]?.[1] ?? watermark;
}

/** England's wall-clock time of an instant, as 'HH:MM'. */
function londonTime(at: Date): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}

function outsideHours(time: string, hours: { from: string; to: string }): boolean {
  return hours.from <= hours.to
    ? time < hours.from || time >= hours.to
    : time >= hours.to && time < hours.from; // hours that run past midnight
}

export type Scan = { raised: Found[]; alerted: string[] };

export async function scanUnusualAccess(t: SchoolTx): Promise<Scan> {
  const { db: q, schoolId, now } = t;
  const [school] = await q.query<{ settings: unknown }>(
    'SELECT settings FROM schools WHERE id = $1',
    [schoolId],
  );
  const rules = rulesOf(school?.settings);
  const [head] = await q.query<{ seq: number }>(
    'SELECT seq FROM audit_heads WHERE school_id = $1',
    [schoolId],
  );
  const headSeq = Number(head?.seq ?? 0);
  const [watch] = await q.query<{ last_seq: number; marks: Mark[] }>(
    'SELECT last_seq, marks FROM access_watch WHERE school_id = $1 FOR UPDATE',
    [schoolId],
  );
  const nowMs = now.getTime();
  const marks = (watch?.marks ?? []).filter(([at]) => Date.parse(at) > nowMs - 25 * HOUR);
  const save = (lastSeq: number) =>
    q.query(
      `INSERT INTO access_watch (school_id, last_seq, marks) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (school_id) DO UPDATE SET last_seq = EXCLUDED.last_seq, marks = EXCLUDED.marks`,
      [schoolId, lastSeq, JSON.stringify([...marks, [now.toISOString(), lastSeq]])],
    );
  // The first scan starts watching from here: nothing before it is judged.
  if (!watch) {
    await save(headSeq);
    return { raised: [], alerted: [] };
  }
  const from = Number(watch.last_seq);
  if (headSeq <= from) {
    await save(from);
    return { raised: [], alerted: [] };
  }
  const fresh = (
    await q.query<{
      seq: number;
      at: Date;
      actor_id: string | null;
      trust_member: string | null;
      action: string;
      target_type: string | null;
      target_id: string | null;
    }>(
      `SELECT seq, at, actor_id, details->>'trustMember' AS trust_member, action, target_type,
         target_id FROM audit_events
       WHERE school_id = $1 AND seq > $2 AND seq <= $3
         AND (actor_id IS NOT NULL OR details->>'trustMember' IS NOT NULL) ORDER BY seq`,
      [schoolId, from, headSeq],
    )
  ).map((e) => ({
    ...e,
    who: e.actor_id !== null ? keyOf('staff', e.actor_id) : keyOf('trust', e.trust_member!),
  }));
  const members = [...new Set(fresh.filter((e) => e.actor_id !== null).map((e) => e.actor_id!))];
  const trustMembers = [
    ...new Set(fresh.filter((e) => e.actor_id === null).map((e) => e.trust_member!)),
  ];
  const found: Found[] = [];
  const hourKey = now.toISOString().slice(0, 13);
  const dayKey = englandDay(now);
  if (members.length > 0 || trustMembers.length > 0) {
    const daySeq = seqSince(marks, nowMs - 24 * HOUR, from);
    const hourSeq = seqSince(marks, nowMs - HOUR, from);
    // Distinct pupils opened per member in the last day and hour, through whatever was opened.
    // Staff are found by the trail's actor index; trust members (rare) by their entries' details,
    // asked for only when one read in this scan, so staff's scan keeps its plan.
    const whose =
      trustMembers.length === 0
        ? 'e.actor_id = ANY($2::uuid[])'
        : `(e.actor_id = ANY($2::uuid[])
            OR (e.actor_id IS NULL AND e.details->>'trustMember' = ANY($9::text[])))`;
    const counts = await q.query<{
      who: string;
      hour: number;
      day: number;
      refusals: number;
      exports: number;
    }>(
      `WITH ev AS (
         SELECT e.seq,
           CASE WHEN e.actor_id IS NOT NULL THEN 'u:' || e.actor_id::text
                ELSE 't:' || (e.details->>'trustMember') END AS who,
           e.action, e.target_type, e.target_id FROM audit_events e
         WHERE e.school_id = $1 AND ${whose} AND e.seq > $3 AND e.seq <= $8),
       -- What was opened, each kind of target joined to its own table as a set (its key cast to
       -- a uuid only once the target's kind is known, in a fenced sub-select), so the planner
       -- may hash or index as the sizes say: a look-up per entry was planned as a scan of the
       -- school's links per entry, quadratic in a busy day.
       opens AS MATERIALIZED (
         SELECT ev.who, ev.seq, ev.target_type, ev.target_id FROM ev
         WHERE ev.action = ANY($4::text[])),
       of_kind AS MATERIALIZED (
         SELECT o.who, o.seq, o.target_type, o.target_id::uuid AS id FROM opens o
         WHERE o.target_type IN ('concern', 'case', 'referral', 'attachment') OFFSET 0),
       opened AS (
         SELECT o.who, o.seq, o.target_id AS pupil_id FROM opens o WHERE o.target_type = 'pupil'
         UNION ALL SELECT k.who, k.seq, cp.pupil_id::text FROM of_kind k
           JOIN concern_pupils cp ON cp.school_id = $1 AND cp.concern_id = k.id
           WHERE k.target_type = 'concern'
         UNION ALL SELECT k.who, k.seq, c.pupil_id::text FROM of_kind k
           JOIN cases c ON c.id = k.id WHERE k.target_type = 'case'
         UNION ALL SELECT k.who, k.seq, r.pupil_id::text FROM of_kind k
           JOIN referrals r ON r.id = k.id WHERE k.target_type = 'referral'
         UNION ALL SELECT k.who, k.seq, cp.pupil_id::text FROM of_kind k
           JOIN attachments a ON a.id = k.id
           JOIN concern_pupils cp ON cp.school_id = a.school_id AND cp.concern_id = a.concern_id
           WHERE k.target_type = 'attachment')
       -- Each count in one pass over the entries, grouped by member (not a pass per member).
       SELECT m.who, coalesce(o.hour, 0)::int AS hour, coalesce(o.day, 0)::int AS day,
         coalesce(e.refusals, 0)::int AS refusals, coalesce(e.exports, 0)::int AS exports
       FROM unnest($${trustMembers.length === 0 ? 9 : 10}::text[]) m(who)
       LEFT JOIN (SELECT who, count(DISTINCT pupil_id) FILTER (WHERE seq > $5) AS hour,
                         count(DISTINCT pupil_id) AS day
                  FROM opened GROUP BY who) o ON o.who = m.who
       LEFT JOIN (SELECT who,
                         count(*) FILTER (WHERE seq > $5 AND action = ANY($6::text[])) AS refusals,
                         count(*) FILTER (WHERE action = ANY($7::text[])) AS exports
                  FROM ev GROUP BY who) e ON e.who = m.who`,
      [
        schoolId,
        members,
        daySeq,
        OPENS,
        hourSeq,
        ofKind('refusal'),
        ofKind('export'),
        headSeq,
        ...(trustMembers.length === 0 ? [] : [trustMembers]),
        [...members.map((m) => keyOf('staff', m)), ...trustMembers.map((m) => keyOf('trust', m))],
      ],
    );
    for (const c of counts) {
      const by = fromKey(c.who);
      if (rules.pupilsPerHour > 0 && c.hour > rules.pupilsPerHour)
        found.push({ rule: 'pupils_per_hour', ...by, window: hourKey, observed: c.hour });
      if (rules.pupilsPerDay > 0 && c.day > rules.pupilsPerDay)
        found.push({ rule: 'pupils_per_day', ...by, window: dayKey, observed: c.day });
      if (rules.refusalsPerHour > 0 && c.refusals >= rules.refusalsPerHour)
        found.push({ rule: 'refusals', ...by, window: hourKey, observed: c.refusals });
      if (rules.exportsPerDay > 0 && c.exports >= rules.exportsPerDay)
        found.push({ rule: 'exports', ...by, window: dayKey, observed: c.exports });
    }
    // Pupils a teacher does not teach, opened only through a wide grant (wide-grant.ts): staff's
    // own groups, so never a trust member's (whose every read is under a school's grant).
    const wide = rules.wideGrantPupilsPerDay ?? 0;
    if (wide > 0 && members.length > 0)
      for (const [member, n] of await wideGrantCounts(q, schoolId, members, daySeq, headSeq, OPENS))
        if (n >= wide)
          found.push({ rule: 'wide_grant', actor: 'staff', member, window: dayKey, observed: n });
  }
  // Records opened outside the school's hours.
  if (rules.schoolHours) {
    const late = new Map<string, number>();
    for (const e of fresh) {
      if (!(OPENS as string[]).includes(e.action)) continue;
      if (outsideHours(londonTime(new Date(e.at)), rules.schoolHours))
        late.set(e.who, (late.get(e.who) ?? 0) + 1);
    }
    for (const [who, n] of late)
      found.push({ rule: 'out_of_hours', ...fromKey(who), window: dayKey, observed: n });
  }
  // An administrator changing their own access: their own groups, or a group they belong to.
  // Lantern refuses it (issue 11), so what is seen is the refused attempt; a change that went
  // through some other way is caught too.
  // Staff's alone: a trust member has no groups in the school.
  const own = fresh.filter(
    (e) =>
      e.actor_id !== null &&
      [
        'access.own_change_refused',
        'user.groups_changed',
        'group.updated',
        'group.category_access_changed',
      ].includes(e.action),
  );
  for (const e of own) {
    // A refused attempt is one the server already found to be the member's own access.
    const self =
      e.action === 'access.own_change_refused'
        ? true
        : e.target_type === 'user'
          ? e.target_id === e.actor_id
          : e.target_type === 'group' &&
            (
              await q.query(
                `SELECT 1 FROM staff_group_members WHERE user_id = $1 AND group_id::text = $2`,
                [e.actor_id, e.target_id],
              )
            ).length > 0;
    if (self)
      found.push({
        rule: 'own_access',
        actor: 'staff',
        member: e.actor_id!,
        window: `entry-${e.seq}`,
        observed: 1,
      });
  }

  const raised: Found[] = [];
  const alerted = new Set<string>();
  // The breach register's holders (the DPO) are told too: a signal may be a breach, and the 72
  // hours to report one run from when the school became aware of it.
  const holders = found.length > 0 ? await registerHolders(q) : [];
  for (const f of found) {
    const column = f.actor === 'staff' ? 'member_id' : 'trust_member_id';
    const [row] = await q.query<{ id: string }>(
      `INSERT INTO access_signals (id, school_id, rule, ${column}, window_key, observed, raised_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (school_id, rule, ${column}, window_key) DO NOTHING RETURNING id`,
      [randomUUID(), schoolId, f.rule, f.member, f.window, f.observed, now],
    );
    if (!row) continue;
    raised.push(f);
    const to = await raiseAlerts(
      q,
      schoolId,
      now,
      f.actor === 'staff'
        ? {
            // The wide-grant rule has its own kind, so the alert itself names the rule.
            kind: f.rule === 'wide_grant' ? 'unusual_access_wide_grant' : 'unusual_access',
            targetType: 'user',
            targetId: f.member,
            userIds: holders,
            groups: ['dsl_team', 'headteacher'],
            exclude: f.member,
          }
        : {
            // A trust member is no user of the school: the alert points at the signal, which
            // names them and their trust (signalsNamed), and they are never among its recipients.
            kind: 'unusual_access_trust',
            targetType: 'access_signal',
            targetId: row.id,
            userIds: holders,
            groups: ['dsl_team', 'headteacher'],
          },
    );
    for (const id of to) alerted.add(id);
    await t.audit({
      action: 'audit.unusual_access',
      targetType: f.actor === 'staff' ? 'user' : 'trust_member',
      targetId: f.member,
      details: { rule: f.rule, observed: f.observed, signal: row.id },
    });
  }
  await save(headSeq);
  return { raised, alerted: [...alerted] };
}
