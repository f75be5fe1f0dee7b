// Finding a destination in the establishment directory (migration 0038), by name or URN, and the
// domain a DSL address at that school must be under: only one this school's DSL confirmed
// (audited). The directory holds no email domain, and its website host is never taken for one: a
// school's website is often on a trust's, a council's or a designer's domain, and a link sent to
// an address there would reach the wrong people. The website is shown as a hint, nothing more.
import type { Tx } from '../../core/context.ts';
import { badRequest, notFound } from '../../core/errors.ts';
import type { Establishment } from '../../shared/schemas/transfers.ts';

type Row = {
  urn: number;
  name: string;
  la_name: string | null;
  postcode: string | null;
  status: string | null;
  website_host: string | null;
  confirmed: string | null;
  on_lantern: boolean;
};

/**
 * The directory with this school's confirmed domain; the parameter numbered `school` is the school's
 * id. The join names
 * the school itself (as service.ts does), not only the row-level policy: another school's
 * confirmed domain is never this school's.
 */
const select = (school: number) => `
  SELECT e.urn, e.name, e.la_name, e.postcode, e.status, e.website_host, d.domain AS confirmed,
    EXISTS (SELECT 1 FROM lantern_school_by_urn(e.urn)) AS on_lantern
  FROM establishments e
  LEFT JOIN transfer_destination_domains d ON d.urn = e.urn AND d.school_id = $${school}`;

const present = (r: Row): Establishment => ({
  urn: r.urn,
  name: r.name,
  localAuthority: r.la_name,
  postcode: r.postcode,
  status: r.status,
  domain: r.confirmed,
  website: r.website_host,
  domainConfirmed: r.confirmed !== null,
  onThisLantern: r.on_lantern,
});

/** At most 20 establishments: the URN itself, else names starting with the words, then containing them. */
export async function searchDirectory(t: Tx, query: string): Promise<Establishment[]> {
  const q = query.trim();
  if (/^\d{1,9}$/.test(q))
    return (await t.q<Row>(`${select(2)} WHERE e.urn = $1`, [Number(q), t.schoolId])).map(present);
  const like = q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
  const rows = await t.q<Row>(
    `${select(2)} WHERE lower(e.name) LIKE '%' || $1 || '%'
     ORDER BY (lower(e.name) LIKE $1 || '%') DESC, e.name, e.urn LIMIT 20`,
    [like, t.schoolId],
  );
  return rows.map(present);
}

export async function establishment(t: Tx, urn: number): Promise<Establishment> {
  const [row] = await t.q<Row>(`${select(2)} WHERE e.urn = $1`, [urn, t.schoolId]);
  if (!row) throw notFound('That school (URN)');
  return present(row);
}

const DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

/** The DSL confirms the domain the destination's DSL addresses are under (replacing any confirmed before). */
export async function confirmDomain(t: Tx, urn: number, domain: string): Promise<Establishment> {
  const d = domain
    .trim()
    .toLowerCase()
    .replace(/^www\./, '');
  if (!DOMAIN.test(d)) throw badRequest('Give a domain such as "school.sch.uk".', 'domain');
  await establishment(t, urn);
  await t.q(
    `INSERT INTO transfer_destination_domains (school_id, urn, domain, confirmed_by, confirmed_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (school_id, urn) DO UPDATE SET domain = EXCLUDED.domain,
       confirmed_by = EXCLUDED.confirmed_by, confirmed_at = EXCLUDED.confirmed_at`,
    [t.schoolId, urn, d, t.actor.userId, t.now],
  );
  await t.audit({ action: 'transfer.domain_confirmed', details: { urn, domain: d } });
  return establishment(t, urn);
}
