// The audit entries about a subject's records, as one item of a subject-access response (issue
// 17, session 13): a table of when, who, what and which record, up to the last entry when it was
// gathered, so the response does not move under its approval each time the record is read. Who
// is the member's role, with their name unless the school's policy redacts staff names.
import type { Tx } from '../../../core/context.ts';
import { labelOf } from '../../audit-trail/labels.ts';
import { pupilTargetsSql, SEPARATE_AREAS } from '../../audit-trail/service.ts';
import { tableText, words, type Content, type Reader } from './content-types.ts';

const ROLE_WORDS: Record<string, string> = {
  dsl: 'DSL',
  deputy_dsl: 'deputy DSL',
  dpo: 'DPO',
  headteacher: 'headteacher',
  head_of_year: 'head of year',
  school_admin: 'school administrator',
  teacher: 'teacher',
};

/** Whether the school's policy redacts staff names (schools.settings.sarRedactStaff). */
export async function redactsStaff(t: Tx): Promise<boolean> {
  const [row] = await t.q<{ settings: Record<string, unknown> | null }>(
    'SELECT settings FROM schools WHERE id = $1',
    [t.schoolId],
  );
  return row?.settings?.sarRedactStaff === true;
}

/**
 * The filter on `audit_events e` for a subject-access audit table: not the data-protection
 * register's own entries (such as this gathering), and never the areas kept out of the general
 * trail (concerns about staff, issue 19), excluded by name as the audit trail's whereOf does.
 */
export const AUDIT_TABLE_FILTER = [
  `e.action NOT LIKE 'dp.%'`,
  ...SEPARATE_AREAS.map((p) => `e.action NOT LIKE '${p.replace(/_/g, '\\_')}%'`),
].join(' AND ');

export const AUDIT_COLUMNS = ['When', 'Who', 'What', 'Record'];

/**
 * The audit entries about a subject's records as ONE item: a table (when, who, what, record) up
 * to the last entry when gathered (`<pupil>:<seq>`). Who is the member's role, with their name
 * unless the school's policy redacts staff names. Items gathered before session 13 name a
 * single entry by its sequence number and read as they did.
 */
export const audits: Reader = async (t, _s, ids) => {
  const out = new Map<string, Content>();
  const single = ids.filter((i) => !i.includes(':'));
  if (single.length > 0) {
    const rows = await t.q<{ seq: string; action: string; who: string }>(
      `SELECT seq::text AS seq, action, actor_label AS who FROM audit_events
       WHERE school_id = $1 AND seq = ANY($2::bigint[])`,
      [t.schoolId, single],
    );
    for (const r of rows)
      out.set(r.seq, {
        title: `Audit: ${labelOf(r.action)[0]}`,
        author: r.who,
        authorIsStaff: true,
        text: `${labelOf(r.action)[0]} (by ${r.who}).`,
        people: [{ name: r.who, kind: 'staff', role: 'member of staff' }],
      });
  }
  const staff = await redactsStaff(t);
  for (const id of ids.filter((i) => i.includes(':'))) {
    const [pupilId, last] = id.split(':') as [string, string];
    const rows = await t.q<{
      at: Date;
      who: string;
      role: string | null;
      action: string;
      target_type: string;
    }>(
      `SELECT e.at, e.actor_label AS who, u.role, e.action, e.target_type
       FROM audit_events e JOIN (${pupilTargetsSql()}) pt
         ON e.target_type = pt.target_type AND e.target_id = pt.target_id
       LEFT JOIN users u ON u.id = e.actor_id
       WHERE e.school_id = $2 AND e.seq <= $3::bigint AND ${AUDIT_TABLE_FILTER}
       ORDER BY e.seq`,
      [pupilId, t.schoolId, last],
    );
    const who = (r: (typeof rows)[number]) => {
      const role = r.role ? (ROLE_WORDS[r.role] ?? words(r.role)) : null;
      if (!role) return r.who;
      return staff ? `A member of staff (${role})` : `${r.who} (${role})`;
    };
    out.set(id, {
      title: `Audit log: ${rows.length} ${rows.length === 1 ? 'entry' : 'entries'} about the pupil’s records`,
      author: 'Lantern',
      text: tableText(
        rows.map((r) => [
          r.at.toISOString().slice(0, 16).replace('T', ' '),
          who(r),
          labelOf(r.action)[0],
          words(r.target_type),
        ]),
      ),
      people: staff
        ? []
        : [...new Set(rows.filter((r) => r.role).map((r) => r.who))].map((name) => ({
            name,
            kind: 'staff' as const,
            role: 'member of staff',
          })),
      columns: AUDIT_COLUMNS,
    });
  }
  return out;
};
