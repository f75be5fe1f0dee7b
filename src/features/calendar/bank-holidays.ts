// Bank holidays an operator loads from GOV.UK's list (https://www.gov.uk/bank-holidays.json) into
// bank_holidays (migration 0034), added by core/calendar.ts to those bundled in shared/calendar.ts.
// Platform-wide, so written on the owner's lane by the operator's command only, in one
// transaction: a file that is not GOV.UK's shape, or has one bad event, loads nothing.
import type { Services } from '../../platform/services.ts';
import { unsafeAsOperator } from '../../core/context.ts';
import { isIsoDate } from '../../shared/calendar.ts';

export const BANK_HOLIDAY_DIVISION = 'england-and-wales';

export class BankHolidayFileError extends Error {}

export type BankHoliday = { date: string; title: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** England and Wales's events from GOV.UK's bank-holidays.json, or a refusal saying what is wrong. */
export function parseBankHolidays(text: string): BankHoliday[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new BankHolidayFileError('The file is not JSON (expected GOV.UK bank-holidays.json).');
  }
  const division = isObject(doc) ? doc[BANK_HOLIDAY_DIVISION] : undefined;
  if (!isObject(division) || !Array.isArray(division.events))
    throw new BankHolidayFileError(
      `The file has no "${BANK_HOLIDAY_DIVISION}" division with an "events" list.`,
    );
  if (division.events.length === 0)
    throw new BankHolidayFileError(`The "${BANK_HOLIDAY_DIVISION}" division lists no events.`);
  return division.events.map((e: unknown, i): BankHoliday => {
    const where = `Event ${i + 1} of "${BANK_HOLIDAY_DIVISION}"`;
    if (!isObject(e)) throw new BankHolidayFileError(`${where} is not an object.`);
    const { date, title } = e;
    if (typeof date !== 'string' || !isIsoDate(date))
      throw new BankHolidayFileError(`${where} has no valid "date" (YYYY-MM-DD).`);
    if (typeof title !== 'string' || title.trim() === '' || title.length > 200)
      throw new BankHolidayFileError(`${where} (${date}) has no "title" of 1 to 200 characters.`);
    return { date, title: title.trim() };
  });
}

/** Loads the events (new dates added, known ones retitled), all or nothing. */
export async function loadBankHolidays(
  services: Pick<Services, 'db' | 'clock'>,
  holidays: readonly BankHoliday[],
): Promise<{ loaded: number; first: string; last: string }> {
  const dates = holidays.map((h) => h.date).sort();
  await unsafeAsOperator(services, 'operator', async (t) => {
    for (const h of holidays) {
      await t.q(
        `INSERT INTO bank_holidays (on_date, title, loaded_at) VALUES ($1, $2, $3)
         ON CONFLICT (on_date) DO UPDATE SET title = EXCLUDED.title, loaded_at = EXCLUDED.loaded_at`,
        [h.date, h.title, t.now],
      );
    }
  });
  return { loaded: holidays.length, first: dates[0]!, last: dates[dates.length - 1]! };
}
