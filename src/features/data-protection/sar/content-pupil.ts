// What the school information system holds about a subject beyond their record (issue 17,
// session 13): their flags (the kind sealed), SEN needs and provision (sealed), and attendance as
// one summary a term — or, for marks outside every term, a school year — never a mark each.
import { dayOf, words, type Content, type Reader } from './content-types.ts';
import { between, byId, lines, MIS } from './content-more.ts';
import { splitId } from './gather-more.ts';

const FLAG_NAMES: Record<string, string> = {
  cp_plan: 'Child protection plan',
  cin: 'Child in need',
  lac: 'Looked after child',
  sen_support: 'SEN support',
  ehcp: 'Education, health and care plan',
  fsm: 'Free school meals',
  pupil_premium: 'Pupil premium',
  eal: 'English as an additional language',
  young_carer: 'Young carer',
};
export const flags: Reader = async (t, s, ids) => {
  const rows = await t.q<{
    id: string;
    kind_sealed: Buffer;
    source: string;
    starts_on: string | null;
    ends_on: string | null;
  }>(
    `SELECT id, kind_sealed, source, starts_on::text, ends_on::text FROM pupil_flags
     WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  return byId(rows, (r) => {
    const kind = s.open('pupil_flags.kind', r.id, r.kind_sealed);
    const name = FLAG_NAMES[kind] ?? words(kind);
    const when = between(r.starts_on, r.ends_on);
    return {
      title: `Flag: ${name}`,
      author: r.source === 'mis' ? MIS : 'Lantern (set by the school)',
      text: `${name}${when ? `, ${when}` : ''}.`,
      people: [],
    };
  });
};

export const sen: Reader = async (t, s, ids) => {
  const out = new Map<string, Content>();
  for (const table of ['needs', 'provisions'] as const) {
    const prefix = table === 'needs' ? 'need' : 'provision';
    const mine = ids.filter((i) => i.startsWith(`${prefix}:`)).map((i) => splitId(i)[1]);
    if (mine.length === 0) continue;
    const rows = await t.q<{
      id: string;
      code: Buffer | null;
      description: Buffer | null;
      starts_on: string | null;
      ends_on: string | null;
    }>(
      `SELECT id, code, description, starts_on::text, ends_on::text FROM pupil_sen_${table}
       WHERE id = ANY($1::uuid[])`,
      [mine],
    );
    for (const r of rows) {
      const open = (c: 'code' | 'description', v: Buffer | null) =>
        v ? s.open(`pupil_sen_${table}.${c}`, r.id, v) : null;
      out.set(`${prefix}:${r.id}`, {
        title: table === 'needs' ? 'Special educational need' : 'SEN provision',
        author: MIS,
        text: lines([
          ['Code', open('code', r.code)],
          ['Description', open('description', r.description)],
          ['When', between(r.starts_on, r.ends_on)],
        ]),
        people: [],
      });
    }
  }
  return out;
};

/** One summary a term (or, for marks outside every term, a school year): never a mark each. */
export const attendance: Reader = async (t, _s, ids) => {
  const out = new Map<string, Content>();
  for (const id of ids) {
    const [pupilId, key] = splitId(id);
    const year = /^\d{4}$/.test(key) ? Number(key) : null;
    const [term] =
      year === null
        ? await t.q<{ name: string; starts_on: string; ends_on: string }>(
            'SELECT name, starts_on::text, ends_on::text FROM school_terms WHERE id = $1',
            [key],
          )
        : [];
    if (year === null && !term) continue;
    const range = term ? [term.starts_on, term.ends_on] : [`${year}-09-01`, `${year! + 1}-08-31`];
    const outside = term
      ? ''
      : `AND NOT EXISTS (SELECT 1 FROM school_terms s
           WHERE m.on_date BETWEEN s.starts_on AND s.ends_on)`;
    const codes = await t.q<{
      code: string;
      description: string | null;
      category: string | null;
      n: number;
    }>(
      `SELECT m.code, c.description, c.category, count(*)::int AS n
       FROM attendance_marks m
       LEFT JOIN attendance_codes c ON c.school_id = m.school_id AND c.code = m.code
       WHERE m.pupil_id = $1 AND m.on_date BETWEEN $2::date AND $3::date ${outside}
       GROUP BY m.code, c.description, c.category ORDER BY m.code`,
      [pupilId, range[0], range[1]],
    );
    const sum = (f: (c: string | null) => boolean) =>
      codes.filter((c) => f(c.category)).reduce((n, c) => n + c.n, 0);
    const possible = sum((c) => c !== 'not_required' && c !== 'no_mark');
    const present = sum((c) =>
      ['present', 'late', 'approved_educational_activity'].includes(c ?? ''),
    );
    const pct = possible > 0 ? ` (${((100 * present) / possible).toFixed(1)}%)` : '';
    out.set(id, {
      title: term
        ? `Attendance: ${term.name}`
        : `Attendance outside term dates, ${year}–${String(year! + 1).slice(2)}`,
      author: MIS,
      text: [
        `From ${dayOf(range[0]!)} to ${dayOf(range[1]!)}.`,
        `Sessions possible: ${possible}`,
        `Present (including late and approved activities): ${present}${pct}`,
        `Authorised absence: ${sum((c) => c === 'authorised_absence')}`,
        `Unauthorised absence: ${sum((c) => c === 'unauthorised_absence')}`,
        `Late: ${sum((c) => c === 'late')}`,
        `Sessions by code: ${codes.map((c) => `${c.code}${c.description ? ` (${c.description})` : ''} ${c.n}`).join('; ')}`,
      ].join('\n'),
      people: [],
    });
  }
  return out;
};
