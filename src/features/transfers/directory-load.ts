// The establishment directory's loader (issue 18): the DfE's "Get Information about Schools"
// establishment CSV (edubasealldata….csv), streamed and header-checked, into `establishments`
// (migration 0038) on the owner's lane in one transaction, so a file with one bad row loads
// nothing. Only the columns a transfer needs are kept: URN, name, local authority, postcode,
// status and the website's host (the default domain for the school's DSL addresses).
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { Services } from '../../platform/services.ts';
import { unsafeAsOperator } from '../../core/context.ts';

/** The GIAS column names, exactly as the DfE publishes them. */
export const GIAS_COLUMNS = {
  urn: 'URN',
  name: 'EstablishmentName',
  la: 'LA (name)',
  postcode: 'Postcode',
  status: 'EstablishmentStatus (name)',
  website: 'SchoolWebsite',
} as const;

export class DirectoryFileError extends Error {}

type Establishment = {
  urn: number;
  name: string;
  la: string | null;
  postcode: string | null;
  status: string | null;
  websiteHost: string | null;
};

const BATCH = 500;
const blank = (v: string | undefined) => (v === undefined || v.trim() === '' ? null : v.trim());

/** `www.school.sch.uk`, `http://www.school.sch.uk/` → `school.sch.uk`; anything else → null. */
export function websiteHost(website: string | null): string | null {
  if (website === null) return null;
  try {
    const url = new URL(/^https?:\/\//i.test(website) ? website : `https://${website}`);
    const host = url.hostname.toLowerCase().replace(/^www\./, '');
    return host.includes('.') ? host : null;
  } catch {
    return null;
  }
}

function establishmentOf(row: Record<string, string>, n: number): Establishment {
  const urnText = row[GIAS_COLUMNS.urn]?.trim() ?? '';
  if (!/^[1-9]\d{0,8}$/.test(urnText))
    throw new DirectoryFileError(
      `Row ${n} (after the header): the URN "${urnText.slice(0, 20)}" is not a number.`,
    );
  const name = blank(row[GIAS_COLUMNS.name]);
  if (name === null || name.length > 300)
    throw new DirectoryFileError(`Row ${n} (URN ${urnText}): the establishment has no name.`);
  return {
    urn: Number(urnText),
    name,
    la: blank(row[GIAS_COLUMNS.la]),
    postcode: blank(row[GIAS_COLUMNS.postcode]),
    status: blank(row[GIAS_COLUMNS.status]),
    websiteHost: websiteHost(blank(row[GIAS_COLUMNS.website])),
  };
}

/** Reads the CSV from `source` and loads it whole; refuses (DirectoryFileError) loading nothing. */
export async function loadDirectory(
  services: Pick<Services, 'db' | 'clock'>,
  source: Readable,
): Promise<{ loaded: number }> {
  const parser = source.pipe(
    parse({
      bom: true,
      relax_column_count: true,
      columns: (header: string[]) => {
        const missing = Object.values(GIAS_COLUMNS).filter((c) => !header.includes(c));
        if (missing.length > 0)
          throw new DirectoryFileError(
            `This is not a GIAS establishment file: the columns ${missing.map((m) => `"${m}"`).join(', ')} are missing.`,
          );
        return header;
      },
    }),
  );
  // Listened to from the start: the header is checked as soon as data flows, which may be before
  // the loop below begins; the refusal is then raised from the loop, never left unhandled.
  let failed: unknown = null;
  parser.on('error', (err) => (failed ??= err));
  let loaded = 0;
  try {
    await unsafeAsOperator(services, 'operator', async (t) => {
      let batch: Establishment[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        await t.q(
          `INSERT INTO establishments (urn, name, la_name, postcode, status, website_host, loaded_at)
           SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[],
             $6::text[], $7::timestamptz[])
           ON CONFLICT (urn) DO UPDATE SET name = EXCLUDED.name, la_name = EXCLUDED.la_name,
             postcode = EXCLUDED.postcode, status = EXCLUDED.status,
             website_host = EXCLUDED.website_host, loaded_at = EXCLUDED.loaded_at`,
          [
            batch.map((e) => e.urn),
            batch.map((e) => e.name),
            batch.map((e) => e.la),
            batch.map((e) => e.postcode),
            batch.map((e) => e.status),
            batch.map((e) => e.websiteHost),
            batch.map(() => t.now),
          ],
        );
        loaded += batch.length;
        batch = [];
      };
      let row = 0;
      for await (const record of parser as AsyncIterable<Record<string, string>>) {
        // Counted here: the parser reads ahead, so its own counts are not this record's.
        batch.push(establishmentOf(record, (row += 1)));
        if (batch.length >= BATCH) await flush();
      }
      if (failed !== null) throw failed;
      await flush();
      if (loaded === 0) throw new DirectoryFileError('The file lists no establishments.');
    });
  } catch (err) {
    // csv-parse wraps an error thrown from `columns`; a malformed file is a refusal too.
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof DirectoryFileError) throw cause;
    if (err instanceof DirectoryFileError) throw err;
    if (err instanceof Error && 'code' in err && String(err.code).startsWith('CSV_'))
      throw new DirectoryFileError(`The file is not valid CSV: ${err.message}`);
    throw err;
  }
  return { loaded };
}

const SCHOOL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Records a school's URN (`lantern directory set-school-urn`), so transfers to it stay on this
 * Lantern. The URN must be in the loaded directory and not another school's; both names are
 * returned for the operator to check they are the same school. Refused (DirectoryFileError)
 * with nothing changed otherwise; audited in the school's chain.
 */
export async function setSchoolUrn(
  services: Pick<Services, 'db' | 'clock'>,
  schoolId: string,
  urn: string,
): Promise<{ school: string; directory: string; urn: number }> {
  if (!/^[1-9]\d{0,8}$/.test(urn))
    throw new DirectoryFileError('A URN is a number, such as 100000.');
  if (!SCHOOL_ID.test(schoolId)) throw new DirectoryFileError('No school has that id.');
  return unsafeAsOperator(services, 'operator', async (t) => {
    const [school] = await t.q<{ name: string; urn: number | null }>(
      'SELECT name, urn FROM schools WHERE id = $1',
      [schoolId],
    );
    if (!school) throw new DirectoryFileError('No school has that id.');
    const [listed] = await t.q<{ name: string }>('SELECT name FROM establishments WHERE urn = $1', [
      Number(urn),
    ]);
    if (!listed) {
      throw new DirectoryFileError(
        `URN ${urn} is not in the directory: load the current GIAS file with "lantern directory load" first.`,
      );
    }
    const [other] = await t.q<{ name: string }>(
      'SELECT name FROM schools WHERE urn = $1 AND id <> $2',
      [Number(urn), schoolId],
    );
    if (other) throw new DirectoryFileError(`URN ${urn} is already the URN of "${other.name}".`);
    await t.q('UPDATE schools SET urn = $2 WHERE id = $1', [schoolId, Number(urn)]);
    await t.audit(schoolId, { action: 'school.urn_set', details: { urn } });
    return { school: school.name, directory: listed.name, urn: Number(urn) };
  });
}
