// A school's exit (issue 15): `lantern school export`'s work (features/school-exit/export.ts) over
// a school of 2,000 pupils with N concerns (default 50,000) and MB megabytes of attachments in
// 1 MB files (default 500), each sealed as the vault stores it. Prints the time, the archive's
// size, and this process's resident memory before and at its peak during the export (sampled
// every 50 ms; 7-Zip runs as a child process of its own and is not counted): run it at 5,000 and
// 50,000 to see memory flat in the school's size.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inSchool, unsafeAsOwner } from '../../src/platform/db/tenancy.ts';
import { exportSchool } from '../../src/features/school-exit/export.ts';
import { benchSchool, benchUser, startBench, type Engine } from '../lib.ts';
import { bulkConcerns, pupils } from './records.ts';

const PUPILS = 2_000;
const MB = 1024 * 1024;

async function attachments(
  b: Awaited<ReturnType<typeof startBench>>,
  schoolId: string,
  authorId: string,
  megabytes: number,
): Promise<void> {
  const concerns = await unsafeAsOwner(b.services.db, (q) =>
    q.query<{ id: string }>(`SELECT id FROM concerns WHERE school_id = $1 ORDER BY id LIMIT $2`, [
      schoolId,
      megabytes,
    ]),
  );
  for (let i = 0; i < megabytes; i++) {
    await inSchool(b.services.db, schoolId, async (q) => {
      const sealer = await b.services.keys.forSchool(q, schoolId);
      const id = randomUUID();
      const bytes = randomBytes(MB);
      await q.query(
        `INSERT INTO attachments (id, school_id, concern_id, name, mime, ext, size_bytes,
           uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, 'application/pdf', 'pdf', $5, $6, now())`,
        [
          id,
          schoolId,
          concerns[i % concerns.length]!.id,
          sealer.seal('attachments.name', id, `scan-${i}.pdf`),
          MB,
          authorId,
        ],
      );
      await q.query(
        'INSERT INTO attachment_blobs (attachment_id, school_id, content) VALUES ($1, $2, $3)',
        [id, schoolId, sealer.seal('attachment_blobs.content', id, bytes.toString('base64'))],
      );
    });
  }
}

export async function schoolExport(
  engine: Engine,
  o: { n: number; megabytes: number },
): Promise<string[]> {
  const b = await startBench(engine);
  const work = await mkdtemp(path.join(tmpdir(), 'lantern-bench-export-'));
  try {
    const schoolId = await benchSchool(b);
    const author = await benchUser(b, schoolId, 'teacher');
    const kids = await pupils(b, schoolId, PUPILS);
    const t0 = performance.now();
    await bulkConcerns(b, schoolId, author.id, (i) => kids[i % kids.length]!, o.n);
    await attachments(b, schoolId, author.id, o.megabytes);
    const loadS = (performance.now() - t0) / 1000;
    await unsafeAsOwner(b.services.db, (q) => q.query('ANALYZE'));
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const t1 = performance.now();
    const r = await exportSchool(b.services, schoolId, path.join(work, 'school.7z'), 'bench');
    const s = (performance.now() - t1) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    return [
      `${engine.padEnd(8)} ${PUPILS} pupils, ${o.n} concerns, ${o.megabytes} MB of attachments written in ${loadS.toFixed(1)} s`,
      `${engine.padEnd(8)} export: ${s.toFixed(1)} s, ${r.files} files (${r.pupils} chronology PDFs), archive ${(r.archiveBytes / MB).toFixed(1)} MB, ${r.unopened} unopened`,
      `${engine.padEnd(8)} rss before ${(before / MB).toFixed(0)} MB, peak during export ${(peak / MB).toFixed(0)} MB (+${((peak - before) / MB).toFixed(0)} MB)`,
    ];
  } finally {
    await rm(work, { recursive: true, force: true });
    await b.close();
  }
}
