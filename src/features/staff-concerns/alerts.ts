// The case manager's alerts in this area (issue 19): a new matter, a LADO clock nearing its
// deadline, and one overdue. What this protects: an alert is an id and a kind, yet even that tells
// its reader a matter exists, so it goes only to the active members of the matter's own team
// (policy.ts's TEAM_GROUPS) and NEVER to the person the matter names (nor to whoever raised it:
// they have their receipt). Emails say only that there is something to look at (alerts/email.ts).
// Audited under the area's own action, so the school's audit explorer never shows it.
// To change safely: keep every recipient list going through `caseManagers`.
import type { SchoolTx } from '../../core/context.ts';
import { abilitiesWhenElevated } from '../../core/access/actor.ts';
import { loadPermissions } from '../../core/access/load.ts';
import type { Services } from '../../platform/services.ts';
import type { RoutedTo } from '../../shared/schemas/staff-concerns.ts';
import { raiseAlerts } from '../alerts/service.ts';
import { queueAlertEmails } from '../alerts/email.ts';
import { TEAM_GROUPS } from './policy.ts';
import { settingsOf } from './settings.ts';

type AlertKind = 'staff_concern_new' | 'staff_concern_lado_due' | 'staff_concern_lado_overdue';

/**
 * The active members of the matter's team who may read the area, less the person it names and
 * the raiser.
 */
async function caseManagers(
  t: SchoolTx,
  routedTo: RoutedTo,
  leaveOut: readonly (string | null)[],
): Promise<string[]> {
  const rows = await t.q<{ user_id: string }>(
    `SELECT DISTINCT m.user_id FROM staff_group_members m
     JOIN staff_groups g ON g.id = m.group_id JOIN users u ON u.id = m.user_id
     WHERE g.key = $1 AND u.disabled_at IS NULL ORDER BY m.user_id`,
    [TEAM_GROUPS[routedTo]],
  );
  const out: string[] = [];
  for (const { user_id: id } of rows) {
    if (leaveOut.includes(id)) continue;
    // The same rule as policy.ts's `mayRead`: a team member whose groups no longer grant the
    // area (the school took the capability away) is told nothing of its matters.
    if (abilitiesWhenElevated(await loadPermissions(t.db, id)).includes('staff_concerns.read'))
      out.push(id);
  }
  return out;
}

/** Alerts the matter's case managers (and queues their emails); returns whom. */
export async function alertCaseManagers(
  t: SchoolTx,
  services: Pick<Services, 'config' | 'log' | 'mailer'>,
  kind: AlertKind,
  m: { id: string; routedTo: RoutedTo; subjectUserId: string | null; raisedBy: string },
): Promise<string[]> {
  const to = await caseManagers(t, m.routedTo, [m.subjectUserId, m.raisedBy]);
  if (to.length === 0) return [];
  const alerted = await raiseAlerts(t.db, t.schoolId, t.now, {
    kind,
    targetType: 'staff_concern',
    targetId: m.id,
    userIds: to,
    groups: [],
    ...(m.subjectUserId !== null && { exclude: m.subjectUserId }),
  });
  if (alerted.length > 0) {
    await queueAlertEmails(t, services, alerted);
    await t.audit({
      action: 'staff_concerns.alerted',
      targetType: 'staff_concern',
      targetId: m.id,
      details: { kind, recipients: alerted },
    });
  }
  return alerted;
}

/**
 * The LADO clocks of one school: each matter whose LADO contact is not yet recorded is alerted
 * once when its deadline is within the school's warning (`ladoWarnHours`, 6 by default) and once
 * when it has passed. Run by the minute job as 'Lantern (scheduled)'. Returns whom it alerted.
 */
export async function alertLadoClocks(
  t: SchoolTx,
  services: Pick<Services, 'config' | 'log' | 'mailer'>,
): Promise<string[]> {
  const { warnHours } = await settingsOf(t);
  const alerted: string[] = [];
  for (const overdue of [true, false]) {
    const column = overdue ? 'lado_overdue_alerted_at' : 'lado_soon_alerted_at';
    const claimed = await t.q<{
      id: string;
      routed_to: RoutedTo;
      subject_user_id: string | null;
      raised_by: string;
    }>(
      `UPDATE staff_concerns s SET ${column} = $1
         ${overdue ? ', lado_soon_alerted_at = coalesce(s.lado_soon_alerted_at, $1)' : ''}
       WHERE s.lado_due_at IS NOT NULL AND s.${column} IS NULL AND s.removed_at IS NULL
         AND s.outcome IS NULL
         AND s.lado_due_at ${overdue ? '<= $1' : '<= $2'}
         AND NOT EXISTS (SELECT 1 FROM staff_concern_lado_contacts l
                         WHERE l.staff_concern_id = s.id)
       RETURNING s.id, s.routed_to, s.subject_user_id, s.raised_by`,
      overdue ? [t.now] : [t.now, new Date(t.now.getTime() + warnHours * 3_600_000)],
    );
    for (const r of claimed) {
      const to = await alertCaseManagers(
        t,
        services,
        overdue ? 'staff_concern_lado_overdue' : 'staff_concern_lado_due',
        {
          id: r.id,
          routedTo: r.routed_to,
          subjectUserId: r.subject_user_id,
          raisedBy: r.raised_by,
        },
      );
      alerted.push(...to);
    }
  }
  return alerted;
}
