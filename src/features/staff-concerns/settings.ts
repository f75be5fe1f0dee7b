// The school's settings for concerns about adults (issue 19): when the LADO clock's working day
// ends, the school's time zone, the patterns review's thresholds, and how many hours before the
// LADO deadline the case manager is warned. A school with no row has the defaults the migrations
// declare (0041, 0083, 0086).
import type { SchoolTx } from '../../core/context.ts';

export type StaffConcernSettings = {
  dueTime: string;
  timeZone: string;
  patternCount: number;
  patternSameTheme: number;
  themes: string[];
  warnHours: number;
};

/** The bounds of the LADO warning: at least an hour's notice, at most a working day's. */
export const WARN_HOURS = { min: 1, max: 24 } as const;

export const DEFAULT_SETTINGS: StaffConcernSettings = {
  dueTime: '17:00',
  timeZone: 'Europe/London',
  patternCount: 3,
  patternSameTheme: 2,
  // As migration 0083 declares: KCSIE's examples of low-level concerns.
  themes: [
    'Over-familiarity or favouritism',
    'Photographs or personal phones',
    'Alone with a pupil out of sight',
    'Humiliating or demeaning language',
    'Contact outside school or online',
    'Other',
  ],
  warnHours: 6,
};

export async function settingsOf(t: SchoolTx): Promise<StaffConcernSettings> {
  const [row] = await t.q<{
    lado_due_time: string;
    time_zone: string;
    pattern_count: number;
    pattern_same_theme: number;
    themes: string[];
    lado_warn_hours: number;
  }>(
    `SELECT lado_due_time, time_zone, pattern_count, pattern_same_theme, themes, lado_warn_hours
     FROM staff_concern_settings WHERE school_id = $1`,
    [t.schoolId],
  );
  if (!row) return DEFAULT_SETTINGS;
  return {
    dueTime: row.lado_due_time,
    timeZone: row.time_zone,
    patternCount: row.pattern_count,
    patternSameTheme: row.pattern_same_theme,
    themes: row.themes,
    warnHours: row.lado_warn_hours,
  };
}
