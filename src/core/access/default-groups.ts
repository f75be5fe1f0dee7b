// The groups and grants a new English school starts with. Schools then tailor them; these are
// the least each role needs, following KCSIE's split between the DSL team and everyone else.
import type { Capability, GroupGrant, Scope } from './permissions.ts';

export interface GroupTemplate {
  /** Stable key, unique within the school. */
  key: string;
  name: string;
  description: string;
  grant: Omit<GroupGrant, 'groupId'>;
}

const EVERY_CAPABILITY: readonly Capability[] = [
  'search',
  'export',
  'reports',
  'admin',
  'manage_cases',
  'retention',
  'audit',
  'parents',
];

const SCHOOL: Scope = { kind: 'school' };

/** The year groups of an all-through English school, used when the MIS has not said. */
export const ENGLISH_YEAR_GROUPS: readonly string[] = [
  'Nursery',
  'Reception',
  ...Array.from({ length: 13 }, (_, i) => `Year ${i + 1}`),
];

function template(
  key: string,
  name: string,
  description: string,
  grant: Partial<Omit<GroupGrant, 'groupId'>> & { scope: Scope },
): GroupTemplate {
  return {
    key,
    name,
    description,
    grant: {
      nonRestrictedDefault: 'none',
      restrictedDefault: 'none',
      categories: {},
      capabilities: [],
      ...grant,
    },
  };
}

function slug(yearGroup: string): string {
  return yearGroup
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

/**
 * Default groups: the DSL team (DSL and deputies) and the headteacher see everything, including
 * restricted categories, and hold every capability; pastoral and SEN teams see non-restricted
 * records school-wide; each head of year sees non-restricted records of their year; class teachers
 * see non-restricted records of pupils in their own groups; all staff may only log concerns (in
 * any category, restricted ones included, so nobody is ever blocked from reporting) and see
 * nothing; school administrators administer but see no records.
 */
export function defaultGroupsForNewSchool(
  opts: { yearGroups?: readonly string[] } = {},
): GroupTemplate[] {
  const everything = {
    nonRestrictedDefault: 'view',
    restrictedDefault: 'view',
    scope: SCHOOL,
    capabilities: EVERY_CAPABILITY,
  } as const;
  const yearGroups = opts.yearGroups ?? ENGLISH_YEAR_GROUPS;
  return [
    template(
      'dsl',
      'Designated safeguarding lead',
      'The DSL: every record, every capability.',
      everything,
    ),
    template('deputy_dsl', 'Deputy DSLs', 'Deputy designated safeguarding leads.', everything),
    template(
      'headteacher',
      'Headteacher',
      'The headteacher: every record, every capability, and concerns about adults.',
      // The case manager for concerns about adults (issue 19); the DSL team is not, by default.
      { ...everything, capabilities: [...EVERY_CAPABILITY, 'staff_concerns'] },
    ),
    template(
      'pastoral',
      'Pastoral team',
      'Non-restricted records of every pupil; search and reports.',
      {
        nonRestrictedDefault: 'view',
        scope: SCHOOL,
        capabilities: ['search', 'reports'],
      },
    ),
    template('sen', 'SEN team', 'The SENCO and SEN staff: non-restricted records; search.', {
      nonRestrictedDefault: 'view',
      scope: SCHOOL,
      capabilities: ['search'],
    }),
    ...yearGroups.map((yearGroup) =>
      template(
        `head_of_${slug(yearGroup)}`,
        `Head of ${yearGroup}`,
        `Non-restricted records of ${yearGroup}.`,
        {
          nonRestrictedDefault: 'view',
          scope: { kind: 'year_groups', yearGroups: [yearGroup] },
          capabilities: ['search'],
        },
      ),
    ),
    template(
      'class_teachers',
      'Class teachers and form tutors',
      'Non-restricted records of pupils they teach.',
      {
        nonRestrictedDefault: 'view',
        scope: { kind: 'own_groups' },
      },
    ),
    template('all_staff', 'All staff', 'Everyone: may log a concern, sees only what they logged.', {
      nonRestrictedDefault: 'add',
      restrictedDefault: 'add',
      scope: SCHOOL,
    }),
    template(
      'dpo',
      'Data-protection officer',
      'The retention schedule, legal holds, the review queue and certificates, the data-protection register and the audit trail; no records. To work the safeguarding items of a subject-access request, a DPO must also be in the DSL team.',
      { scope: SCHOOL, capabilities: ['retention', 'data_protection', 'audit'] },
    ),
    template(
      'chair_of_governors',
      'Chair of governors',
      'Case manager for concerns about the headteacher (issue 19); no pupil records.',
      { scope: SCHOOL, capabilities: ['staff_concerns'] },
    ),
    template(
      'school_admin',
      'School administrators',
      'Manage staff, groups and policies, and parents and forms; no records.',
      {
        scope: SCHOOL,
        capabilities: ['admin', 'parents'],
      },
    ),
  ];
}
