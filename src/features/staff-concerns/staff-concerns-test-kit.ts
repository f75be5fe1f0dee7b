// Set-up shared by the concerns-about-adults tests: a school with a head, a chair of governors and
// a teacher, each signed in with their second factor, and a way to add another case manager.
import type { Role } from '../../core/access/actor.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { makeSchool, makeUser, signIn, type TestApp } from '../../test/harness.ts';

export async function areaSchool(t: TestApp) {
  const schoolId = await makeSchool(t.services);
  const member = async (role: Role, name?: string) => {
    const user = await makeUser(t.services, schoolId, role, name);
    return { user, s: await signIn(t.app, user, { elevated: true }) };
  };
  return {
    schoolId,
    member,
    head: await member('headteacher', 'Hana Head'),
    chair: await member('chair_of_governors', 'Cyril Chair'),
    teacher: await member('teacher', 'Tess Teacher'),
  };
}
export type AreaSchool = Awaited<ReturnType<typeof areaSchool>>;

/** Puts the member in the headteacher's group (an acting co-head): a case manager of the area. */
export const joinHeadsGroup = (t: TestApp, schoolId: string, userId: string) =>
  unsafeAsOwner(t.services.db, (q) =>
    q.query(
      `INSERT INTO staff_group_members (school_id, group_id, user_id)
       SELECT school_id, id, $2 FROM staff_groups WHERE school_id = $1 AND key = 'headteacher'`,
      [schoolId, userId],
    ),
  );
