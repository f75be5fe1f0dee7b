// `lantern directory load FILE`: loads the DfE's "Get Information about Schools" establishment
// CSV into the establishment directory, all or nothing. Exits 2 with the reason on stderr when
// the file is refused. GIAS publishes its files in Windows-1252: say --encoding windows-1252.
import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import { Option, type Command } from 'commander';
import type { Config } from '../config.ts';
import { createServices } from '../platform/services.ts';
import {
  DirectoryFileError,
  loadDirectory,
  setSchoolUrn,
} from '../features/transfers/directory-load.ts';

export function registerDirectoryCommands(program: Command, config: () => Config): void {
  const directory = program.command('directory').description('The directory of schools.');
  directory
    .command('load')
    .description('Load the DfE "Get Information about Schools" establishment CSV.')
    .addOption(
      new Option('--encoding <encoding>', "the file's character encoding")
        .choices(['utf-8', 'windows-1252'])
        .default('utf-8'),
    )
    .argument('<file>', 'the establishment CSV (edubasealldata….csv)')
    .action(async (file: string, opts: { encoding: 'utf-8' | 'windows-1252' }) => {
      const services = await createServices(config(), {
        log: { info: () => undefined, warn: console.warn, error: console.error },
        ensureLoginRole: false,
      });
      try {
        const bytes = createReadStream(file);
        // Decoded a chunk at a time, so a character split across chunks is kept whole.
        const decoder = new TextDecoder(opts.encoding);
        const text = bytes.pipe(
          new Transform({
            readableObjectMode: true,
            transform: (chunk: Buffer, _enc, done) =>
              done(null, decoder.decode(chunk, { stream: true })),
            flush: (done) => done(null, decoder.decode()),
          }),
        );
        const r = await loadDirectory(services, text);
        console.log(`loaded ${r.loaded} establishments`);
      } catch (err) {
        if (!(err instanceof DirectoryFileError)) throw err;
        console.error(`lantern: directory refused, nothing loaded: ${err.message}`);
        process.exitCode = 2;
      } finally {
        await services.db.close();
      }
    });

  directory
    .command('set-school-urn')
    .description("Record a school's URN, so transfers to it stay on this Lantern.")
    .requiredOption('--school <id>', 'the school id')
    .argument('<urn>', "the school's URN, as the directory lists it")
    .action(async (urn: string, opts: { school: string }) => {
      const services = await createServices(config(), {
        log: { info: () => undefined, warn: console.warn, error: console.error },
        ensureLoginRole: false,
      });
      try {
        const set = await setSchoolUrn(services, opts.school, urn);
        console.log(
          `school "${set.school}" (${opts.school}) now has URN ${set.urn}, listed in the directory as "${set.directory}"`,
        );
      } catch (err) {
        if (!(err instanceof DirectoryFileError)) throw err;
        console.error(`lantern: URN not set, nothing changed: ${err.message}`);
        process.exitCode = 2;
      } finally {
        await services.db.close();
      }
    });
}
