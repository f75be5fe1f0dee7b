// The encrypted spool a pulled feed waits in: what is written reads back whole, the bytes on disk
// are not the text, a file altered on disk fails its read (so the run's transaction rolls back),
// and disposing removes the folder.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SealedSpool } from './sealed-spool.ts';
import { readWhole } from './formats/feed-folder.ts';

describe('the sealed spool', () => {
  it('reads back what was written, holds only ciphertext on disk, refuses a tampered file, and is removed', async () => {
    const spool = await SealedSpool.create('lantern-spool-test-');
    const text = `[${'{"name":"Marker-Spool-7c1e"},'.repeat(20_000)}{}]`;
    const w = spool.writer('students.json');
    for (let i = 0; i < text.length; i += 10_000) await w.write(text.slice(i, i + 10_000));
    await w.close();
    expect((await readWhole(spool, 'students.json'))!.toString('utf8')).toBe(text);
    expect(await spool.open('absent.json')).toBeUndefined();

    const dir = spool.folder;
    const onDisk = await readFile(join(dir, 'students.json'));
    expect(onDisk.length).toBe(Buffer.byteLength(text));
    expect(onDisk.includes(Buffer.from('Marker-Spool'))).toBe(false);

    // One byte changed on disk: the read fails rather than yield altered records.
    onDisk[onDisk.length - 5]! ^= 0x01;
    await writeFile(join(dir, 'students.json'), onDisk);
    await expect(readWhole(spool, 'students.json')).rejects.toThrow();

    await spool.dispose();
    expect(existsSync(dir)).toBe(false);
  });
});
