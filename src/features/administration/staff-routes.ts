// The staff directory a member sees when logging a concern: whom to alert (colleagues and the
// school's staff groups) and which DSLs they may say they told in person. Names, roles and group
// names only — never email addresses, sign-in state or anything about pupils. Logging a concern is
// a first-tier ability, so a password alone is enough to read this list. "A DSL" is a member of
// the DSL team's staff groups (the DSL and the deputies).
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { responses } from '../../shared/schemas/common.ts';
import { StaffDirectory } from '../../shared/schemas/administration.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import { DSL_TEAM_GROUPS, membersOfStaffGroups } from '../alerts/recipients.ts';

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
        const dsls = new Set(await membersOfStaffGroups(t.db, DSL_TEAM_GROUPS));
        const groups = await t.q<{ key: string; name: string }>(
          `SELECT key, name FROM staff_groups ORDER BY name`,
        );
        return { staff: staff.map((s) => ({ ...s, dsl: dsls.has(s.id) })), groups };
      });
    },
  );
}
