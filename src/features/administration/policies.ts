// A school's sign-in, session, account and password policies, and the records workflow's own
// numbers (how long a DSL-team alert waits before it escalates, the largest attachment), read and
// changed by its administrators. Other keys in the settings JSON (other features' settings) are
// kept as they are. Every change is audited with what changed, before and after.
import type { Tx } from '../../core/context.ts';
import { badRequest } from '../../core/errors.ts';
import { readSettings, type SchoolSettings } from '../../core/settings.ts';
import { readRecordSettings, VAULT_HARD_LIMIT_BYTES } from '../../core/record-settings.ts';

const MB = 1024 * 1024;
/** The largest upload limit a school may choose, in MB: the vault route's own request limit. */
export const MAX_UPLOAD_MEGABYTES = VAULT_HARD_LIMIT_BYTES / MB;

/** Shown beside the two settings wherever they are edited, so the page says what is enforced. */
export const RECORD_POLICY_NOTES = {
  alertEscalationMinutes:
    'From 5 minutes to 7 days (10080). Applies to alerts raised after the change; an alert ' +
    'already waiting keeps the time it was given.',
  maxUploadMegabytes:
    `From 1 to ${MAX_UPLOAD_MEGABYTES} MB. The server itself accepts no upload larger than ` +
    `${MAX_UPLOAD_MEGABYTES} MB, so a higher limit cannot be set.`,
};

export type RecordPolicies = {
  /** Minutes a DSL-team alert may stay unacknowledged before it escalates. */
  alertEscalationMinutes: number;
  /** The largest attachment, in whole MB (stored in bytes as `maxUploadBytes`). */
  maxUploadMegabytes: number;
};
export type Policies = SchoolSettings & RecordPolicies;

export type PolicyPatch = Partial<Omit<Policies, 'passwordPolicy'>> & {
  passwordPolicy?: Partial<SchoolSettings['passwordPolicy']>;
};

function policiesOf(raw: unknown): Policies {
  const records = readRecordSettings(raw);
  return {
    ...readSettings(raw),
    alertEscalationMinutes: records.alertEscalationMinutes,
    maxUploadMegabytes: Math.max(1, Math.round(records.maxUploadBytes / MB)),
  };
}

export async function readPolicies(t: Tx): Promise<Policies> {
  const [row] = await t.q<{ settings: unknown }>('SELECT settings FROM schools WHERE id = $1', [
    t.actor.schoolId,
  ]);
  return policiesOf(row?.settings);
}

export async function updatePolicies(t: Tx, patch: PolicyPatch): Promise<Policies> {
  const { maxUploadMegabytes, alertEscalationMinutes, ...schoolPatch } = patch;
  if (maxUploadMegabytes !== undefined && maxUploadMegabytes > MAX_UPLOAD_MEGABYTES)
    throw badRequest(
      `The body field "maxUploadMegabytes" must be <= ${MAX_UPLOAD_MEGABYTES}: the server ` +
        `accepts no upload larger than ${MAX_UPLOAD_MEGABYTES} MB, whatever the school sets.`,
      'invalid',
    );
  const [row] = await t.q<{ settings: Record<string, unknown> | null }>(
    'SELECT settings FROM schools WHERE id = $1',
    [t.actor.schoolId],
  );
  const raw = row?.settings ?? {};
  const before = policiesOf(raw);
  const school = readSettings(raw);
  const records = readRecordSettings(raw);
  const mergedSchool = readSettings({
    ...raw,
    ...school,
    ...schoolPatch,
    passwordPolicy: { ...school.passwordPolicy, ...(schoolPatch.passwordPolicy ?? {}) },
  });
  // The limit is kept in bytes; a value the page shows rounded is rewritten only when changed.
  const mergedRecords = {
    alertEscalationMinutes: alertEscalationMinutes ?? records.alertEscalationMinutes,
    maxUploadBytes:
      maxUploadMegabytes === undefined || maxUploadMegabytes === before.maxUploadMegabytes
        ? records.maxUploadBytes
        : maxUploadMegabytes * MB,
  };
  const stored = { ...raw, ...mergedSchool, ...mergedRecords };
  await t.q('UPDATE schools SET settings = $2::jsonb WHERE id = $1', [
    t.actor.schoolId,
    JSON.stringify(stored),
  ]);
  const after = policiesOf(stored);
  const changed: string[] = [];
  for (const k of Object.keys(after) as (keyof Policies)[]) {
    if (JSON.stringify(after[k]) !== JSON.stringify(before[k])) changed.push(k);
  }
  await t.audit({
    action: 'school.policies_changed',
    targetType: 'school',
    targetId: t.actor.schoolId,
    details: { changed, before: JSON.stringify(before), after: JSON.stringify(after) },
  });
  return after;
}
