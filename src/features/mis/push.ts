// The push API's body → Snapshot: the integrator sends the response bodies it would serve, keyed
// by endpoint file name, and they go through the very same readers as files on disk, read from
// memory: the body is already held (within the school's push limit), so nothing of it is ever
// written to disk (issue 11, finding 9). Each file is serialised only when its reader reaches it.
import type { SystemContext } from '../../core/context.ts';
import type { PushBody } from '../../shared/schemas/mis.ts';
import { memoryFolder, readMisFolder } from './formats/index.ts';
import { MisFormatError, type Snapshot } from './snapshot.ts';
import { markApiKeyUsed } from './api-keys.ts';
import { runSync, type SyncResult } from './sync.ts';

export const WONDE_FILES = [
  'students.json',
  'contacts.json',
  'employees.json',
  'groups.json',
  'attendance.json',
  'students-leaver.json',
  'deletions.json',
] as const;
export const XPORTER_FILES = [
  'Students.json',
  'StudentContacts.json',
  'Staff.json',
  'Groups.json',
  'AttendanceCodes.json',
  'AttendanceForDateRange.json',
] as const;

/** Reads a pushed body; `use` runs while the body is held (marks stream from it). */
export async function withPushedSnapshot<T>(
  body: PushBody,
  use: (snap: () => Promise<Snapshot>) => Promise<T>,
): Promise<T> {
  const allowed: readonly string[] = body.format === 'wonde' ? WONDE_FILES : XPORTER_FILES;
  for (const name of Object.keys(body.files)) {
    if (!allowed.includes(name)) {
      throw new MisFormatError(
        'body',
        { field: `files.${name}` },
        `is not a ${body.format} endpoint`,
      );
    }
  }
  const files = new Map(
    Object.entries(body.files).map(([name, value]) => [
      name,
      () => Buffer.from(JSON.stringify(value), 'utf8'),
    ]),
  );
  return use(() => readMisFolder(body.format, memoryFolder(files), { kind: body.kind }));
}

/** A pushed batch, through the school's door as its API key: notes the key's use, then syncs. */
export async function applyPush(
  door: SystemContext,
  keyId: string,
  body: PushBody,
): Promise<SyncResult> {
  await door.tx((t) => markApiKeyUsed(t, keyId));
  return withPushedSnapshot(body, (snap) =>
    runSync(door, snap, { source: 'push', format: body.format, batchId: body.batchId }),
  );
}
