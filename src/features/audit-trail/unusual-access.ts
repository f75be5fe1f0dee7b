// Unusual access (issue 20): a scan of each school's audit trail, a few minutes behind it, that
// notices a member opening many pupils' records in an hour or a day, opening records outside the
// school's hours, being refused repeatedly, exporting in bulk, or an administrator changing their
// own access. Each trip of a rule is a signal (access_signals), raised once per member per rule per
// window, which alerts the DSL team and the headteacher (never the member) and is audited.
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
import { EVENT_LABELS } from './labels.ts';

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
  return raw !== undefined && Value.Check(UnusualAccessRules, raw) ? raw : DEFAULT_UNUSUAL_ACCESS;
}

type Mark = [at: string, seq: number];
type Found = { rule: UnusualRule; member: string; window: string; observed: number };

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
  const fresh = await q.query<{
    seq: number;
    at: Date;
    actor_id: string;
    action: string;
    target_type: string | null;
    target_id: string | null;
  }>(
    `SELECT seq, at, actor_id, action, target_type, target_id FROM audit_events
     WHERE school_id = $1 AND seq > $2 AND seq <= $3 AND actor_id IS NOT NULL ORDER BY seq`,
    [schoolId, from, headSeq],
  );
  const members = [...new Set(fresh.map((e) => e.actor_id))];
  const found: Found[] = [];
  const hourKey = now.toISOString().slice(0, 13);
  const dayKey = englandDay(now);
  if (members.length > 0) {
    const daySeq = seqSince(marks, nowMs - 24 * HOUR, from);
    const hourSeq = seqSince(marks, nowMs - HOUR, from);
    // Distinct pupils opened per member in the last day and hour, through whatever was opened.
    const counts = await q.query<{
      actor_id: string;
      hour: number;
      day: number;
      refusals: number;
      exports: number;
    }>(
      `WITH ev AS (
         SELECT e.seq, e.actor_id, e.action, e.target_type, e.target_id FROM audit_events e
         WHERE e.school_id = $1 AND e.actor_id = ANY($2::uuid[]) AND e.seq > $3 AND e.seq <= $8),
       opened AS (
         SELECT ev.actor_id, ev.seq, p.pupil_id FROM ev CROSS JOIN LATERAL (
           SELECT ev.target_id AS pupil_id WHERE ev.target_type = 'pupil'
           -- Keys compared as uuids (the audit side cast, only for its own kind of target), so
           -- each look-up uses the table's index.
           UNION ALL SELECT cp.pupil_id::text FROM concern_pupils cp
             WHERE cp.school_id = $1
               AND cp.concern_id = CASE WHEN ev.target_type = 'concern' THEN ev.target_id::uuid END
           UNION ALL SELECT c.pupil_id::text FROM cases c
             WHERE c.id = CASE WHEN ev.target_type = 'case' THEN ev.target_id::uuid END
           UNION ALL SELECT r.pupil_id::text FROM referrals r
             WHERE r.id = CASE WHEN ev.target_type = 'referral' THEN ev.target_id::uuid END
           UNION ALL SELECT cp.pupil_id::text FROM attachments a
             JOIN concern_pupils cp ON cp.school_id = a.school_id AND cp.concern_id = a.concern_id
             WHERE a.id = CASE WHEN ev.target_type = 'attachment' THEN ev.target_id::uuid END) p
         WHERE ev.action = ANY($4::text[]))
       SELECT m.actor_id,
         (SELECT count(DISTINCT pupil_id) FROM opened o WHERE o.actor_id = m.actor_id AND o.seq > $5)::int AS hour,
         (SELECT count(DISTINCT pupil_id) FROM opened o WHERE o.actor_id = m.actor_id)::int AS day,
         (SELECT count(*) FROM ev WHERE ev.actor_id = m.actor_id AND ev.seq > $5 AND ev.action = ANY($6::text[]))::int AS refusals,
         (SELECT count(*) FROM ev WHERE ev.actor_id = m.actor_id AND ev.action = ANY($7::text[]))::int AS exports
       FROM unnest($2::uuid[]) m(actor_id)`,
      [schoolId, members, daySeq, OPENS, hourSeq, ofKind('refusal'), ofKind('export'), headSeq],
    );
    for (const c of counts) {
      if (rules.pupilsPerHour > 0 && c.hour > rules.pupilsPerHour)
        found.push({
          rule: 'pupils_per_hour',
          member: c.actor_id,
          window: hourKey,
          observed: c.hour,
        });
      if (rules.pupilsPerDay > 0 && c.day > rules.pupilsPerDay)
        found.push({ rule: 'pupils_per_day', member: c.actor_id, window: dayKey, observed: c.day });
      if (rules.refusalsPerHour > 0 && c.refusals >= rules.refusalsPerHour)
        found.push({ rule: 'refusals', member: c.actor_id, window: hourKey, observed: c.refusals });
      if (rules.exportsPerDay > 0 && c.exports >= rules.exportsPerDay)
        found.push({ rule: 'exports', member: c.actor_id, window: dayKey, observed: c.exports });
    }
  }
  // Records opened outside the school's hours.
  if (rules.schoolHours) {
    const late = new Map<string, number>();
    for (const e of fresh) {
      if (!(OPENS as string[]).includes(e.action)) continue;
      if (outsideHours(londonTime(new Date(e.at)), rules.schoolHours))
        late.set(e.actor_id, (late.get(e.actor_id) ?? 0) + 1);
    }
    for (const [member, n] of late)
      found.push({ rule: 'out_of_hours', member, window: dayKey, observed: n });
  }
  // An administrator changing their own access: their own groups, or a group they belong to.
  // Lantern refuses it (issue 11), so what is seen is the refused attempt; a change that went
  // through some other way is caught too.
  const own = fresh.filter((e) =>
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
      found.push({ rule: 'own_access', member: e.actor_id, window: `entry-${e.seq}`, observed: 1 });
  }

  const raised: Found[] = [];
  const alerted = new Set<string>();
  for (const f of found) {
    const [row] = await q.query<{ id: string }>(
      `INSERT INTO access_signals (id, school_id, rule, member_id, window_key, observed, raised_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (school_id, rule, member_id, window_key) DO NOTHING RETURNING id`,
      [randomUUID(), schoolId, f.rule, f.member, f.window, f.observed, now],
    );
    if (!row) continue;
    raised.push(f);
    const to = await raiseAlerts(q, schoolId, now, {
      kind: 'unusual_access',
      targetType: 'user',
      targetId: f.member,
      userIds: [],
      groups: ['dsl_team', 'headteacher'],
      exclude: f.member,
    });
    for (const id of to) alerted.add(id);
    await t.audit({
      action: 'audit.unusual_access',
      targetType: 'user',
      targetId: f.member,
      details: { rule: f.rule, observed: f.observed, signal: row.id },
    });
  }
  await save(headSeq);
  return { raised, alerted: [...alerted] };
}
