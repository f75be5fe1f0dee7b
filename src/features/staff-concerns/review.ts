// The school's settings for this area and the patterns review (issue 19). KCSIE: low-level
// concerns are reviewed for patterns; here, per member of staff over 12 rolling months, flagged at
// the school's threshold (3 by default). The review lists only matters the reader may read (the
// same SQL filter as the list), so no one sees a count about themselves.
import type { Tx } from '../../core/context.ts';
import { addCalendarMonths } from '../../shared/calendar.ts';
import type {
  PatternReview,
  StaffConcernSettings as SettingsView,
  StaffConcernSettingsPatch,
} from '../../shared/schemas/staff-concerns.ts';
import { teamsOf, visibleMatterSql } from './policy.ts';
import { localDate, zonedInstant } from './rules.ts';
import { DEFAULT_SETTINGS, settingsOf } from './settings.ts';

const view = (s: typeof DEFAULT_SETTINGS): SettingsView => ({
  ladoDueTime: s.dueTime,
  timeZone: s.timeZone,
  patternCount: s.patternCount,
  patternSameTheme: s.patternSameTheme,
});

export async function readSettings(t: Tx): Promise<SettingsView> {
  return view(await settingsOf(t));
}

export async function changeSettings(
  t: Tx,
  patch: StaffConcernSettingsPatch,
): Promise<SettingsView> {
  const before = await settingsOf(t);
  const after = {
    ...before,
    ...(patch.ladoDueTime !== undefined && { dueTime: patch.ladoDueTime }),
    ...(patch.patternCount !== undefined && { patternCount: patch.patternCount }),
    ...(patch.patternSameTheme !== undefined && { patternSameTheme: patch.patternSameTheme }),
  };
  await t.q(
    `INSERT INTO staff_concern_settings (school_id, lado_due_time, time_zone, pattern_count,
       pattern_same_theme) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (school_id) DO UPDATE SET lado_due_time = $2, pattern_count = $4,
       pattern_same_theme = $5`,
    [t.schoolId, after.dueTime, after.timeZone, after.patternCount, after.patternSameTheme],
  );
  await t.audit({
    action: 'staff_concerns.settings_changed',
    details: {
      changed: Object.keys(patch),
      before: JSON.stringify(view(before)),
      after: JSON.stringify(view(after)),
    },
  });
  return view(after);
}

export async function patternReview(t: Tx): Promise<PatternReview> {
  const settings = await settingsOf(t);
  const since = addCalendarMonths(localDate(t.now, settings.timeZone), -12);
  const teams = await teamsOf(t.db, t.actor.userId);
  const where = visibleMatterSql(t.actor, teams, 2);
  const rows = await t.q<{ name: string; n: number }>(
    `SELECT u.name, count(*)::int AS n FROM staff_concerns s JOIN users u ON u.id = s.subject_user_id
     WHERE s.classification = 'low_level' AND s.raised_at >= $1 AND ${where.sql}
     GROUP BY u.id, u.name ORDER BY n DESC, u.name LIMIT 500`,
    [zonedInstant(since, '00:00', settings.timeZone), ...where.params],
  );
  await t.audit({ action: 'staff_concerns.patterns_viewed', details: { count: rows.length } });
  return {
    since,
    threshold: settings.patternCount,
    items: rows.map((r) => ({
      subjectName: r.name,
      count: r.n,
      reconsider: r.n >= settings.patternCount,
    })),
  };
}
