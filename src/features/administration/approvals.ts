// Deciding on access requests (issue 11, finding 3). The approvers (core/access/approvers.ts: the
// DSL, deputies and the headteacher) see every request, pending first; administrators see them
// too and may withdraw a pending one. Approving applies the change in the same transaction as the
// decision, re-checked against the school as it is now; the approver is never the person who
// asked, nor the member who would join, nor a member of the group whose grants would grow.
// Deciding acknowledges the request's alerts for everyone it reached.
import type { Tx } from '../../core/context.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { can, needsStepUp } from '../../core/access/actor.ts';
import { stepUpRequired } from '../../core/access/step-up.ts';
import { isAccessApprover } from '../../core/access/approvers.ts';
import type { CategoryAccess } from '../../core/access/permissions.ts';
import type { AccessRequestView } from '../../shared/schemas/administration.ts';
import {
  applyApprovedGroupChange,
  applyCategoryAccess,
  type GroupInput,
  type PendingGroupChange,
} from './groups.ts';
import { applyMembership } from './users.ts';
import { settleAlerts } from './approval-requests.ts';

type Row = {
  id: string;
  kind: AccessRequestView['kind'];
  reason: AccessRequestView['reason'];
  status: AccessRequestView['status'];
  user_id: string | null;
  user_name: string | null;
  group_id: string;
  group_name: string;
  category_id: string | null;
  category_name: string | null;
  change: Record<string, unknown>;
  requested_by: string;
  requested_by_name: string;
  requested_at: Date;
  decided_by: string | null;
  decided_by_name: string | null;
  decided_at: Date | null;
  approver_in_group: boolean;
  group_restricted_default: string;
  group_scope_kind: string;
  group_scope_year_groups: string[];
  group_capabilities: string[];
  group_non_restricted_default: string;
};

const SELECT = `
  SELECT r.id, r.kind, r.reason, r.status, r.user_id, mu.name AS user_name, r.group_id,
         g.name AS group_name, r.category_id, k.name AS category_name, r.change, r.requested_by,
         ru.name AS requested_by_name, r.requested_at, r.decided_by, du.name AS decided_by_name,
         r.decided_at,
         EXISTS (SELECT 1 FROM staff_group_members m WHERE m.group_id = r.group_id AND m.user_id = $1)
           AS approver_in_group,
         g.restricted_default AS group_restricted_default, g.scope_kind AS group_scope_kind,
         g.scope_year_groups AS group_scope_year_groups, g.capabilities AS group_capabilities,
         g.non_restricted_default AS group_non_restricted_default
  FROM access_requests r
  JOIN staff_groups g ON g.id = r.group_id
  JOIN users ru ON ru.id = r.requested_by
  LEFT JOIN users mu ON mu.id = r.user_id
  LEFT JOIN users du ON du.id = r.decided_by
  LEFT JOIN categories k ON k.id = r.category_id`;

const ACCESS_WORDS: Record<string, string> = {
  none: 'no access',
  add: 'may add',
  view: 'may view',
  inherit: "the group's default",
};
const SCOPE_WORDS: Record<string, string> = {
  school: 'the whole school',
  year_groups: 'chosen year groups',
  own_groups: 'pupils they teach',
};

/** A group request's changes, as a person reads them ("Restricted categories: no access → may view"). */
function groupChanges(r: Row): string[] {
  const c = r.change as Partial<GroupInput>;
  const out: string[] = [];
  const line = (label: string, from: string, to: string | undefined) => {
    if (to !== undefined && from !== to) out.push(`${label}: ${from} → ${to}`);
  };
  line(
    'Restricted categories',
    ACCESS_WORDS[r.group_restricted_default] ?? r.group_restricted_default,
    c.restrictedDefault && ACCESS_WORDS[c.restrictedDefault],
  );
  line(
    'Other categories',
    ACCESS_WORDS[r.group_non_restricted_default] ?? r.group_non_restricted_default,
    c.nonRestrictedDefault && ACCESS_WORDS[c.nonRestrictedDefault],
  );
  const scopeText = (kind: string, years: readonly string[]) =>
    kind === 'year_groups' ? years.join(', ') || SCOPE_WORDS[kind]! : (SCOPE_WORDS[kind] ?? kind);
  if (c.scope) {
    line(
      'Whose records',
      scopeText(r.group_scope_kind, r.group_scope_year_groups),
      scopeText(c.scope.kind, c.scope.yearGroups ?? []),
    );
  }
  if (c.capabilities) {
    line(
      'Capabilities',
      [...r.group_capabilities].sort().join(', ') || 'none',
      [...c.capabilities].sort().join(', ') || 'none',
    );
  }
  return out;
}

/** Why this approver may not approve this request, or null. */
function refusal(t: Tx, r: Row): string | null {
  if (r.requested_by === t.actor.userId) {
    return 'You asked for this change, so someone else must approve it.';
  }
  if (r.user_id === t.actor.userId) {
    return 'This change would give you access, so someone else must approve it.';
  }
  if (r.kind !== 'membership' && r.approver_in_group) {
    return 'You belong to this group, so someone else must approve a change to what it sees.';
  }
  return null;
}

function present(t: Tx, r: Row, approver: boolean, admin: boolean): AccessRequestView {
  const pending = r.status === 'pending';
  const why = approver ? refusal(t, r) : null;
  return {
    id: r.id,
    kind: r.kind,
    reason: r.reason,
    status: r.status,
    group: { id: r.group_id, name: r.group_name },
    member: r.user_id ? { id: r.user_id, name: r.user_name ?? '' } : null,
    category: r.category_id ? { id: r.category_id, name: r.category_name ?? '' } : null,
    access:
      r.kind === 'category_access' && typeof r.change.access === 'string' ? r.change.access : null,
    changes: r.kind === 'group' ? groupChanges(r) : [],
    requestedBy: { id: r.requested_by, name: r.requested_by_name },
    requestedAt: r.requested_at.toISOString(),
    decidedBy: r.decided_by ? { id: r.decided_by, name: r.decided_by_name ?? '' } : null,
    decidedAt: r.decided_at?.toISOString() ?? null,
    allowed: {
      approve: pending && approver && why === null,
      decline: pending && approver && r.requested_by !== t.actor.userId,
      withdraw: pending && admin,
    },
    approveRefusal: pending ? why : null,
  };
}

const mayNotSee = () =>
  new DomainError(
    'forbidden',
    'not_approver',
    'Only the DSL, a deputy DSL, the headteacher or an administrator can see access requests.',
  );

/**
 * Who is looking, and whether they may look at all: refused outright unless an approver or an
 * administrator (once elevated); asked for a second factor when they would be one.
 */
async function viewer(t: Tx) {
  const approver = await isAccessApprover(t.db, t.actor.userId);
  if (!approver && !can(t.actor, 'admin') && !needsStepUp(t.actor, 'admin')) throw mayNotSee();
  if (!t.actor.elevated) throw stepUpRequired();
  return { approver, admin: can(t.actor, 'admin') };
}

/** Approvers only (refused outright otherwise), and only once elevated. */
async function requireApprover(t: Tx) {
  if (!(await isAccessApprover(t.db, t.actor.userId))) throw notApprover();
  if (!t.actor.elevated) throw stepUpRequired();
}

/** Pending requests first (oldest first), then the last 50 decided. */
export async function listAccessRequests(t: Tx): Promise<AccessRequestView[]> {
  const who = await viewer(t);
  const pending = await t.q<Row>(
    `${SELECT} WHERE r.status = 'pending' ORDER BY r.requested_at, r.id`,
    [t.actor.userId],
  );
  const decided = await t.q<Row>(
    `${SELECT} WHERE r.status <> 'pending' ORDER BY r.decided_at DESC, r.id LIMIT 50`,
    [t.actor.userId],
  );
  return [...pending, ...decided].map((r) => present(t, r, who.approver, who.admin));
}

async function pendingRequest(t: Tx, id: string): Promise<Row> {
  const [r] = await t.q<Row>(`${SELECT} WHERE r.id = $2 FOR UPDATE OF r`, [t.actor.userId, id]);
  if (!r) throw notFound('That access request');
  if (r.status !== 'pending') {
    throw new DomainError(
      'conflict',
      'already_decided',
      `That request was already ${r.status === 'superseded' ? 'replaced by a newer one' : r.status}.`,
    );
  }
  return r;
}

async function decide(t: Tx, r: Row, status: 'approved' | 'declined' | 'withdrawn') {
  await t.q(
    `UPDATE access_requests SET status = $2, decided_by = $3, decided_at = $4 WHERE id = $1`,
    [r.id, status, t.actor.userId, t.now],
  );
  await settleAlerts(t, r.id);
  await t.audit({
    action: `access.${status}`,
    targetType: 'access_request',
    targetId: r.id,
    details: { kind: r.kind, requestedBy: r.requested_by },
  });
}

const notApprover = () =>
  new DomainError(
    'forbidden',
    'not_approver',
    'Only the DSL, a deputy DSL or the headteacher can approve or decline access requests.',
  );

export async function approveAccessRequest(t: Tx, id: string): Promise<AccessRequestView> {
  await requireApprover(t);
  const r = await pendingRequest(t, id);
  const why = refusal(t, r);
  if (why) throw new DomainError('forbidden', 'own_access', why);
  if (r.kind === 'membership') {
    const [member] = await t.q('SELECT 1 FROM users WHERE id = $1 AND disabled_at IS NULL', [
      r.user_id,
    ]);
    if (!member) {
      throw new DomainError(
        'conflict',
        'member_disabled',
        'That account has been disabled since the request was made. Decline it instead.',
      );
    }
    await applyMembership(t, r.user_id!, r.group_id);
  } else if (r.kind === 'group') {
    await applyApprovedGroupChange(t, r.group_id, r.change as PendingGroupChange);
  } else {
    await applyCategoryAccess(t, r.group_id, r.category_id!, r.change.access as CategoryAccess);
  }
  await decide(t, r, 'approved');
  return present(t, { ...(await pendingOrDecided(t, id)) }, true, can(t.actor, 'admin'));
}

export async function declineAccessRequest(t: Tx, id: string): Promise<AccessRequestView> {
  await requireApprover(t);
  const r = await pendingRequest(t, id);
  if (r.requested_by === t.actor.userId) {
    throw new DomainError(
      'forbidden',
      'own_request',
      'You asked for this change: withdraw it from the administration pages instead.',
    );
  }
  await decide(t, r, 'declined');
  return present(t, await pendingOrDecided(t, id), true, can(t.actor, 'admin'));
}

/** Administrators only (the route asks requireAbility('admin') first). */
export async function withdrawAccessRequest(t: Tx, id: string): Promise<AccessRequestView> {
  const r = await pendingRequest(t, id);
  await decide(t, r, 'withdrawn');
  return present(t, await pendingOrDecided(t, id), false, true);
}

async function pendingOrDecided(t: Tx, id: string): Promise<Row> {
  const [r] = await t.q<Row>(`${SELECT} WHERE r.id = $2`, [t.actor.userId, id]);
  return r!;
}
