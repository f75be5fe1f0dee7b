// `lantern calendar load-bank-holidays FILE`: loads GOV.UK's bank-holidays.json (England and
// Wales) into the installation's bank holidays, all or nothing. Exits 2 with the reason on stderr
// when the file is refused (nothing is then loaded).
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { createServices } from '../platform/services.ts';
import {
  BankHolidayFileError,
  loadBankHolidays,
  parseBankHolidays,
} from '../features/calendar/bank-holidays.ts';

export function registerCalendarCommands(program: Command, config: () => Config): void {
  const calendar = program.command('calendar').description('The calendar statutory clocks use.');
  calendar
    .command('load-bank-holidays')
    .description("Load GOV.UK's bank-holidays.json (England and Wales) into the bank holidays.")
    .argument('<file>', 'the bank-holidays.json file')
    .action(async (file: string) => {
      let holidays;
      try {
        holidays = parseBankHolidays(await readFile(file, 'utf8'));
      } catch (err) {
        if (!(err instanceof BankHolidayFileError)) throw err;
        console.error(`lantern: bank holidays refused, nothing loaded: ${err.message}`);
        process.exitCode = 2;
        return;
      }
      const services = await createServices(config(), {
        log: { info: () => undefined, warn: console.warn, error: console.error },
        ensureLoginRole: false,
      });
      try {
        const r = await loadBankHolidays(services, holidays);
        console.log(`loaded ${r.loaded} bank holidays from ${r.first} to ${r.last}`);
      } finally {
        await services.db.close();
      }
    });
}
