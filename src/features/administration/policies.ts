// A school's sign-in, session, account and password policies, and the records workflow's own
// numbers (how long a DSL-team alert waits before it escalates, the largest attachment, the
// largest MIS push), read and
// changed by its administrators. Other keys in the settings JSON (other features' settings) are
// kept as they are. Every change is audited with what changed, before and after.
import type { Tx } from '../../core/context.ts';
import { badRequest } from '../../core/errors.ts';
import { readMisPushLimit, readSettings, type SchoolSettings } from '../../core/settings.ts';
import {
  MAX_UPLOAD_MEGABYTES,
  type Policies,
  type PolicyPatch,
} from '../../shared/schemas/administration.ts';

const MB = 1024 * 1024;

const megabytes = (bytes: number) => Math.max(1, Math.round(bytes / MB));

/** The policies page shows the upload and MIS push limits in whole MB (both stored in bytes). */
function policiesOf(settings: SchoolSettings, misPushBytes: number): Policies {
  const { maxUploadBytes, ...rest } = settings;
  return {
    ...rest,
    maxUploadMegabytes: megabytes(maxUploadBytes),
    maxMisPushMegabytes: megabytes(misPushBytes),
  };
}

async function storedSettings(t: Tx): Promise<Record<string, unknown>> {
  const [row] = await t.q<{ settings: Record<string, unknown> | null }>(
    'SELECT settings FROM schools WHERE id = $1',
    [t.actor.schoolId],
  );
  return row?.settings ?? {};
}

export async function readPolicies(t: Tx): Promise<Policies> {
  const raw = await storedSettings(t);
  return policiesOf(readSettings(raw), readMisPushLimit(raw));
}

export async function updatePolicies(t: Tx, patch: PolicyPatch): Promise<Policies> {
  const { maxUploadMegabytes, maxMisPushMegabytes, alertEscalationMinutes, ...schoolPatch } = patch;
  if (maxUploadMegabytes !== undefined && maxUploadMegabytes > MAX_UPLOAD_MEGABYTES)
    throw badRequest(
      `The body field "maxUploadMegabytes" must be <= ${MAX_UPLOAD_MEGABYTES}: the server ` +
        `accepts no upload larger than ${MAX_UPLOAD_MEGABYTES} MB, whatever the school sets.`,
      'invalid',
    );
  const raw = await storedSettings(t);
  const current = readSettings(raw);
  const misPushBytes = readMisPushLimit(raw);
  const before = policiesOf(current, misPushBytes);
  const merged = readSettings({
    ...raw,
    ...current,
    ...schoolPatch,
    passwordPolicy: { ...current.passwordPolicy, ...(schoolPatch.passwordPolicy ?? {}) },
    alertEscalationMinutes: alertEscalationMinutes ?? current.alertEscalationMinutes,
    // The limit is kept in bytes; a value the page shows rounded is rewritten only when changed.
    maxUploadBytes:
      maxUploadMegabytes === undefined || maxUploadMegabytes === before.maxUploadMegabytes
        ? current.maxUploadBytes
        : maxUploadMegabytes * MB,
  });
  // The MIS push limit is the MIS feature's setting (core/settings.ts readMisPushLimit), kept in
  // bytes beside the rest and rewritten only when changed.
  const misPush =
    maxMisPushMegabytes === undefined || maxMisPushMegabytes === before.maxMisPushMegabytes
      ? misPushBytes
      : maxMisPushMegabytes * MB;
  const stored = { ...raw, ...merged, maxMisPushBytes: misPush };
  await t.q('UPDATE schools SET settings = $2::jsonb WHERE id = $1', [
    t.actor.schoolId,
    JSON.stringify(stored),
  ]);
  const after = policiesOf(merged, misPush);
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
