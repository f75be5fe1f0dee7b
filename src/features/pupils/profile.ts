// The pupil profile: everything the MIS and Lantern hold about a child in one answer — names,
// photo, date of birth, year and form, flags, SEN, attendance this year from the marks,
// contacts in priority order with parental responsibility and restrictions (court orders
// first), siblings linked to their own profiles, and groups.
// The special-category fields and contacts' details are stored sealed (issue 11, finding 9) and
// opened only here, for a member the profile route has let read this pupil (the chronology-level
// ability and the pupil within their scope), with the read audited. Nothing else opens them.
import type { Tx } from '../../core/context.ts';
import type { Profile } from '../../shared/schemas/pupils.ts';
import type { Sealer } from '../../platform/crypto/school-keys.ts';

/** 1 September of the school year containing `now` (England). */
export function schoolYearStart(now: Date): string {
  const y = now.getUTCMonth() >= 8 ? now.getUTCFullYear() : now.getUTCFullYear() - 1;
  return `${y}-09-01`;
}

const pct = (n: number, d: number): number | null =>
  d === 0 ? null : Math.round((n / d) * 1000) / 10;

type P = Record<string, unknown> & {
  id: string;
  sibling_mis_ids: string[];
  archived_at: Date | null;
};

type SealedText = Buffer | null;
const openText = (
  sealer: Sealer,
  column: Parameters<Sealer['open']>[0],
  id: string,
  v: SealedText,
): string | null => (v ? sealer.open(column, id, v) : null);
const openList = <T>(
  sealer: Sealer,
  column: 'contacts.addresses' | 'contacts.phones' | 'contacts.emails',
  id: string,
  v: SealedText,
): T[] => (v ? sealer.openJson<T[]>(column, id, v) : []);

export async function loadProfile(t: Tx, p: P): Promise<Profile> {
  const s = (k: string) => (p[k] as string | null | undefined) ?? null;
  const sealer = await t.sealer();
  const sealed = (k: string) => (p[k] as SealedText | undefined) ?? null;
  const from = schoolYearStart(t.now);
  const [att] = await t.q<{
    possible: number;
    present: number;
    auth: number;
    unauth: number;
    late: number;
  }>(
    `SELECT count(*) FILTER (WHERE c.category IS DISTINCT FROM 'not_required' AND c.category IS DISTINCT FROM 'no_mark')::int AS possible,
       count(*) FILTER (WHERE c.category IN ('present', 'late', 'approved_educational_activity'))::int AS present,
       count(*) FILTER (WHERE c.category = 'authorised_absence')::int AS auth,
       count(*) FILTER (WHERE c.category = 'unauthorised_absence')::int AS unauth,
       count(*) FILTER (WHERE c.category = 'late')::int AS late
     FROM attendance_marks m LEFT JOIN attendance_codes c ON c.school_id = m.school_id AND c.code = m.code
     WHERE m.pupil_id = $1 AND m.on_date >= $2`,
    [p.id, from],
  );
  const a = att ?? { possible: 0, present: 0, auth: 0, unauth: 0, late: 0 };
  const flagRows = await t.q<{
    id: string;
    kind_sealed: Buffer;
    source: string;
    starts_on: string | null;
    ends_on: string | null;
  }>('SELECT id, kind_sealed, source, starts_on, ends_on FROM pupil_flags WHERE pupil_id = $1', [
    p.id,
  ]);
  // The kind is sealed (migration 0022), so the order is decided here: by kind, then start date.
  const flags = flagRows
    .map((f) => ({ ...f, flag: sealer.open('pupil_flags.kind', f.id, f.kind_sealed) }))
    .sort(
      (x, y) =>
        x.flag.localeCompare(y.flag) || (x.starts_on ?? '').localeCompare(y.starts_on ?? ''),
    );
  const needs = await t.q<{
    id: string;
    code: SealedText;
    description: SealedText;
    rank: number | null;
    starts_on: string | null;
    ends_on: string | null;
  }>(
    'SELECT id, code, description, rank, starts_on, ends_on FROM pupil_sen_needs WHERE pupil_id = $1 ORDER BY rank NULLS LAST, starts_on, id',
    [p.id],
  );
  const provisions = await t.q<{
    id: string;
    code: SealedText;
    description: SealedText;
    starts_on: string | null;
    ends_on: string | null;
  }>(
    'SELECT id, code, description, starts_on, ends_on FROM pupil_sen_provisions WHERE pupil_id = $1 ORDER BY starts_on, id',
    [p.id],
  );
  const restrictionRows = await t.q<{
    id: string;
    contact_id: string;
    kind: string;
    court_order: boolean;
    note: Buffer | null;
    starts_on: string | null;
    ends_on: string | null;
  }>(
    `SELECT id, contact_id, kind, court_order, note, starts_on, ends_on FROM contact_restrictions
     WHERE pupil_id = $1 AND removed_at IS NULL ORDER BY court_order DESC, created_at`,
    [p.id],
  );
  const restrictions = restrictionRows.map((r) => ({
    id: r.id,
    contactId: r.contact_id,
    kind: r.kind,
    courtOrder: r.court_order,
    note: openText(sealer, 'contact_restrictions.note', r.id, r.note),
    startsOn: r.starts_on,
    endsOn: r.ends_on,
  }));
  const restricted = new Set(restrictions.map((r) => r.contactId));
  const contacts = await t.q<{
    id: string;
    title: string | null;
    first_name: string;
    last_name: string;
    relationship: string | null;
    priority: number | null;
    parental_responsibility: boolean | null;
    court_order: boolean | null;
    phones: SealedText;
    emails: SealedText;
    addresses: SealedText;
  }>(
    `SELECT c.id, c.title, c.first_name, c.last_name, l.relationship, l.priority, l.parental_responsibility,
       l.court_order, c.phones, c.emails, c.addresses
     FROM pupil_contacts l JOIN contacts c ON c.id = l.contact_id
     WHERE l.pupil_id = $1 ORDER BY l.priority NULLS LAST, c.last_name`,
    [p.id],
  );
  const siblings = await t.q<{
    id: string;
    name: string;
    year_group: string | null;
    form: string | null;
  }>(
    `SELECT id, coalesce(preferred_name, first_name) || ' ' || last_name AS name, year_group, form
     FROM pupils WHERE mis_id = ANY($1::text[]) AND archived_at IS NULL ORDER BY last_name, first_name`,
    [p.sibling_mis_ids],
  );
  const groups = await t.q<{ id: string; name: string; kind: string }>(
    `SELECT g.id, g.name, g.kind FROM mis_group_members m JOIN mis_groups g ON g.id = m.group_id
     WHERE m.member_kind = 'pupil' AND m.member_id = $1 AND g.archived_at IS NULL ORDER BY g.kind, g.name`,
    [p.id],
  );
  const overrides = await t.q<{ field: string }>(
    'SELECT field FROM mis_overrides WHERE pupil_id = $1 AND removed_at IS NULL ORDER BY field',
    [p.id],
  );
  return {
    id: p.id,
    firstName: s('first_name') ?? '',
    lastName: s('last_name') ?? '',
    middleNames: s('middle_names'),
    preferredName: s('preferred_name'),
    legalFirstName: s('legal_first_name'),
    legalLastName: s('legal_last_name'),
    displayName: s('display_name'),
    dateOfBirth: s('date_of_birth'),
    gender: s('gender'),
    upn: s('upn'),
    admissionNumber: s('admission_number'),
    yearGroup: s('year_group'),
    form: s('form'),
    archived: p.archived_at !== null,
    photo: (() => {
      const photo = sealed('photo');
      return photo
        ? sealer.openJson<NonNullable<Profile['photo']>>('pupils.photo', p.id, photo)
        : null;
    })(),
    flags: flags.map((f) => ({
      id: f.id,
      flag: f.flag,
      source: f.source,
      startsOn: f.starts_on,
      endsOn: f.ends_on,
    })),
    sen: {
      status: openText(sealer, 'pupils.sen_status', p.id, sealed('sen_status')),
      needs: needs.map((n) => ({
        code: openText(sealer, 'pupil_sen_needs.code', n.id, n.code),
        description: openText(sealer, 'pupil_sen_needs.description', n.id, n.description),
        rank: n.rank,
        startsOn: n.starts_on,
        endsOn: n.ends_on,
      })),
      provisions: provisions.map((n) => ({
        code: openText(sealer, 'pupil_sen_provisions.code', n.id, n.code),
        description: openText(sealer, 'pupil_sen_provisions.description', n.id, n.description),
        startsOn: n.starts_on,
        endsOn: n.ends_on,
      })),
    },
    attendance: {
      from,
      possible: a.possible,
      presentPct: pct(a.present, a.possible),
      authorisedPct: pct(a.auth, a.possible),
      unauthorisedPct: pct(a.unauth, a.possible),
      latePct: pct(a.late, a.possible),
    },
    restrictions,
    contacts: contacts
      .map((c) => ({
        id: c.id,
        title: c.title,
        firstName: c.first_name,
        lastName: c.last_name,
        relationship: c.relationship,
        priority: c.priority,
        parentalResponsibility: c.parental_responsibility,
        courtOrder: c.court_order,
        restricted: restricted.has(c.id),
        phones: openList<{ kind: string; number: string }>(
          sealer,
          'contacts.phones',
          c.id,
          c.phones,
        ),
        emails: openList<{ kind: string; address: string }>(
          sealer,
          'contacts.emails',
          c.id,
          c.emails,
        ),
        addresses: openList<unknown>(sealer, 'contacts.addresses', c.id, c.addresses),
      }))
      // Restricted contacts first, so a court order is the first thing anyone reads.
      .sort((x, y) => Number(y.restricted) - Number(x.restricted)),
    siblings: siblings.map((x) => ({
      id: x.id,
      name: x.name,
      yearGroup: x.year_group,
      form: x.form,
    })),
    groups,
    overriddenFields: overrides.map((o) => o.field),
  };
}
