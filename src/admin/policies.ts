// A school's sign-in, session, account and password policies, read and changed by its
// administrators. Other keys in the settings JSON (other features' settings) are kept as they are.
import type { Tx } from '../http/context.ts';
import { readSettings, type SchoolSettings } from '../schools/settings.ts';

export type PolicyPatch = Partial<Omit<SchoolSettings, 'passwordPolicy'>> & {
  passwordPolicy?: Partial<SchoolSettings['passwordPolicy']>;
};

export async function readPolicies(t: Tx): Promise<SchoolSettings> {
  const [row] = await t.q<{ settings: unknown }>('SELECT settings FROM schools WHERE id = $1', [
    t.actor.schoolId,
  ]);
  return readSettings(row?.settings);
}

export async function updatePolicies(t: Tx, patch: PolicyPatch): Promise<SchoolSettings> {
  const [row] = await t.q<{ settings: Record<string, unknown> | null }>(
    'SELECT settings FROM schools WHERE id = $1',
    [t.actor.schoolId],
  );
  const raw = row?.settings ?? {};
  const before = readSettings(raw);
  const merged = {
    ...raw,
    ...before,
    ...patch,
    passwordPolicy: { ...before.passwordPolicy, ...(patch.passwordPolicy ?? {}) },
  };
  const after = readSettings(merged);
  await t.q('UPDATE schools SET settings = $2::jsonb WHERE id = $1', [
    t.actor.schoolId,
    JSON.stringify({ ...raw, ...after }),
  ]);
  const changed: string[] = [];
  for (const k of Object.keys(after) as (keyof SchoolSettings)[]) {
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
