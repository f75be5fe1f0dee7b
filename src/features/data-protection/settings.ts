// The school's subject-access policy (issue 17): whether staff names are redacted in responses
// (schools.settings.sarRedactStaff, read by sar/content.ts). Read and changed by those with the
// data_protection ability on the data-protection page; a change is audited with what it was and
// what it became. What this protects: a school's choice about releasing its staff's names is
// made by a named person and on the record, never by editing the database.
import type { App } from '../../core/feature.ts';
import { ctx } from '../../core/context.ts';
import type { Tx } from '../../core/context.ts';
import { responses } from '../../shared/schemas/common.ts';
import { SarSettings } from '../../shared/schemas/subject-access.ts';
import { requireDataProtection } from './policy.ts';
import { redactsStaff } from './sar/content-audit.ts';

const tags = ['data-protection'];

export async function readSarSettings(t: Tx): Promise<SarSettings> {
  return { redactStaffNames: await redactsStaff(t) };
}

export async function saveSarSettings(t: Tx, body: SarSettings): Promise<SarSettings> {
  const before = await redactsStaff(t);
  if (before !== body.redactStaffNames) {
    await t.q(
      `UPDATE schools SET settings = coalesce(settings, '{}'::jsonb)
         || jsonb_build_object('sarRedactStaff', $2::boolean) WHERE id = $1`,
      [t.schoolId, body.redactStaffNames],
    );
    await t.audit({
      action: 'dp.settings_changed',
      targetType: 'school',
      targetId: t.schoolId,
      details: { redactStaffNames: { from: before, to: body.redactStaffNames } },
    });
  }
  return readSarSettings(t);
}

export function registerSettingsRoutes(app: App): void {
  app.get(
    '/api/data-protection/settings',
    {
      schema: {
        tags,
        summary: "The school's subject-access policy (whether staff names are redacted)",
        response: responses({ 200: SarSettings }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      return c.tx((t) => readSarSettings(t));
    },
  );
  app.put(
    '/api/data-protection/settings',
    {
      schema: {
        tags,
        summary: "Changes the school's subject-access policy (audited)",
        body: SarSettings,
        response: responses({ 200: SarSettings }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireDataProtection(c.actor);
      return c.tx((t) => saveSarSettings(t, req.body));
    },
  );
}
