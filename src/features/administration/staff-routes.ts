// The staff directory a member sees when logging a concern: whom to alert (colleagues and the
// school's staff groups) and which DSLs they may say they told in person. Names, roles and group
// names only — never email addresses, sign-in state or anything about pupils. Logging a concern is
// a first-tier ability, so a password alone is enough to read this list.
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { responses } from '../../shared/schemas/common.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import { membersOfStaffGroups } from '../alerts/recipients.ts';

/** The staff groups whose members count as "a DSL" for "I verbally informed a DSL". */
const DSL_GROUPS = ['dsl', 'deputy_dsl'];

const StaffDirectory = Type.Object({
  staff: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      role: Type.String(),
      dsl: Type.Boolean({ description: 'In the DSL team (the "I verbally informed" list).' }),
    }),
  ),
  groups: Type.Array(Type.Object({ key: Type.String(), name: Type.String() })),
});

export function registerStaffRoutes(app: App, _services: Services): void {
  app.get(
    '/api/staff',
    {
      schema: {
        tags: ['staff'],
        summary: 'Active colleagues and staff groups, to choose whom to alert about a concern',
        response: responses({ 200: StaffDirectory }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireAbility(c.actor, 'concern.create');
      return c.tx(async (t) => {
        const staff = await t.q<{ id: string; name: string; role: string }>(
          `SELECT id, name, role FROM users WHERE disabled_at IS NULL ORDER BY name, id`,
        );
        const dsls = new Set(await membersOfStaffGroups(t.db, DSL_GROUPS));
        const groups = await t.q<{ key: string; name: string }>(
          `SELECT key, name FROM staff_groups ORDER BY name`,
        );
        return { staff: staff.map((s) => ({ ...s, dsl: dsls.has(s.id) })), groups };
      });
    },
  );
}
