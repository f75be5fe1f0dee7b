// Writing the default groups (default-groups.ts) for a new school, and putting a new account in
// the groups its role suggests. Schools then tailor both in the administration screens.
import type { Queryable } from '../../platform/db/engine.ts';
import { defaultGroupsForNewSchool } from './default-groups.ts';
import type { Role } from './actor.ts';

/** The default groups a new account of each role joins (everyone joins all_staff). */
export const ROLE_GROUPS: Record<Role, readonly string[]> = {
  teacher: ['all_staff', 'class_teachers'],
  head_of_year: ['all_staff', 'class_teachers'],
  dsl: ['all_staff', 'dsl'],
  deputy_dsl: ['all_staff', 'deputy_dsl'],
  headteacher: ['all_staff', 'headteacher'],
  school_admin: ['all_staff', 'school_admin'],
  dpo: ['all_staff', 'dpo'],
  // Not all staff: the chair's account is for concerns about adults alone (issue 19).
  chair_of_governors: ['chair_of_governors'],
};

export async function seedDefaultGroups(tx: Queryable, schoolId: string): Promise<void> {
  for (const g of defaultGroupsForNewSchool()) {
    const scope = g.grant.scope;
    await tx.query(
      `INSERT INTO staff_groups (school_id, key, name, description, non_restricted_default,
         restricted_default, scope_kind, scope_year_groups, capabilities)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        schoolId,
        g.key,
        g.name,
        g.description,
        g.grant.nonRestrictedDefault,
        g.grant.restrictedDefault,
        scope.kind,
        scope.kind === 'year_groups' ? [...scope.yearGroups] : [],
        [...g.grant.capabilities],
      ],
    );
  }
}

/** Adds a user to groups by key (unknown keys are ignored: the school may have removed them). */
export async function joinGroupsByKey(
  tx: Queryable,
  schoolId: string,
  userId: string,
  keys: readonly string[],
): Promise<void> {
  await tx.query(
    `INSERT INTO staff_group_members (school_id, group_id, user_id)
     SELECT $1, id, $2 FROM staff_groups WHERE school_id = $1 AND key = ANY($3::text[])
     ON CONFLICT DO NOTHING`,
    [schoolId, userId, keys],
  );
}
