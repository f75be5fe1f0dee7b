// Who is acting, and what they may do now. The school's group/category model
// (src/core/access/permissions.ts) decides what a member could do; this file adds the second tier:
// with a password alone a member may log a concern and see what they logged, nothing more, and
// everything else waits until they elevate with a second factor. Deny by default: an ability not
// listed is refused. Policy files ask here (or permissions.ts), never the role string itself.
import { hasCapability, resolvePermissions, type Permissions } from './permissions.ts';

import { ROLES, type Role } from '../../shared/access.ts';
export { ROLES, type Role };

export type Actor = {
  userId: string;
  schoolId: string;
  name: string;
  role: Role;
  /** The resolved union of the member's groups' grants. */
  permissions: Permissions;
  /** True while a second-factor elevation (step-up) lasts. */
  elevated: boolean;
};

/** What a member may do, as sent to the UI in `capabilities`. */
export const ABILITIES = [
  'concern.create',
  'pupil.pick',
  'records.view',
  'pupil.chronology',
  'search',
  'export',
  'reports',
  'admin',
  /** From the school's `manage_cases` capability. */
  'case.manage',
  /**
   * Seeing and completing the actions assigned to oneself (pupil names and sealed text): every
   * member, once elevated. With a password alone the dashboard says only how many are waiting.
   */
  'actions.assigned',
  /**
   * From the school's `retention` capability (issue 15): the retention schedule, legal holds, the
   * review queue and certificates of destruction. Grants no record content by itself.
   */
  'retention',
  /** From the school's `audit` capability (issue 20): the audit trail, read; no record content. */
  'audit',
  /**
   * From the school's `data_protection` capability (issue 17): the register of rights requests,
   * breaches and complaints. The DPO's group by default; no record content by itself.
   */
  'data_protection',
  /**
   * From the school's `parents` capability (issue 21): parents' invitations and accounts, admission
   * forms, medical profiles, consents, the MIS write-back and trips. No safeguarding record.
   */
  'parents',
  /**
   * Concerns about adults (issue 19). `write`: raising one, which every member may do with a
   * password alone. `read` and `triage`: from the school's `staff_concerns` capability (the
   * headteacher's and the chair of governors' default groups), elevated; which matters they reach
   * is narrowed by features/staff-concerns/policy.ts (routing and self-exclusion).
   */
  'staff_concerns.write',
  'staff_concerns.read',
  'staff_concerns.triage',
] as const;
export type Ability = (typeof ABILITIES)[number];

/** Abilities that need no second factor: logging a concern (and picking its pupils), and raising one about an adult. */
const FIRST_TIER: ReadonlySet<Ability> = new Set([
  'concern.create',
  'pupil.pick',
  'staff_concerns.write',
]);

function grantsAnyView(perms: Permissions): boolean {
  return perms.grants.some(
    (g) =>
      g.nonRestrictedDefault === 'view' ||
      g.restrictedDefault === 'view' ||
      Object.values(g.categories).some((a) => a === 'view'),
  );
}

function grantsAnyAdd(perms: Permissions): boolean {
  // A category the member can add to: any default or explicit entry at add or view.
  return perms.grants.some(
    (g) =>
      g.nonRestrictedDefault !== 'none' ||
      g.restrictedDefault !== 'none' ||
      Object.values(g.categories).some((a) => a !== 'none'),
  );
}

/** Everything the member's groups allow once elevated. */
export function abilitiesWhenElevated(perms: Permissions): Ability[] {
  const out: Ability[] = [];
  if (grantsAnyAdd(perms)) out.push('concern.create', 'pupil.pick');
  if (grantsAnyView(perms)) out.push('records.view', 'pupil.chronology');
  for (const c of [
    'search',
    'export',
    'reports',
    'admin',
    'retention',
    'audit',
    'data_protection',
    'parents',
  ] as const) {
    if (hasCapability(perms, c)) out.push(c);
  }
  if (hasCapability(perms, 'manage_cases')) out.push('case.manage');
  out.push('actions.assigned');
  out.push('staff_concerns.write');
  if (hasCapability(perms, 'staff_concerns'))
    out.push('staff_concerns.read', 'staff_concerns.triage');
  return out;
}

/** What the actor may do right now (first tier only unless elevated). */
export function abilitiesOf(actor: Pick<Actor, 'permissions' | 'elevated'>): Ability[] {
  const all = abilitiesWhenElevated(actor.permissions);
  return actor.elevated ? all : all.filter((a) => FIRST_TIER.has(a));
}

export function can(actor: Pick<Actor, 'permissions' | 'elevated'>, ability: Ability): boolean {
  return abilitiesOf(actor).includes(ability);
}

/** True when the actor would have the ability after stepping up, but has not stepped up. */
export function needsStepUp(
  actor: Pick<Actor, 'permissions' | 'elevated'>,
  ability: Ability,
): boolean {
  return !actor.elevated && abilitiesWhenElevated(actor.permissions).includes(ability);
}

/** Whether the school's policy makes this member give a second factor at sign-in. */
export function canReadRecords(perms: Permissions): boolean {
  return grantsAnyView(perms);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export const NO_PERMISSIONS: Permissions = resolvePermissions([]);
