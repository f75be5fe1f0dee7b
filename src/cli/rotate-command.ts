// `lantern keys rotate`. With a key file (the embedded default), the new key is written to the
// top of the file and the old one kept below it until the operator removes it, so a running
// service that re-reads the file can still unwrap either way. With LANTERN_MASTER_KEY, the new key
// is written to --new-key-file for the operator to install in place of the old one.
import { existsSync } from 'node:fs';
import type { Services } from '../platform/services.ts';
import { keyringLoader } from '../platform/services.ts';
import {
  isInside,
  newMasterKey,
  readKeyFile,
  writeKeyFile,
} from '../platform/crypto/master-key.ts';
import { rewrapAll } from '../platform/crypto/rotate.ts';
import { SYSTEM_REASONS, unsafeAsOperator } from '../core/context.ts';

export async function rotateMasterKey(s: Services, newKeyFile?: string): Promise<void> {
  const { config } = s;
  const old = keyringLoader(config, s.log)();
  const next = newMasterKey();
  const target = config.masterKey ? newKeyFile : config.masterKeyFile;
  if (!target)
    throw new Error('LANTERN_MASTER_KEY is set: give --new-key-file <path> for the new key.');
  if (config.masterKey && existsSync(target))
    throw new Error(`${target} already exists; choose a new path.`);
  // Never beside the database it opens (issue 11): a copy of the data folder would carry it.
  if (isInside(target, config.dataDir))
    throw new Error(
      `${target} is inside the data folder ${config.dataDir}; choose a path outside it, so a copy of the database never carries its key.`,
    );
  // Write the new key first: if re-wrapping fails, the file still opens every key (old kept).
  const previous = config.masterKey ? [] : [...readKeyFile(target).byId.values()];
  writeKeyFile(target, [next, ...previous]);
  const count = await rewrapAll(s.db, old, next);
  // Every school's trail records the rotation; listing the schools needs the owner.
  await unsafeAsOperator(s, SYSTEM_REASONS.operator, async (t) => {
    const schools = await t.q<{ id: string }>('SELECT id FROM schools');
    for (const sc of schools) {
      await t.audit(sc.id, { action: 'keys.rotated', details: { masterKeyId: next.id } });
    }
  });
  console.log(`Re-wrapped ${count} school keys under master key ${next.id}.`);
  console.log(
    config.masterKey
      ? `Set LANTERN_MASTER_KEY to the key in ${target} and restart; then destroy the old key.`
      : `The key file ${target} now holds the new key first; remove the older lines once every process has restarted.`,
  );
}
