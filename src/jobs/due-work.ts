// The periodic in-process job: escalates DSL-team alerts nobody acknowledged in time (to deputies
// and the headteacher), alerts the DSL team once when a referral's response is overdue, sends
// action reminders, and ends (and audits) sessions that idled out or reached their lifetime.
// Runs per school through the door as 'Lantern (scheduled)'; `now` is passed in so tests drive it
// with a controllable clock, and the door's clock is stopped at it. Listing the schools is the one
// read that crosses tenants (school ids only), so it runs as the owner.
import type { Services } from '../platform/services.ts';
import {
  asSystem,
  SYSTEM_REASONS,
  unsafeAsOperator,
  type SchoolTx,
  type SystemContext,
} from '../core/context.ts';
import { raiseAlerts } from '../features/alerts/service.ts';
import { ESCALATION_GROUPS, membersOfStaffGroups } from '../features/alerts/recipients.ts';
import { queueAlertEmails, sendQueuedMailSoon } from '../features/alerts/email.ts';
import { endLapsedSessions } from '../features/identity/session-sweep.ts';
import { runRetentionSweep } from './retention-sweep.ts';
import { runDueDeletions } from '../features/school-exit/delete.ts';
import { runTransferChase } from './transfer-chase.ts';
import { runKeptCopyExpiry } from './transfer-kept-expiry.ts';
import { runPlanReminders } from './medical-reminders.ts';
import { runConsentReminders } from './consent-reminders.ts';
import { runParentReminders } from './parent-reminders.ts';
import { LEASE_MS, runLeased, type JobName } from '../platform/jobs/lease.ts';
import { runAuditCheck, runRequestAlerts } from './data-protection.ts';
import { runLadoAlerts, runStaffMatterSweep } from './staff-concerns.ts';

export type DueWorkResult = { escalated: number; overdueReferrals: number; reminders: number };

/** One school, as the scheduled job, at the job's `now`. */
function scheduled(services: Services, schoolId: string, now: Date): SystemContext {
  const at = { db: services.db, keys: services.keys, clock: { now: () => now } };
  return asSystem(at, schoolId, 'scheduled');
}

/** Every school's id: the one cross-tenant read, so as the owner (no audit entry). */
async function allSchoolIds(services: Services): Promise<string[]> {
  const rows = await unsafeAsOperator(services, SYSTEM_REASONS.scheduled, (t) =>
    t.q<{ id: string }>('SELECT id FROM schools ORDER BY id'),
  );
  return rows.map((r) => r.id);
}

export async function runDueWork(
  services: Services,
  now: Date,
  only?: readonly string[],
): Promise<DueWorkResult> {
  const total: DueWorkResult = { escalated: 0, overdueReferrals: 0, reminders: 0 };
  for (const id of only ?? (await allSchoolIds(services))) {
    const { result } = await scheduled(services, id, now).tx(async (t) => {
      const done = await schoolWork(t);
      await queueAlertEmails(t, services, done.alerted);
      return done;
    });
    total.escalated += result.escalated;
    total.overdueReferrals += result.overdueReferrals;
    total.reminders += result.reminders;
  }
  sendQueuedMailSoon(services);
  return total;
}

async function schoolWork(t: SchoolTx) {
  const { db: q, schoolId, now } = t;
  const alerted: string[] = [];
  const result: DueWorkResult = { escalated: 0, overdueReferrals: 0, reminders: 0 };
  const audit = (
    action: 'alert.escalated' | 'referral.overdue' | 'action.reminded',
    type: string,
    id: string,
  ) => t.audit({ action, targetType: type, targetId: id });

  // 1. DSL-team alerts past their escalation time, where nobody in the team has acknowledged.
  const due = await q.query<{ target_type: 'concern' | 'referral' | 'action'; target_id: string }>(
    `SELECT DISTINCT a.target_type, a.target_id FROM alerts a
     WHERE a.escalate_at <= $1 AND a.acknowledged_at IS NULL AND a.escalated_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM alerts b WHERE b.target_id = a.target_id
                        AND b.escalate_at IS NOT NULL AND b.acknowledged_at IS NOT NULL)`,
    [now],
  );
  const escalateTo = await membersOfStaffGroups(q, ESCALATION_GROUPS);
  for (const d of due) {
    // The claim: another process's run that escalated this meanwhile leaves nothing to update
    // (the row lock makes this UPDATE wait for it and then see its escalated_at), so no target
    // is escalated, alerted or audited twice.
    const claimed = await q.query(
      `UPDATE alerts SET escalated_at = $3 WHERE target_type = $1 AND target_id = $2
         AND escalate_at IS NOT NULL AND escalated_at IS NULL RETURNING id`,
      [d.target_type, d.target_id, now],
    );
    if (claimed.length === 0) continue;
    alerted.push(
      ...(await raiseAlerts(q, schoolId, now, {
        kind: 'escalation',
        targetType: d.target_type,
        targetId: d.target_id,
        userIds: escalateTo,
        groups: [],
      })),
    );
    await audit('alert.escalated', d.target_type, d.target_id);
    result.escalated++;
  }

  // 2. Referrals whose expected response time has passed with no response: alert the DSL team once.
  const overdue = await q.query<{ id: string }>(
    `UPDATE referrals SET overdue_alerted_at = $1
     WHERE due_at <= $1 AND responded_at IS NULL AND closed_at IS NULL AND overdue_alerted_at IS NULL
     RETURNING id`,
    [now],
  );
  for (const r of overdue) {
    alerted.push(
      ...(await raiseAlerts(q, schoolId, now, {
        kind: 'referral_overdue',
        targetType: 'referral',
        targetId: r.id,
        userIds: [],
        groups: ['dsl_team'],
      })),
    );
    await audit('referral.overdue', 'referral', r.id);
    result.overdueReferrals++;
  }

  // 3. Action reminders.
  const remind = await q.query<{ id: string; assignee_id: string }>(
    `UPDATE actions SET reminded_at = $1
     WHERE remind_at <= $1 AND reminded_at IS NULL AND completed_at IS NULL
       AND cancelled_at IS NULL
     RETURNING id, assignee_id`,
    [now],
  );
  for (const a of remind) {
    alerted.push(
      ...(await raiseAlerts(q, schoolId, now, {
        kind: 'action_reminder',
        targetType: 'action',
        targetId: a.id,
        userIds: [a.assignee_id],
        groups: [],
      })),
    );
    await audit('action.reminded', 'action', a.id);
    result.reminders++;
  }
  return { result, alerted };
}

/**
 * Ends and audits every lapsed session (features/identity/session-sweep.ts) in each school, or only in
 * the schools given (tests, which share a PostgreSQL database with other test files running at
 * the same time, sweep only their own). Separate from runDueWork so a test driving the alert
 * work at a chosen time does not end other schools' sessions.
 */
export async function sweepLapsedSessions(
  services: Services,
  now: Date,
  only?: readonly string[],
): Promise<number> {
  const ids = only ?? (await allSchoolIds(services));
  let ended = 0;
  for (const id of ids) {
    ended += await scheduled(services, id, now).tx(endLapsedSessions);
  }
  return ended;
}

/** A run's lease, renewed while it lasts (platform/jobs/lease.ts). */
const MINUTE_LEASE_MS = LEASE_MS;

/**
 * One run of the minute job: the due work, the session sweep and the retention sweep, each run by
 * one process at a time and about once per `everyMs` across all processes sharing the database
 * (platform/jobs/lease.ts), each failure logged without its message (it may quote a value).
 * `only` limits the run to some schools (tests sharing a database with other tests).
 */
export async function runMinuteJob(
  services: Services,
  now: Date,
  opts: { everyMs?: number; only?: readonly string[] } = {},
): Promise<void> {
  // A little under the period, so a process whose timer fires a moment early is not skipped.
  const everyMs = Math.floor((opts.everyMs ?? 60_000) * 0.8);
  const lease = (job: JobName) => ({ job, leaseMs: MINUTE_LEASE_MS, everyMs });
  const fail = (what: string) => () => services.log.error(`${what} failed; will retry`);
  const { db } = services;
  const only = opts.only;
  await runLeased(db, lease('due_work'), () => runDueWork(services, now, only)).catch(
    fail('due work'),
  );
  await runLeased(db, lease('session_sweep'), () => sweepLapsedSessions(services, now, only)).catch(
    fail('session sweep'),
  );
  // Once a day per school (issue 15); a school swept today costs one read.
  await runLeased(db, lease('retention_sweep'), () => runRetentionSweep(services, now, only)).catch(
    fail('retention sweep'),
  );
  // Issue 15: a leaving school's deletion, once its scheduled day has come; none due costs a read.
  await runLeased(db, lease('school_deletions'), () => runDueDeletions(services, now, only)).catch(
    fail('school deletions'),
  );
  // Issue 18: reminders for child-protection files without a receipt; a day reminded costs a read.
  await runLeased(db, lease('transfer_chase'), () => runTransferChase(services, now, only)).catch(
    fail('transfer chase'),
  );
  // Issue 18: kept copies of transferred files past their keep-until date, removed once every 24 hours (from when the process first runs it, not at a set hour).
  await runLeased(
    db,
    { job: 'transfer_kept_expiry', leaseMs: MINUTE_LEASE_MS, everyMs: 24 * 3_600_000 },
    () => runKeptCopyExpiry(services, now, only),
  ).catch(fail('kept copy expiry'));
  // Issue 21: healthcare and action plans' expiry reminders to parents; a date reminded costs a read.
  await runLeased(db, lease('plan_reminders'), () => runPlanReminders(services, now, only)).catch(
    fail('plan reminders'),
  );
  // Issue 21: consent forms not yet answered, reminded weekly; a pair reminded costs a read.
  await runLeased(db, lease('consent_reminders'), () =>
    runConsentReminders(services, now, only),
  ).catch(fail('consent reminders'));
  // Issue 21: parents' invitation reminders (5 days, then weekly, at most 4).
  await runLeased(db, lease('parent_reminders'), () =>
    runParentReminders(services, now, only),
  ).catch(fail('parent reminders'));
  // The DPO's alerts (issue 17); the audit chains verified once a day, a broken one drafting a breach.
  await runLeased(db, lease('dp_request_alerts'), () =>
    runRequestAlerts(services, now, only),
  ).catch(fail('data-protection alerts'));
  // Issue 19: the LADO clocks nearing their deadline and overdue, alerted once each.
  await runLeased(db, lease('lado_alerts'), () => runLadoAlerts(services, now, only)).catch(
    fail('LADO alerts'),
  );
  // Issue 19: matters past their retention date, marked for the area's own review once a day.
  await runLeased(db, lease('staff_matter_sweep'), () =>
    runStaffMatterSweep(services, now, only),
  ).catch(fail('staff-matters retention sweep'));
  await runLeased(
    db,
    { job: 'audit_check', leaseMs: MINUTE_LEASE_MS, everyMs: 24 * 3_600_000 },
    () => runAuditCheck(services, now, only),
  ).catch(fail('audit check'));
}

/**
 * Starts the job every `everyMs` on the services' clock; returns a stop function that resolves
 * once a run in progress has finished (so its lease is released before the database closes).
 */
export function startDueWork(services: Services, everyMs = 60_000): () => Promise<void> {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = runMinuteJob(services, services.clock.now(), { everyMs }).finally(() => {
      running = null;
    });
  }, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
