// The data-protection pack (issue 17), for the school's own DPIA and Article 30 record, built on
// demand from the live configuration — never kept, so it cannot go stale: the data Lantern holds
// and where it comes from (the MIS fields actually filled), each category and the groups that may
// see or add to it (their grants as they stand), the second-factor policy, the retention schedule,
// where the data and keys live and the sub-processors (the operator's one config object), backups,
// and the audit chain's integrity (checked afresh for a download). Counts and settings only: no
// child or member is named, so the pack may be shared with a governor or the ICO as it is.
import type { Tx } from '../../../core/context.ts';
import type { Config } from '../../../config.ts';
import type { Database } from '../../../platform/db/engine.ts';
import { GROUP_GRANT_SELECT, grantOf } from '../../../core/access/load.ts';
import { grantAccess, type GroupGrant } from '../../../core/access/permissions.ts';
import { loadSchoolSettings } from '../../../core/settings.ts';
import type { VerifyResult } from '../../../platform/audit/verify.ts';
import { RETENTION_KINDS } from '../../../shared/retention.ts';
import type { DataProtectionPack, PackSection } from '../../../shared/schemas/dp-rights.ts';
import { schoolSchedule } from '../../retention/schedule-service.ts';

const row = (label: string, value: string | number) => ({ label, value: String(value) });
const section = (id: string, heading: string, rows: PackSection['rows']): PackSection => ({
  id,
  heading,
  rows,
});

/** The pupil and contact fields the MIS fills, with how many records hold each (live). */
async function heldData(t: Tx): Promise<PackSection> {
  const [p] = await t.q<Record<string, number>>(
    `SELECT count(*)::int AS pupils, count(upn)::int AS upn, count(date_of_birth)::int AS dob,
       count(gender)::int AS gender, count(year_group)::int AS year_group, count(form)::int AS form,
       count(preferred_name)::int AS preferred_name, count(mis_id)::int AS from_mis,
       count(address)::int AS address, count(photo)::int AS photo,
       count(religion)::int AS religion, count(ethnicity)::int AS ethnicity,
       count(first_language)::int AS first_language, count(sen_status)::int AS sen_status
     FROM pupils WHERE archived_at IS NULL`,
  );
  const [c] = await t.q<Record<string, number>>(
    `SELECT count(*)::int AS contacts, count(addresses)::int AS addresses,
       count(phones)::int AS phones, count(emails)::int AS emails FROM contacts`,
  );
  const flags = await t.q<{ flag: string; source: string; n: number }>(
    `SELECT flag, source, count(*)::int AS n FROM pupil_flags GROUP BY flag, source
      ORDER BY flag, source`,
  );
  const [feed] = await t.q<{ format: string; source: string; at: Date }>(
    `SELECT format, source, finished_at AS at FROM mis_sync_runs WHERE status = 'applied'
      ORDER BY finished_at DESC LIMIT 1`,
  );
  const [rec] = await t.q<{ concerns: number; attachments: number; restricted: number }>(
    `SELECT (SELECT count(*)::int FROM concerns) AS concerns,
       (SELECT count(*)::int FROM attachments) AS attachments,
       (SELECT count(*)::int FROM dp_restrictions WHERE lifted_at IS NULL) AS restricted`,
  );
  const n = (v: number | undefined) => Number(v ?? 0);
  return section('data', 'The data Lantern holds and where it comes from', [
    row(
      'MIS feed',
      feed ? `${feed.format} (${feed.source}), last applied ${feed.at.toISOString()}` : 'none yet',
    ),
    row('Pupils on roll', n(p?.pupils)),
    row('Pupils from the MIS', n(p?.from_mis)),
    ...(
      [
        ['upn', 'Unique pupil number (MIS)'],
        ['dob', 'Date of birth (MIS)'],
        ['gender', 'Gender (MIS)'],
        ['year_group', 'Year group (MIS)'],
        ['form', 'Registration form (MIS)'],
        ['preferred_name', 'Preferred name (MIS)'],
        ['address', 'Home address (MIS, sealed)'],
        ['photo', 'Photograph (MIS, sealed)'],
        ['religion', 'Religion (MIS, special category, sealed)'],
        ['ethnicity', 'Ethnicity (MIS, special category, sealed)'],
        ['first_language', 'First language (MIS, sealed)'],
        ['sen_status', 'SEN status (MIS, special category, sealed)'],
      ] as const
    ).map(([k, label]) => row(`${label}: pupils holding it`, n(p?.[k]))),
    row('Contacts (parents and carers, MIS)', n(c?.contacts)),
    row(
      'Contacts with an address / phone / email',
      `${n(c?.addresses)} / ${n(c?.phones)} / ${n(c?.emails)}`,
    ),
    ...flags.map((f) => row(`Flag ${f.flag} (${f.source === 'mis' ? 'MIS' : 'Lantern'})`, n(f.n))),
    row('Safeguarding records (staff in Lantern)', n(rec?.concerns)),
    row('Attachments', n(rec?.attachments)),
    row('Records under a restriction of processing', n(rec?.restricted)),
  ]);
}

const SCOPE = (g: GroupGrant) =>
  g.scope.kind === 'school'
    ? 'whole school'
    : g.scope.kind === 'year_groups'
      ? `years ${g.scope.yearGroups.join(', ') || 'none'}`
      : 'their own classes';

/** Each category, and the groups whose grants let their members see it, or add to it. */
async function categoriesAndAccess(t: Tx): Promise<PackSection> {
  const groups = await t.q<Parameters<typeof grantOf>[0] & { name: string; members: number }>(
    `SELECT ${GROUP_GRANT_SELECT}, g.name,
       (SELECT count(*)::int FROM staff_group_members m WHERE m.group_id = g.id) AS members
     FROM staff_groups g ORDER BY g.name`,
  );
  const cats = await t.q<{ id: string; name: string; restricted: boolean }>(
    'SELECT id, name, restricted FROM categories WHERE archived_at IS NULL ORDER BY sort_order, name',
  );
  const grants = groups.map((g) => ({ name: g.name, members: g.members, grant: grantOf(g) }));
  const rows = cats.map((c) => {
    const who = (level: 'view' | 'add') =>
      grants
        .filter((g) => grantAccess(g.grant, c) === level)
        .map((g) => `${g.name} (${SCOPE(g.grant)}, ${g.members} members)`);
    const see = who('view');
    const add = who('add');
    return row(
      `${c.name}${c.restricted ? ' (restricted)' : ''}`,
      `seen by: ${see.join('; ') || 'no group'}. Added to only by: ${add.join('; ') || 'no group'}`,
    );
  });
  const caps = grants
    .filter((g) => g.grant.capabilities.length > 0)
    .map((g) => row(`Group ${g.name}: abilities`, g.grant.capabilities.join(', ')));
  return section('access', 'Categories and who may see each', [...rows, ...caps]);
}

async function secondFactor(t: Tx): Promise<PackSection> {
  const s = await loadSchoolSettings(t.db, t.schoolId);
  const [f] = await t.q<{ members: number; with_factor: number }>(
    `SELECT count(*)::int AS members, count(*) FILTER (WHERE
       EXISTS (SELECT 1 FROM totp_credentials x WHERE x.user_id = u.id)
       OR EXISTS (SELECT 1 FROM webauthn_credentials w WHERE w.user_id = u.id))::int AS with_factor
     FROM users u WHERE u.disabled_at IS NULL`,
  );
  return section('second_factor', 'Second-factor policy', [
    row(
      'Second factor at sign-in',
      s.secondFactorAtSignIn === 'everyone'
        ? 'required of every member of staff'
        : 'required of every member whose groups can read records',
    ),
    row('Records window after a second factor (minutes)', s.elevationMinutes),
    row('Idle sign-out (minutes)', s.idleTimeoutMinutes),
    row('Absolute session length (hours)', s.absoluteSessionHours),
    row('Dormant after (days unused)', s.dormancyDays),
    row('Active members with a second factor', `${f?.with_factor ?? 0} of ${f?.members ?? 0}`),
  ]);
}

async function retention(t: Tx): Promise<PackSection> {
  const schedule = await schoolSchedule(t.db);
  return section(
    'retention',
    'Retention schedule',
    RETENTION_KINDS.map((k) => {
      const r = schedule[k];
      return row(
        k.replaceAll('_', ' '),
        `${r.years} years from ${r.trigger.replaceAll('_', ' ')}, then ${r.action}${r.updatedAt ? ' (set by the school)' : ''}`,
      );
    }),
  );
}

function hosting(config: Config, db: Database): PackSection[] {
  const where = section('hosting', 'Where the data and keys live', [
    row(
      'Database engine',
      db.engine === 'postgres' ? 'PostgreSQL' : 'embedded (PGlite, one file set)',
    ),
    row('Region', config.dataProtection.region ?? 'not declared by the operator'),
    row(
      'Master key',
      config.masterKey
        ? 'in the server’s environment (LANTERN_MASTER_KEY), never in the database'
        : 'in a file on the server, outside the database',
    ),
    row('Sealing', 'record text and names sealed with AES-256-GCM under a key per school'),
    // Where, never the operator's file paths: the pack is passed around with the school's DPIA.
    row('Audit anchor key', 'in a file on the server, outside the database'),
    row(
      'Audit anchors written outside the database',
      config.audit.anchorDir ? 'yes, to a folder on the server' : 'not configured',
    ),
    row('Served over TLS', config.tls ? 'yes' : 'no'),
  ]);
  const subs = section(
    'sub_processors',
    'Sub-processors (declared by the operator)',
    config.dataProtection.subProcessors.length === 0
      ? [row('Declared', 'none')]
      : config.dataProtection.subProcessors.map((s) => row(s.name, `${s.purpose}; ${s.location}`)),
  );
  const backups = section('backups', 'Backups', [
    row(
      'Method',
      db.engine === 'postgres'
        ? 'pgBackRest (lantern ops), point-in-time recovery'
        : 'encrypted backup files (AES-256-GCM, argon2id key)',
    ),
    row(
      'Encrypted with a passphrase kept apart',
      config.backup.passphrase || config.backup.passphraseFile ? 'yes' : 'no passphrase configured',
    ),
    ...(db.engine === 'embedded'
      ? [
          row(
            'Scheduled backups',
            config.backup.dir
              ? 'yes, to a folder on the server, apart from the database files'
              : 'none (no scheduled backup)',
          ),
          row('Hour of the daily backup (server time)', config.backup.hour),
          row('Newest backups kept', config.backup.keep),
        ]
      : []),
  ]);
  return [where, subs, backups];
}

function auditIntegrity(r: VerifyResult, checkedAt: Date) {
  const intact = r.breaks.length === 0;
  return {
    intact,
    section: section('audit', 'Audit trail integrity', [
      row(
        'Checked',
        'the school’s whole hash chain, recomputed afresh for every download; viewing the page ' +
          'reuses a check up to five minutes old',
      ),
      row('Checked at', checkedAt.toISOString()),
      row('Entries checked', r.entries),
      row(
        'Result',
        intact
          ? 'intact: no entry altered, removed or reordered'
          : `BROKEN at entry ${r.breaks[0]!.seq}: ${r.breaks[0]!.problem}`,
      ),
    ]),
  };
}

/**
 * The pack as it stands now, and whether the audit chain was found whole. `verified` is the
 * school's chain recomputed at `checkedAt` (just before for a download, see routes.ts) (verifyAudit, as the owner, outside this transaction: the
 * embedded engine has one session).
 */
export async function buildPack(
  t: Tx,
  config: Config,
  db: Database,
  verified: VerifyResult,
  checkedAt: Date,
): Promise<{ pack: DataProtectionPack; auditIntact: boolean }> {
  const [school] = await t.q<{ name: string; urn: number | null }>(
    'SELECT name, urn FROM schools WHERE id = $1',
    [t.schoolId],
  );
  const audit = auditIntegrity(verified, checkedAt);
  const sections = [
    section('about', 'About this pack', [
      row('School', school?.name ?? ''),
      row('URN', school?.urn ?? 'not set'),
      row('Generated', t.now.toISOString()),
      row('Source', `Lantern (${config.sourceUrl}), from the live configuration`),
    ]),
    await heldData(t),
    await categoriesAndAccess(t),
    await secondFactor(t),
    await retention(t),
    ...hosting(config, db),
    audit.section,
  ];
  return {
    pack: { school: school?.name ?? '', generatedAt: t.now.toISOString(), sections },
    auditIntact: audit.intact,
  };
}
