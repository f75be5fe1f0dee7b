// The pupil a profile is about: present in this school (row-level security) and not archived.
import type { SchoolTx } from '../../core/context.ts';
import { notFound } from '../../core/errors.ts';

export async function pupilName(t: SchoolTx, pupilId: string): Promise<string> {
  const [p] = await t.q<{ name: string }>(
    `SELECT coalesce(preferred_name, first_name) || ' ' || last_name AS name FROM pupils
     WHERE id = $1 AND archived_at IS NULL`,
    [pupilId],
  );
  if (!p) throw notFound('That pupil');
  return p.name;
}
