// A chronology PDF per pupil for the school's exit (issue 15): every entry of every pupil, drawn
// by the chronology's own PDF writer from the chronology's own reads, a batch at a time, each
// pupil's file streamed to the export folder (memory flat however many pupils and records).
// What this protects: the reads run as the school's system work (asSystem: lantern_app, the
// school's row-level security) with an actor that stands for the whole school and no person —
// the DSL team's reach over every category, restricted ones too, because the archive is the
// school's whole record handed back. It is built here alone and never given to a request.
import type { Services } from '../../platform/services.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { asSystem, type Tx } from '../../core/context.ts';
import type { Actor } from '../../core/access/actor.ts';
import { CAPABILITIES, resolvePermissions } from '../../core/access/permissions.ts';
import { openChronologyPdf } from '../chronology/pdf.ts';
import { countChronology, readChronology, type Position } from '../chronology/service.ts';
import { bodyMapsOf, EXPORT_BATCH, pdfEntry } from '../chronology/export.ts';
import { statementsByConcern, withStatements } from '../data-protection/rights/statements.ts';
import type { ExportFolder } from './files.ts';

const NOBODY = '00000000-0000-0000-0000-000000000000';
const PUPIL_PAGE = 200;

/** The whole school's reach, for the export's reads alone. Names no member. */
function wholeSchoolReader(schoolId: string, operator: string): Actor {
  return {
    userId: NOBODY,
    schoolId,
    name: `operator ${operator} (school export)`,
    role: 'dsl',
    elevated: true,
    permissions: resolvePermissions([
      {
        groupId: 'school-export',
        nonRestrictedDefault: 'view',
        restrictedDefault: 'view',
        categories: {},
        scope: { kind: 'school' },
        capabilities: [...CAPABILITIES],
        groupKey: 'dsl',
      },
    ]),
  };
}

const safeName = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60) || 'pupil';

type PupilRow = {
  id: string;
  first_name: string;
  last_name: string;
  dob: string | null;
  upn: string | null;
  year_group: string | null;
  form: string | null;
};

/** Writes chronologies/<surname>-<first>-<id>.pdf for every pupil; answers how many pupils. */
export async function writeChronologies(
  services: Services,
  folder: ExportFolder,
  schoolId: string,
  schoolName: string,
  operator: string,
): Promise<number> {
  const actor = wholeSchoolReader(schoolId, operator);
  const system = asSystem(services, schoolId, 'operator', operator);
  const inSchool = <T>(fn: (t: Tx) => Promise<T>) => system.tx((t) => fn({ ...t, actor }));
  const now = services.clock.now();
  let after = NOBODY;
  let n = 0;
  for (;;) {
    const pupils = await unsafeAsOwner(services.db, (q) =>
      q.query<PupilRow>(
        `SELECT id, first_name, last_name, date_of_birth::text AS dob, upn, year_group, form
         FROM pupils WHERE school_id = $1 AND id > $2 ORDER BY id LIMIT ${PUPIL_PAGE}`,
        [schoolId, after],
      ),
    );
    for (const p of pupils) {
      const file = await folder.create(
        `chronologies/${safeName(`${p.last_name}-${p.first_name}`)}-${p.id}.pdf`,
      );
      const total = await inSchool((t) => countChronology(t, p.id, {}));
      const pdf = openChronologyPdf({
        schoolName,
        pupilName: `${p.first_name} ${p.last_name}`,
        pupil: { dateOfBirth: p.dob, upn: p.upn, yearGroup: p.year_group, form: p.form },
        exportedBy: actor.name,
        exportedAt: now,
        total,
      });
      const drained = (async () => {
        for await (const chunk of pdf.stream) await file.write(Buffer.from(chunk as Uint8Array));
      })();
      let position: Position | undefined;
      for (;;) {
        const { page, maps, statements } = await inSchool(async (t) => {
          const page = await readChronology(
            t,
            p.id,
            {},
            {
              size: EXPORT_BATCH,
              direction: 'newest_first',
              ...(position ? { after: position } : {}),
            },
          );
          const concerns = page.entries.filter((e) => e.kind === 'concern').map((e) => e.id);
          return {
            page,
            maps: await bodyMapsOf(t, page.entries),
            statements: await statementsByConcern(t, concerns),
          };
        });
        for (const e of page.entries) {
          const withText =
            e.kind === 'concern' ? { ...e, text: withStatements(e.text, statements.get(e.id)) } : e;
          pdf.add(pdfEntry(withText, maps.get(e.id)));
        }
        if (!page.more || !page.last) break;
        position = page.last;
      }
      pdf.finish();
      await drained;
      await folder.done(file);
      n += 1;
    }
    if (pupils.length < PUPIL_PAGE) return n;
    after = pupils.at(-1)!.id;
  }
}
