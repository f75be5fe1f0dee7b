// Is the schema ready to be distributed by school (Citus, school_id as the distribution column)?
// Read from the migrated database's own catalogue (docs/SCALE.md): every tenant table (one with a
// school_id column) keeps each school's rows apart by row-level security, forced; every foreign key
// between two tenant tables includes school_id (so a row can only point within its own school,
// and Citus can keep both ends on one node); and every tenant table has school_id in its primary
// key or a unique key — except the tables listed below, whose key is a random id alone and which
// nothing references, each to be re-keyed (school_id first) by the migration that moves to Citus.
// A new tenant table that lacks any of this fails here, so the list can only shrink.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './engine.ts';
import { unsafeAsOwner } from './tenancy.ts';
import { testDatabase } from '../../test/harness.ts';

/**
 * Tenant tables whose primary key does not include school_id yet. Nothing references any of them
 * (checked below), so re-keying each to (school_id, …) is a local change; what it costs is the
 * `ON CONFLICT (…)` targets that name the present key, which must name the new one.
 */
const KEYED_WITHOUT_SCHOOL: Record<string, string> = Object.fromEntries(
  [
    'access_requests',
    'actions',
    'alerts',
    'attachment_blobs',
    'case_events',
    'concern_categories',
    'concern_pupils',
    'concern_triage',
    'concern_versions',
    'contact_restrictions',
    'conversations',
    'email_links',
    'group_category_access',
    'known_devices',
    'mis_api_keys',
    'mis_group_members',
    'mis_overrides',
    'mis_staff',
    'password_history',
    'pupil_contacts',
    'pupil_events',
    'pupil_flags',
    'pupil_sen_needs',
    'pupil_sen_provisions',
    'recovery_codes',
    'referral_followups',
    'retention_approvals',
    'sessions',
    'staff_group_members',
    'staff_teaching_groups',
    'totp_credentials',
    'webauthn_credentials',
  ].map((t) => [
    t,
    'keyed by its own id or a pair of ids; referenced by nothing; re-key for Citus',
  ]),
);
for (const t of ['report_days', 'report_pupil_days']) {
  KEYED_WITHOUT_SCHOOL[t] =
    'counts appended without a key and folded per school (migration 0075); referenced by nothing';
}

/** Tables that are not per school, and why (Citus: reference or local tables). */
const NOT_TENANT = {
  schools: 'the distribution key itself (its id is school_id)',
  trusts: 'groups of schools: a small reference table',
  sign_in_throttle: 'before a school is known: keyed by a hash of the email or address',
  work_queue: 'before a school is known: deferred work, sealed',
  job_runs: "the periodic jobs' leases: one row per job",
  bank_holidays: 'England and Wales bank holidays the operator loaded: a reference table',
  schema_migrations: 'the migrations applied',
  establishments: "the DfE's public list of schools the operator loaded: a reference table",
  alert_kinds: 'the kinds of alert Lantern raises (migration 0059): a reference table',
  alert_target_types: 'what an alert can point at (migration 0059): a reference table',
  trust_members: "a trust's members (migration 0065): per trust, behind RLS on lantern.trust_id",
  trust_member_credentials: "trust members' password hashes and sealed TOTP: per trust, RLS",
  trust_sessions: "trust members' sessions: per trust, behind RLS on lantern.trust_id",
  school_deletions:
    'schools deleted and their certificates (migration 0088): outlives the school, so no school_id',
  operator_incidents:
    "the hosting operator's incidents (migration 0087): the platform's own; lantern_app has no right on it",
};

let db: Database;
beforeAll(async () => {
  db = await testDatabase();
});
afterAll(async () => db.close());

const catalogue = <T extends Record<string, unknown>>(sql: string) =>
  unsafeAsOwner(db, (q) => q.query<T>(sql));

const TENANT = `
  SELECT c.oid, c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c
  WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
    AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'school_id'
                AND NOT a.attisdropped)`;

describe('the schema, for distribution by school', () => {
  it('knows every table as per school or as shared', async () => {
    const all = await catalogue<{ relname: string; tenant: boolean }>(
      `SELECT c.relname, c.relname IN (SELECT relname FROM (${TENANT}) t) AS tenant
       FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')`,
    );
    const shared = all.filter((t) => !t.tenant).map((t) => t.relname);
    expect(shared.sort()).toEqual(Object.keys(NOT_TENANT).sort());
    expect(all.filter((t) => t.tenant).length).toBeGreaterThan(40);
  });

  it('keeps every tenant table behind forced row-level security', async () => {
    const open = await catalogue<{ relname: string }>(
      `SELECT relname FROM (${TENANT}) t WHERE NOT (relrowsecurity AND relforcerowsecurity)`,
    );
    expect(open).toEqual([]);
  });

  it('includes school_id in every foreign key between tenant tables', async () => {
    const crossing = await catalogue<{ fk: string }>(
      `SELECT t.relname || '.' || k.conname AS fk
       FROM (${TENANT}) t JOIN pg_constraint k ON k.conrelid = t.oid AND k.contype = 'f'
       JOIN (${TENANT}) r ON r.oid = k.confrelid
       WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = k.conrelid
                           AND a.attnum = ANY (k.conkey) AND a.attname = 'school_id')
          OR NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = k.confrelid
                           AND a.attnum = ANY (k.confkey) AND a.attname = 'school_id')`,
    );
    expect(crossing).toEqual([]);
  });

  it('has school_id in a key of every tenant table but the listed ones, which nothing references', async () => {
    const unkeyed = await catalogue<{ relname: string; referenced: boolean }>(
      `SELECT t.relname,
         EXISTS (SELECT 1 FROM pg_constraint f WHERE f.confrelid = t.oid) AS referenced
       FROM (${TENANT}) t
       WHERE NOT EXISTS (
         SELECT 1 FROM pg_constraint k JOIN pg_attribute a
           ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
         WHERE k.conrelid = t.oid AND k.contype IN ('p', 'u') AND a.attname = 'school_id')
       ORDER BY t.relname`,
    );
    expect(unkeyed.map((t) => t.relname)).toEqual(Object.keys(KEYED_WITHOUT_SCHOOL).sort());
    expect(unkeyed.filter((t) => t.referenced)).toEqual([]);
  });
});
