// Chasing a transfer (issue 18): while a file with a known destination has no receipt, the
// sending DSL team is reminded on the due day and on every school day after, and once it is two
// school days overdue the headteacher is told too (once). Each reminder is recorded on the
// transfer (so no day is reminded twice, whichever process runs the job) and audited; emails say
// only that there is something to look at. Run by the minute job under its lease
// (jobs/due-work.ts), in each school as 'Lantern (scheduled)'.
import type { SchoolTx } from '../../core/context.ts';
import type { Services } from '../../platform/services.ts';
import { loadSchoolCalendar } from '../../core/calendar.ts';
import { addSchoolDays, isSchoolDay } from '../../shared/calendar.ts';
import { ALERT_TEAM_GROUPS } from '../../shared/alert-teams.ts';
import type { ClockRule } from '../../shared/schemas/transfers.ts';
import { membersOfStaffGroups } from '../alerts/recipients.ts';
import { queueAlertEmails } from '../alerts/email.ts';
import { transferClock } from './clock.ts';
import { englandToday } from './open.ts';

/** School days past the due day after which the headteacher is told. */
export const ESCALATE_AFTER_SCHOOL_DAYS = 2;

export async function chaseTransfers(
  t: SchoolTx,
  services: Pick<Services, 'config' | 'log' | 'mailer'>,
): Promise<{ reminded: number; escalated: number }> {
  const live = await t.q<{
    id: string;
    leaving_on: string;
    destination_set_on: string;
    clock_rule: ClockRule;
    last_reminded_on: string | null;
    escalated: boolean;
  }>(
    `SELECT id, leaving_on::text, destination_set_on::text, clock_rule,
       last_reminded_on::text, escalated_at IS NOT NULL AS escalated
     FROM transfers x WHERE state IN ('draft', 'sent', 'viewed') AND destination_urn IS NOT NULL`,
  );
  if (live.length === 0) return { reminded: 0, escalated: 0 };
  const cal = await loadSchoolCalendar(t.db, t.schoolId);
  const today = englandToday(t.now);
  // Reminders come on the due day and school days after it (never at a weekend or in a holiday).
  if (!isSchoolDay(today, cal)) return { reminded: 0, escalated: 0 };
  let reminded = 0;
  let escalated = 0;
  for (const x of live) {
    const clock = transferClock(
      {
        leavingOn: x.leaving_on,
        destinationSetOn: x.destination_set_on,
        rule: x.clock_rule,
        today,
      },
      cal,
    );
    if (clock.dueOn === null || today < clock.dueOn || x.last_reminded_on === today) continue;
    const escalateOn = addSchoolDays(clock.dueOn, ESCALATE_AFTER_SCHOOL_DAYS, cal);
    const escalate = !x.escalated && escalateOn !== null && today >= escalateOn;
    // The claim: a second process finds the day already reminded and does nothing.
    const claimed = await t.q(
      `UPDATE transfers SET last_reminded_on = $2,
         escalated_at = CASE WHEN $3 THEN $4::timestamptz ELSE escalated_at END
       WHERE id = $1 AND last_reminded_on IS DISTINCT FROM $2::date RETURNING id`,
      [x.id, today, escalate, t.now],
    );
    if (claimed.length === 0) continue;
    const groups = escalate
      ? [...ALERT_TEAM_GROUPS.dsl_team, ...ALERT_TEAM_GROUPS.headteacher]
      : ALERT_TEAM_GROUPS.dsl_team;
    await queueAlertEmails(t, services, await membersOfStaffGroups(t.db, groups));
    await t.audit({
      action: 'transfer.reminded',
      targetType: 'transfer',
      targetId: x.id,
      details: { dueOn: clock.dueOn, escalated: escalate },
    });
    reminded += 1;
    if (escalate) escalated += 1;
  }
  return { reminded, escalated };
}
