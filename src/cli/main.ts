// The command-line tool for operators: `npm run lantern -- <command>` or `lantern <command>`.
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '../config.ts';
import { registerDbCommands } from './db-commands.ts';
import { registerMisCommands } from './mis-command.ts';
import { registerOpsCommands } from './ops-backup-command.ts';
import { registerBackupCommands } from './backup-command.ts';
import { registerCalendarCommands } from './calendar-command.ts';
import { registerDirectoryCommands } from './directory-command.ts';
import { registerTrustCommands } from './trust-command.ts';
import { registerIncidentCommands } from './incident-command.ts';
import { registerSearchCommands } from './search-command.ts';

const program = new Command()
  .name('lantern')
  .description('Operate a Lantern installation (uses the same settings as the server).')
  .showHelpAfterError()
  .exitOverride();

registerDbCommands(program, () => loadConfig());
registerMisCommands(program, () => loadConfig());
registerOpsCommands(program, () => loadConfig());
registerBackupCommands(program, () => loadConfig());
registerCalendarCommands(program, () => loadConfig());
registerDirectoryCommands(program, () => loadConfig());
registerTrustCommands(program, () => loadConfig());
registerIncidentCommands(program, () => loadConfig());
registerSearchCommands(program, () => loadConfig());

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  console.error(
    `lantern: ${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}`,
  );
  process.exit(1);
}
