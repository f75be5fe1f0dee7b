// The response pack and the disclosure log (issue 17). What this protects: nothing is released
// but what a second person approved, with every redacted word removed, and the school can always
// produce exactly what it sent. A pack is made only while the approval stands and only from the
// content it approved (the digest); its three files — the PDF, the JSON copy (which serves
// portability) and a formula-safe CSV index — are checked for redacted words, hashed, and stored
// sealed. A download serves those stored bytes, checked against their SHA-256, and never makes
// them again from live data (an MIS sync, a relabel or a pdfkit upgrade would change them), so the
// SHA-256 in the disclosure log always names bytes the school still holds. To change safely: keep
// `build` the only place the files are made, and its leak check before every return.
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../../core/context.ts';
import { badRequest, DomainError, notFound } from '../../../core/errors.ts';
import { readSettings } from '../../../core/settings.ts';
import { csvRow } from '../../../shared/csv.ts';
import {
  REDACTION_REASON_MEANINGS,
  redactionMarker,
  REDACTION_REASONS,
  SOURCE_NAMES,
  type NewDisclosure,
} from '../../../shared/schemas/subject-access.ts';
import { releaseBlock } from '../policy.ts';
import { calendarOf, clockOf, factsOf, todayInEngland } from '../requests/load.ts';
import { openSarRequest, reviewOf } from './service.ts';
import { loadState, responseJson, sha256 } from './state.ts';
import { renderPackPdf } from './pack-pdf.ts';
import { leaks } from './redact.ts';

export type PackFiles = {
  pdf: Buffer;
  json: string;
  csv: string;
  items: number;
  redactions: number;
};

const ASKED: Partial<Record<string, string>> = {
  subject_access: 'subject access',
  educational_record: 'educational record',
  portability: 'data portability',
};

const leakRefusal = () =>
  new DomainError(
    'conflict',
    'redacted_text_remains',
    'The pack would still contain redacted words (they stand unredacted elsewhere in the response). Redact them everywhere they appear, then ask for the review again.',
  );

/** The pack's files as they would be made now, dated `madeAt`; refused if a redacted word remains. */
async function build(t: Tx, id: string, madeAt: Date): Promise<PackFiles & { digest: string }> {
  // Made again for a download after the request is closed, too.
  const r = await openSarRequest(t, id);
  const state = await loadState(t, id);
  const [school] = await t.q<{ name: string; settings: unknown }>(
    'SELECT name, settings FROM schools WHERE id = $1',
    [t.schoolId],
  );
  const sealer = await t.sealer();
  const categories = [...new Set(state.response.map((e) => SOURCE_NAMES[e.source]))];
  const recipients = [
    ...new Set(
      state.response
        .filter((e) => e.source === 'referral')
        .map((e) => e.title.replace(/^Referral to /, '')),
    ),
  ];
  const { pdf } = await renderPackPdf(
    {
      asked: ASKED[r.kind] ?? 'subject access',
      schoolName: school?.name ?? 'School',
      requester: sealer.open('dp_requests.requester', r.id, r.requester).split(',')[0]!,
      receivedOn: r.received_on,
      subjects: r.subjects.map((s) => s.name),
      madeAt,
      categories,
      recipients,
      marking: readSettings(school?.settings).protectiveMarking,
    },
    state.response,
  );
  const json = JSON.stringify(
    {
      school: school?.name ?? 'School',
      request: { kind: r.kind, receivedOn: r.received_on },
      subjects: r.subjects.map((s) => s.name),
      madeAt: madeAt.toISOString(),
      legend: Object.fromEntries(
        REDACTION_REASONS.map((x) => [redactionMarker(x), REDACTION_REASON_MEANINGS[x]]),
      ),
      // A table (the audit log) goes as its rows, under its column names.
      items: state.response.map(({ text, table, ...e }) =>
        table
          ? {
              ...e,
              rows: table.rows.map((r) =>
                Object.fromEntries(table.columns.map((c, i) => [c.toLowerCase(), r[i] ?? ''])),
              ),
            }
          : { ...e, text },
      ),
    },
    null,
    2,
  );
  const csv =
    '\uFEFF' +
    csvRow(['No.', 'When', 'Kind', 'Title', 'Recorded by', 'Text']) +
    state.response
      .map((e, i) =>
        e.table
          ? // A table's rows, one CSV row each: when, who (as "recorded by"), what and record.
            e.table.rows
              .map((r, j) =>
                csvRow([
                  `${i + 1}.${j + 1}`,
                  r[0] ?? '',
                  SOURCE_NAMES[e.source],
                  e.title,
                  r[1] ?? '',
                  r.slice(2).join(' — '),
                ]),
              )
              .join('')
          : csvRow([i + 1, e.happenedAt, SOURCE_NAMES[e.source], e.title, e.author, e.text]),
      )
      .join('');
  // The last check, on the words themselves: the records' words as all three files print them
  // (each entry's title, author and text). Not the fixed cover letter and legend: a redacted word
  // such as "police" stands there by design, and a refusal for it could never be acted on.
  const recordsText = state.response.map((e) => `${e.title}\n${e.author ?? ''}\n${e.text}`);
  if (leaks(recordsText.join('\n'), state.removed).length > 0) throw leakRefusal();
  return {
    pdf,
    json,
    csv,
    items: state.response.length,
    redactions: state.removed.length,
    digest: sha256(responseJson(state.response)),
  };
}

export type PackOutcome = { made: { id: string; pdfSha256: string } } | { withdrawn: true };

/** Makes a pack from the approved response; withdraws the approval if the records moved since. */
export async function makePack(t: Tx, id: string): Promise<PackOutcome> {
  const r = await openSarRequest(t, id);
  const review = await reviewOf(t, id);
  if (review.approved_at === null || review.approved_digest === null)
    throw new DomainError(
      'conflict',
      'review_needed',
      'A second person must approve the response before the pack is made.',
    );
  const today = todayInEngland(t.now);
  const block = releaseBlock(factsOf(r, clockOf(r, await calendarOf(t)), today));
  if (block) throw block;
  // Whole seconds: the PDF's dates carry no more, and the pack is made again from this date.
  const madeAt = new Date(Math.floor(t.now.getTime() / 1000) * 1000);
  const files = await build(t, id, madeAt);
  if (files.digest !== review.approved_digest) {
    await t.q(
      `UPDATE dp_requests SET ready_at = NULL, ready_by = NULL, approved_at = NULL,
         approved_by = NULL, approved_digest = NULL WHERE id = $1`,
      [id],
    );
    await t.audit({
      action: 'dp.sar_approval_withdrawn',
      targetType: 'dp_request',
      targetId: id,
      details: { because: 'records_changed' },
    });
    return { withdrawn: true };
  }
  const packId = randomUUID();
  const pdfSha256 = sha256(files.pdf);
  const sealer = await t.sealer();
  const sealed = (column: `dp_request_packs.${'pdf' | 'json' | 'csv'}_file`, bytes: Buffer) =>
    sealer.seal(column, packId, bytes.toString('base64'));
  await t.q(
    `INSERT INTO dp_request_packs (id, school_id, request_id, made_at, made_by, content_digest,
       pdf_sha256, json_sha256, csv_sha256, items, redactions, pdf_file, json_file, csv_file)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [
      packId,
      t.schoolId,
      id,
      madeAt,
      t.actor.userId,
      files.digest,
      pdfSha256,
      sha256(files.json),
      sha256(files.csv),
      files.items,
      files.redactions,
      sealed('dp_request_packs.pdf_file', files.pdf),
      sealed('dp_request_packs.json_file', Buffer.from(files.json, 'utf8')),
      sealed('dp_request_packs.csv_file', Buffer.from(files.csv, 'utf8')),
    ],
  );
  await t.audit({
    action: 'dp.sar_pack_made',
    targetType: 'dp_request',
    targetId: id,
    details: { pack: packId, pdfSha256, items: files.items, redactions: files.redactions },
  });
  return { made: { id: packId, pdfSha256 } };
}

type PackRow = {
  id: string;
  made_at: Date;
  content_digest: string;
  pdf_sha256: string;
  json_sha256: string;
  csv_sha256: string;
};

async function currentPack(t: Tx, id: string, packId: string): Promise<PackRow> {
  const [p] = await t.q<PackRow>(
    `SELECT id, made_at, content_digest, pdf_sha256, json_sha256, csv_sha256
     FROM dp_request_packs WHERE id = $2 AND request_id = $1`,
    [id, packId],
  );
  if (!p) throw notFound('That pack');
  const review = await reviewOf(t, id);
  if (review.approved_digest !== p.content_digest)
    throw new DomainError(
      'conflict',
      'pack_superseded',
      'The response has changed since this pack was made (its approval was withdrawn): have it approved again and make a new pack.',
    );
  return p;
}

export type PackFile = { body: Buffer; type: string; name: string };

/** One of a pack's files as stored when made, checked against its hash; the download is audited. */
export async function downloadPack(
  t: Tx,
  id: string,
  packId: string,
  format: 'pdf' | 'json' | 'csv',
): Promise<PackFile> {
  const [p] = await t.q<PackRow & { file: Buffer; disclosed: boolean }>(
    `SELECT p.id, p.made_at, p.content_digest, p.pdf_sha256, p.json_sha256, p.csv_sha256,
       p.${format}_file AS file,
       EXISTS (SELECT 1 FROM dp_disclosures d WHERE d.pack_id = p.id) AS disclosed
     FROM dp_request_packs p WHERE p.id = $2 AND p.request_id = $1`,
    [id, packId],
  );
  if (!p) throw notFound('That pack');
  // A pack that went out stays downloadable as sent; one superseded before it went out is not
  // offered, so nobody sends content the second person no longer stands behind.
  if (!p.disclosed) await currentPack(t, id, packId);
  const sealer = await t.sealer();
  const body = Buffer.from(sealer.open(`dp_request_packs.${format}_file`, p.id, p.file), 'base64');
  const expected = { pdf: p.pdf_sha256, json: p.json_sha256, csv: p.csv_sha256 }[format];
  if (sha256(body) !== expected)
    throw new DomainError(
      'conflict',
      'pack_damaged',
      'The stored pack no longer matches the SHA-256 recorded when it was made: tell your administrator.',
    );
  // An export of each child's records: an event on each child's own trail.
  for (const s of (await openSarRequest(t, id, false, false)).subjects)
    await t.audit({
      action: 'dp.sar_pack_downloaded',
      targetType: 'pupil',
      targetId: s.id,
      details: { request: id, pack: packId, format, sha256: expected },
    });
  const type = { pdf: 'application/pdf', json: 'application/json', csv: 'text/csv; charset=utf-8' }[
    format
  ];
  return { body, type, name: `subject-access-response.${format}` };
}

export async function recordDisclosure(
  t: Tx,
  id: string,
  body: NewDisclosure,
): Promise<{ id: string }> {
  const r = await openSarRequest(t, id);
  const today = todayInEngland(t.now);
  const block = releaseBlock(factsOf(r, clockOf(r, await calendarOf(t)), today));
  if (block) throw block;
  const p = await currentPack(t, id, body.packId);
  if (body.disclosedOn > today)
    throw badRequest('The date of disclosure cannot be in the future.', 'future_date');
  if (body.disclosedOn < todayInEngland(p.made_at))
    throw badRequest('The pack cannot have been sent before it was made.', 'bad_order');
  if (body.recipient.trim() === '') throw badRequest('Say who the pack went to.', 'recipient');
  const did = randomUUID();
  const sealer = await t.sealer();
  await t.q(
    `INSERT INTO dp_disclosures (id, school_id, request_id, pack_id, recipient, method,
       disclosed_on, sha256, recorded_by, recorded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      did,
      t.schoolId,
      id,
      p.id,
      sealer.seal('dp_disclosures.recipient', did, body.recipient.trim()),
      body.method,
      body.disclosedOn,
      p.pdf_sha256,
      t.actor.userId,
      t.now,
    ],
  );
  await t.audit({
    action: 'dp.sar_disclosed',
    targetType: 'dp_request',
    targetId: id,
    details: { pack: p.id, method: body.method, sha256: p.pdf_sha256 },
  });
  return { id: did };
}
