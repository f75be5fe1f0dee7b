// The one entry point the sync engine and the CLI call: a format name and a folder in (a path on
// disk, or a FeedFolder held in memory or spooled encrypted), a validated Snapshot out (or a
// MisFormatError naming the file, record and field).
import type { MisFormat, Snapshot, SnapshotKind } from '../snapshot.ts';
import type { FolderLike } from './feed-folder.ts';
import { readSimsCsv, type CsvOptions } from './sims-csv.ts';
import { readWonde } from './wonde.ts';
import { readXporter } from './xporter.ts';

import { MisFormatError } from '../snapshot.ts';

export { MisFormatError };
export { readSimsCsv, readWonde, readXporter };
export { memoryFolder, type FeedFolder } from './feed-folder.ts';

export async function readMisFolder(
  format: MisFormat,
  folder: FolderLike,
  options: { kind?: SnapshotKind | undefined; csv?: CsvOptions | undefined } = {},
): Promise<Snapshot> {
  switch (format) {
    case 'wonde':
      return readWonde(folder, options);
    case 'xporter':
      return readXporter(folder, options);
    case 'csv':
      if (options.kind === 'delta')
        throw new MisFormatError(
          'pupils.csv',
          {},
          'is a SIMS report, which always holds the whole roll: it cannot be imported as a delta',
        );
      return readSimsCsv(folder, options.csv);
  }
}
