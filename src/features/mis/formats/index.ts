// The one entry point the sync engine and the CLI call: a format name and a folder in (a path on
// disk, or a FeedFolder held in memory or spooled encrypted), a validated Snapshot out (or a
// MisFormatError naming the file, record and field).
import type { MisFormat, Snapshot, SnapshotKind } from '../snapshot.ts';
import type { FolderLike } from './feed-folder.ts';
import { readSimsCsv } from './sims-csv.ts';
import { readWonde } from './wonde.ts';
import { readXporter } from './xporter.ts';

export { MisFormatError } from '../snapshot.ts';
export { readSimsCsv, readWonde, readXporter };
export { memoryFolder, type FeedFolder } from './feed-folder.ts';

export async function readMisFolder(
  format: MisFormat,
  folder: FolderLike,
  options: { kind?: SnapshotKind } = {},
): Promise<Snapshot> {
  switch (format) {
    case 'wonde':
      return readWonde(folder, options);
    case 'xporter':
      return readXporter(folder, options);
    case 'csv':
      return readSimsCsv(folder);
  }
}
