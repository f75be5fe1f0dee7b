// The school's settings for concerns about adults (issue 19): when the LADO clock's working day
// ends, the school's time zone, and the patterns review's thresholds. A school with no row has
// the defaults the migration declares (0041).
import type { SchoolTx } from '../../core/context.ts';

export type StaffConcernSettings = {
  dueTime: string;
  timeZone: string;
  patternCount: number;
  patternSameTheme: number;
};

export const DEFAULT_SETTINGS: StaffConcernSettings = {
  dueTime: '17:00',
  timeZone: 'Europe/London',
  patternCount: 3,
  patternSameTheme: 2,
};

export async function settingsOf(t: SchoolTx): Promise<StaffConcernSettings> {
  const [row] = await t.q<{
    lado_due_time: string;
    time_zone: string;
    pattern_count: number;
    pattern_same_theme: number;
  }>(
    `SELECT lado_due_time, time_zone, pattern_count, pattern_same_theme
     FROM staff_concern_settings WHERE school_id = $1`,
    [t.schoolId],
  );
  if (!row) return DEFAULT_SETTINGS;
  return {
    dueTime: row.lado_due_time,
    timeZone: row.time_zone,
    patternCount: row.pattern_count,
    patternSameTheme: row.pattern_same_theme,
  };
}
