// Attendance codes and session marks. Marks are streamed from the reader straight into
// multi-row INSERTs of a fixed batch size (unnest of four arrays: one statement, four
// parameters, the same on both engines), so memory holds one batch however long the term.
import { MisFormatError, type Snapshot } from '../snapshot.ts';
import type { SyncState } from './state.ts';

const BATCH = 5000;
const MARKS_FILE = {
  wonde: 'attendance.json',
  xporter: 'AttendanceForDateRange.json',
  csv: 'pupils.csv',
} as const;

export async function syncAttendanceCodes(s: SyncState, snap: Snapshot): Promise<void> {
  if (snap.attendanceCodes.length === 0) return;
  await s.q.query(
    `INSERT INTO attendance_codes (school_id, code, description, meaning, physical_meaning, category)
     SELECT $2, code, description, meaning, physical_meaning, category
     FROM json_populate_recordset(NULL::attendance_codes, $1::json)
     ON CONFLICT (school_id, code) DO UPDATE SET description = EXCLUDED.description,
       meaning = EXCLUDED.meaning, physical_meaning = EXCLUDED.physical_meaning,
       category = EXCLUDED.category`,
    [
      JSON.stringify(
        snap.attendanceCodes.map((c) => ({
          code: c.code,
          description: c.description,
          meaning: c.meaning,
          physical_meaning: c.physicalMeaning,
          category: c.category,
        })),
      ),
      s.schoolId,
    ],
  );
}

export async function syncMarks(s: SyncState, snap: Snapshot): Promise<void> {
  let pupils: string[] = [];
  let dates: string[] = [];
  let pms: boolean[] = [];
  let codes: string[] = [];
  const flush = async (): Promise<void> => {
    if (pupils.length === 0) return;
    const [row] = await s.q.query<{ n: number }>(
      `WITH w AS (
         INSERT INTO attendance_marks (school_id, pupil_id, on_date, pm, code)
         SELECT $5, * FROM unnest($1::uuid[], $2::date[], $3::boolean[], $4::text[])
         ON CONFLICT (school_id, pupil_id, on_date, pm) DO UPDATE SET code = EXCLUDED.code
           WHERE attendance_marks.code <> EXCLUDED.code
         RETURNING 1)
       SELECT count(*)::int AS n FROM w`,
      [pupils, dates, pms, codes, s.schoolId],
    );
    s.marks.written += row?.n ?? 0;
    pupils = [];
    dates = [];
    pms = [];
    codes = [];
  };
  for await (const m of snap.attendanceMarks()) {
    const pupilId = s.pupilIds.get(m.pupilMisId);
    // A mark for a pupil the feed never defines (and Lantern never held) means a cut or
    // mismatched export: refused with the id named, and the run's transaction rolls back.
    if (!pupilId)
      throw new MisFormatError(
        MARKS_FILE[snap.format],
        { field: 'pupil' },
        `${JSON.stringify(m.pupilMisId.slice(0, 40))} (named by the mark for ${m.date} ${m.session}) ` +
          'is not a pupil defined anywhere in the feed, nor held by Lantern from an earlier run',
      );
    pupils.push(pupilId);
    dates.push(m.date);
    pms.push(m.session === 'PM');
    codes.push(m.code);
    if (pupils.length >= BATCH) await flush();
  }
  await flush();
}
