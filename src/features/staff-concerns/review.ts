// The school's settings for this area and the patterns review (issue 19). KCSIE: low-level
// concerns are reviewed for patterns; here, per member of staff over 12 rolling months, flagged at
// the school's threshold (3 by default). The review lists only matters the reader may read (the
// same SQL filter as the list), so no one sees a count about themselves. A member is also
// flagged when enough of their low-level concerns share one theme (2 by default); the counts per
// theme are given without names, for the school's review of its code of conduct.
import type { Tx } from '../../core/context.ts';
import { badRequest } from '../../core/errors.ts';
import { addCalendarMonths } from '../../shared/calendar.ts';
import type {
  PatternReview,
  StaffConcernSettings as SettingsView,
  StaffConcernSettingsPatch,
} from '../../shared/schemas/staff-concerns.ts';
import { teamsOf, visibleMatterSql } from './policy.ts';
import { localDate, patternReason, zonedInstant } from './rules.ts';
import { DEFAULT_SETTINGS, settingsOf, WARN_HOURS } from './settings.ts';

const view = (s: typeof DEFAULT_SETTINGS): SettingsView => ({
  ladoDueTime: s.dueTime,
  timeZone: s.timeZone,
  patternCount: s.patternCount,
  patternSameTheme: s.patternSameTheme,
  themes: s.themes,
  ladoWarnHours: s.warnHours,
});

export async function readSettings(t: Tx): Promise<SettingsView> {
  return view(await settingsOf(t));
}

export async function changeSettings(
  t: Tx,
  patch: StaffConcernSettingsPatch,
): Promise<SettingsView> {
  const before = await settingsOf(t);
  let themes = before.themes;
  if (patch.themes !== undefined) {
    themes = patch.themes.map((x) => x.trim());
    if (themes.some((x) => x === '')) throw badRequest('A theme cannot be blank.', 'blank_theme');
    const seen = new Set(themes.map((x) => x.toLowerCase()));
    if (seen.size !== themes.length)
      throw badRequest('Each theme must be different.', 'duplicate_theme');
  }
  const hours = patch.ladoWarnHours;
  if (hours !== undefined && !(hours >= WARN_HOURS.min && hours <= WARN_HOURS.max))
    throw badRequest(
      `Warn between ${WARN_HOURS.min} and ${WARN_HOURS.max} hours before the LADO deadline.`,
      'warn_hours_out_of_range',
    );
  const after = {
    ...before,
    ...(hours !== undefined && { warnHours: hours }),
    themes,
    ...(patch.ladoDueTime !== undefined && { dueTime: patch.ladoDueTime }),
    ...(patch.patternCount !== undefined && { patternCount: patch.patternCount }),
    ...(patch.patternSameTheme !== undefined && { patternSameTheme: patch.patternSameTheme }),
  };
  await t.q(
    `INSERT INTO staff_concern_settings (school_id, lado_due_time, time_zone, pattern_count,
       pattern_same_theme, themes, lado_warn_hours) VALUES ($1, $2, $3, $4, $5, $6::text[], $7)
     ON CONFLICT (school_id) DO UPDATE SET lado_due_time = $2, pattern_count = $4,
       pattern_same_theme = $5, themes = $6::text[], lado_warn_hours = $7`,
    [
      t.schoolId,
      after.dueTime,
      after.timeZone,
      after.patternCount,
      after.patternSameTheme,
      after.themes,
      after.warnHours,
    ],
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
  // One row per member and theme (NULL: no theme); folded per member below.
  const rows = await t.q<{ id: string; name: string; theme: string | null; n: number }>(
    `SELECT u.id, u.name, s.theme, count(*)::int AS n
     FROM staff_concerns s JOIN users u ON u.id = s.subject_user_id
     WHERE s.classification = 'low_level' AND s.raised_at >= $1 AND ${where.sql}
     GROUP BY u.id, u.name, s.theme ORDER BY u.name, u.id LIMIT 5000`,
    [zonedInstant(since, '00:00', settings.timeZone), ...where.params],
  );
  const people = new Map<
    string,
    { id: string; name: string; count: number; top: [string, number] | null }
  >();
  for (const r of rows) {
    const p = people.get(r.id) ?? { id: r.id, name: r.name, count: 0, top: null };
    p.count += r.n;
    if (r.theme !== null && (p.top === null || r.n > p.top[1])) p.top = [r.theme, r.n];
    people.set(r.id, p);
  }
  // The theme counts take in every low-level concern the reader may read, about anyone (a
  // volunteer or contractor without an account too): no names, only how often each theme came.
  const themeCounts = await t.q<{ theme: string; n: number }>(
    `SELECT s.theme, count(*)::int AS n FROM staff_concerns s
     WHERE s.classification = 'low_level' AND s.theme IS NOT NULL AND s.raised_at >= $1
       AND ${where.sql}
     GROUP BY s.theme ORDER BY n DESC, s.theme LIMIT 100`,
    [zonedInstant(since, '00:00', settings.timeZone), ...where.params],
  );
  const items = [...people.values()]
    .map((p) => {
      const sameTheme = p.top !== null && p.top[1] >= settings.patternSameTheme ? p.top[0] : null;
      const reason = patternReason(p.count, sameTheme, settings);
      return {
        subjectUserId: p.id,
        subjectName: p.name,
        count: p.count,
        reconsider: reason !== null,
        reason,
        sameTheme,
      };
    })
    .sort((a, b) => b.count - a.count || a.subjectName.localeCompare(b.subjectName));
  await t.audit({ action: 'staff_concerns.patterns_viewed', details: { count: items.length } });
  return {
    since,
    threshold: settings.patternCount,
    sameThemeThreshold: settings.patternSameTheme,
    items,
    themeCounts: themeCounts.map((r) => ({ theme: r.theme, count: r.n })),
  };
}
