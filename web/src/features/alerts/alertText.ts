// How an alert reads in the app (issue 14). An alert about a concern the viewer may read says whom
// it is about (as the server lets them see the pupils), its categories, who logged it and when;
// otherwise only what kind of thing is waiting. Each link's text carries the pupils and the time,
// so no two alerts' links read alike. Emails never carry any of this (the server's email says only
// that there is something to look at).
import type { AlertKind, AlertView } from '../../../../src/shared/schemas/alerts.ts';
import { formatWhen } from '../../lib/format.ts';

const ALERT_TEXT: Record<string, string> = {
  concern: 'A concern you are asked to look at',
  escalation: 'Escalated to you: not yet acknowledged by the DSL team',
  referral_overdue: 'A referral has had no response in the expected time',
  action_reminder: 'An action is due',
  access_request: 'A change to record access is waiting for your approval',
  mis_run_held: 'An MIS import is held: it would archive many pupils or staff',
  unusual_access: 'Unusual access to records by a member of staff',
  dp_request_due: 'A rights request is due within the week',
  dp_request_overdue: 'A rights request is overdue',
  dp_breach_drafted: 'Lantern has opened a draft breach for you to review',
  pupil_pattern: 'A pupil’s records match one of the school’s patterns',
  transfer_received: 'A child-protection file has arrived from another school',
  unusual_access_wide_grant:
    'A member of staff opened records of pupils they do not teach, through a wide grant',
  staff_concern_new: 'A concern about an adult is waiting for your triage',
  staff_concern_lado_due: 'A LADO deadline is near: the LADO contact is not yet recorded',
  staff_concern_lado_overdue: 'A LADO deadline has passed without a recorded contact',
  unusual_access_trust: 'Unusual access to records by a member of the trust',
} satisfies Record<AlertKind, string>;

export function alertLink(a: AlertView): string | null {
  if (a.targetType === 'concern') return `/concerns/${a.targetId}`;
  if (a.targetType === 'referral') return `/referrals/${a.targetId}`;
  if (a.targetType === 'case') return `/cases/${a.targetId}`;
  if (a.targetType === 'access_request') return '/admin/access-requests';
  if (a.targetType === 'mis_sync_run') return '/admin/mis';
  if (a.targetType === 'pupil') return `/pupils/${a.targetId}`;
  if (a.targetType === 'user') return `/audit?person=${encodeURIComponent(a.targetId)}`;
  if (a.targetType === 'dp_request') return `/data-protection/requests/${a.targetId}`;
  // The breach register is one page (no page per breach yet): the draft is at its top.
  if (a.targetType === 'dp_breach') return '/data-protection/breaches';
  if (a.targetType === 'transfer_inbox') return `/transfers/inbox/${a.targetId}`;
  if (a.targetType === 'staff_concern') return `/staff-concerns/${a.targetId}`;
  if (a.targetType === 'access_signal') return '/audit#unusual-heading';
  return null;
}

/** "Sam Smith", "Sam Smith and Jo Bloggs", "Sam Smith, Jo Bloggs and Another pupil". */
function names(list: readonly string[]): string {
  if (list.length <= 1) return list[0] ?? '';
  return `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
}

/** The alert's title: whom it is about when the server said, else the kind of thing waiting. */
export function alertTitle(a: AlertView): string {
  const kind = ALERT_TEXT[a.kind] ?? 'Something to look at';
  // Issue 20: a trust member's unusual access names them, their role and trust.
  if (a.signal) return `Unusual access: trust member ${a.signal.member} ${a.signal.what}`;
  if (!a.about || a.about.pupils.length === 0) return kind;
  const who = names(a.about.pupils.map((p) => p.name));
  return a.kind === 'escalation' ? `Escalated: concern about ${who}` : `Concern about ${who}`;
}

/** The link's whole text: the title and when the alert was sent (distinct for each alert). */
export function alertLinkText(a: AlertView): string {
  return `${alertTitle(a)}, alerted ${formatWhen(a.createdAt)}`;
}

/** The line under the title: categories, who logged it and when it happened. */
export function alertDetails(a: AlertView): string | null {
  if (!a.about) return null;
  const parts = [
    a.about.categories.join(', '),
    `logged by ${a.about.author}`,
    `happened ${formatWhen(a.about.happenedAt)}`,
  ].filter(Boolean);
  const line = parts.join(' · ');
  return line.charAt(0).toUpperCase() + line.slice(1);
}
