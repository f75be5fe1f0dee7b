// The categories a new school starts with. The school edits them afterwards; these are only the
// starting set, written for English schools and aligned with Keeping Children Safe in Education
// (KCSIE). Every colour is dark enough to carry WHITE text at WCAG AA (contrast >= 4.5:1), which a
// test checks; the category editor holds a school's own colours to the same rule
// (categoryColourProblem, enforced by the server on every new or changed colour).
//
// Restricted categories are visible only to the DSL team (and those the school grants) by default:
// a record is restricted if ANY category or sub-category chosen on it is restricted. The groups a
// category alerts by default are teams (src/shared/alert-teams.ts), each standing for default
// staff groups a new school is created with (src/core/access/default-groups.ts).

import type { AlertTeam } from '../../shared/alert-teams.ts';

export interface DefaultSubcategory {
  key: string;
  name: string;
  restricted: boolean;
}

export interface DefaultCategory {
  /** Stable identifier, so an upgrade can tell a default category from a school's own. */
  key: string;
  name: string;
  /** Background colour, #rrggbb; text on it is white (TEXT_COLOUR_ON_CATEGORY). */
  colour: string;
  /** Shown to the person logging when they choose the category. */
  guidance: string;
  restricted: boolean;
  /** The teams alerted by default (ALERT_TEAMS), each made of default staff groups. */
  alertGroups: readonly AlertTeam[];
  subcategories: readonly DefaultSubcategory[];
}

const sub = (key: string, name: string, restricted = false): DefaultSubcategory => ({
  key,
  name,
  restricted,
});

const TELL_DSL_NOW =
  'If a child is at risk of immediate harm, tell the DSL in person now and call 999 if needed; ' +
  'record afterwards. ';
const FACTS =
  "Record facts: what you saw and heard, the child's own words exactly, when and where. " +
  'Do not investigate, promise confidentiality or ask leading questions.';

export const DEFAULT_CATEGORIES: readonly DefaultCategory[] = [
  {
    key: 'child_protection',
    name: 'Child protection',
    colour: '#b3261e',
    guidance: TELL_DSL_NOW + FACTS,
    restricted: true,
    alertGroups: ['dsl_team'],
    subcategories: [
      sub('physical_abuse', 'Physical abuse', true),
      sub('emotional_abuse', 'Emotional abuse', true),
      sub('sexual_abuse', 'Sexual abuse', true),
      sub('neglect', 'Neglect', true),
    ],
  },
  {
    key: 'child_on_child',
    name: 'Child-on-child abuse',
    colour: '#8e2430',
    guidance:
      'Abuse between children is never "just banter". Record each child involved with their own ' +
      'role. Sexual violence or harassment goes to the DSL the same day. ' +
      FACTS,
    restricted: false,
    alertGroups: ['dsl_team'],
    subcategories: [
      sub('physical', 'Physical'),
      sub('sexual_violence_harassment', 'Sexual violence or harassment', true),
      sub('nude_image_sharing', 'Sharing nudes or semi-nudes', true),
      sub('initiation_violence', 'Initiation or hazing'),
    ],
  },
  {
    key: 'online_safety',
    name: 'Online safety',
    colour: '#1d4f91',
    guidance:
      'Do not view, copy, forward or screenshot indecent images of children; secure the device and ' +
      'tell the DSL. Note the platform, account names and what the child described.',
    restricted: false,
    alertGroups: ['dsl_team'],
    subcategories: [
      sub('grooming', 'Online grooming', true),
      sub('harmful_content', 'Harmful content'),
      sub('cyberbullying', 'Cyberbullying'),
    ],
  },
  {
    key: 'bullying',
    name: 'Bullying',
    colour: '#6a3d9a',
    guidance:
      'Record what happened, how often and who was involved, each child with their own role. ' +
      'Bullying that causes significant harm is a child protection concern: tell the DSL.',
    restricted: false,
    alertGroups: ['pastoral_team'],
    subcategories: [
      sub('physical', 'Physical'),
      sub('verbal', 'Verbal'),
      sub('prejudice_based', 'Prejudice-based (racist, homophobic, disablist…)'),
      sub('online', 'Online'),
    ],
  },
  {
    key: 'mental_health',
    name: 'Mental health',
    colour: '#00695c',
    guidance:
      'Staff are not expected to diagnose. Record what you observed and what the child said. A ' +
      'mental health concern that is also a safeguarding concern goes to the DSL straight away.',
    restricted: false,
    alertGroups: ['dsl_team', 'pastoral_team'],
    subcategories: [
      sub('anxiety', 'Anxiety'),
      sub('low_mood', 'Low mood'),
      sub('eating', 'Eating'),
    ],
  },
  {
    key: 'self_harm',
    name: 'Self-harm',
    colour: '#a4262c',
    guidance:
      TELL_DSL_NOW +
      'If there are injuries, get first aid. Record what you saw and the words the child used; ' +
      'use the body map for injuries.',
    restricted: false,
    alertGroups: ['dsl_team'],
    subcategories: [sub('suicidal_thoughts', 'Suicidal thoughts', true)],
  },
  {
    key: 'exploitation',
    name: 'Exploitation (CSE/CCE)',
    colour: '#7b1f4b',
    guidance:
      TELL_DSL_NOW +
      'Signs include unexplained money or gifts, older associates and going missing. A child ' +
      'cannot consent to their own exploitation. ' +
      FACTS,
    restricted: true,
    alertGroups: ['dsl_team'],
    subcategories: [
      sub('cse', 'Child sexual exploitation (CSE)', true),
      sub('cce', 'Child criminal exploitation (CCE)', true),
      sub('county_lines', 'County lines', true),
      sub('trafficking', 'Modern slavery or trafficking', true),
    ],
  },
  {
    key: 'prevent',
    name: 'Prevent (radicalisation)',
    colour: '#4a3b8f',
    guidance:
      'Record what was said or shared, exactly, and tell the DSL, who decides whether to make a ' +
      'Prevent referral. If there is immediate danger call 999.',
    restricted: true,
    alertGroups: ['dsl_team'],
    subcategories: [],
  },
  {
    key: 'domestic_abuse',
    name: 'Domestic abuse',
    colour: '#8a3b12',
    guidance:
      'Children who see, hear or experience the effects of domestic abuse are victims of it. ' +
      'Record what the child said and any Operation Encompass notification. ' +
      FACTS,
    restricted: true,
    alertGroups: ['dsl_team'],
    subcategories: [sub('operation_encompass', 'Operation Encompass notification', true)],
  },
  {
    key: 'young_carer',
    name: 'Young carer',
    colour: '#2e6b30',
    guidance:
      'Record who the child cares for and how it affects school. Young carers may be entitled to ' +
      'a young carer’s needs assessment; tell the DSL or pastoral lead.',
    restricted: false,
    alertGroups: ['pastoral_team'],
    subcategories: [],
  },
  {
    key: 'attendance',
    name: 'Attendance and children missing education',
    colour: '#005a8d',
    guidance:
      'Unexplained or repeated absence can be a sign of abuse, neglect or exploitation. A child ' +
      'missing education, or not collected, goes to the DSL and the attendance lead the same day.',
    restricted: false,
    alertGroups: ['attendance_team', 'dsl_team'],
    subcategories: [
      sub('persistent_absence', 'Persistent absence'),
      sub('missing_education', 'Child missing education'),
      sub('missing_from_home', 'Missing from home or care'),
      sub('part_time_timetable', 'Part-time timetable'),
    ],
  },
  {
    key: 'behaviour',
    name: 'Behaviour',
    colour: '#5d4037',
    guidance:
      'Record the behaviour and its context. A change in behaviour can be a sign of harm: if you ' +
      'are worried why, record it as a safeguarding concern too.',
    restricted: false,
    alertGroups: ['pastoral_team'],
    subcategories: [
      sub('suspension', 'Suspension'),
      sub('physical_intervention', 'Use of reasonable force'),
    ],
  },
  {
    key: 'sen',
    name: 'SEN',
    colour: '#37474f',
    guidance:
      'Children with SEND can be more vulnerable and may communicate harm differently. Record what ' +
      'you observed and how the child communicated it.',
    restricted: false,
    alertGroups: ['senco'],
    subcategories: [],
  },
  {
    key: 'medical',
    name: 'Medical',
    colour: '#0b6e4f',
    guidance:
      'Record symptoms, treatment given and who was told. Unexplained injuries or medical needs ' +
      'not being met are safeguarding concerns: tell the DSL.',
    restricted: false,
    alertGroups: ['pastoral_team'],
    subcategories: [],
  },
  {
    key: 'parental_contact',
    name: 'Parental contact',
    colour: '#455a64',
    guidance:
      'Record who you spoke to, their relationship to the child, how (call, meeting, email) and ' +
      'what was agreed. Check contact restrictions before sharing information.',
    restricted: false,
    alertGroups: [],
    subcategories: [],
  },
  {
    key: 'early_help',
    name: 'Early help',
    colour: '#1565c0',
    guidance:
      'Early help means support as soon as a problem emerges. Record the need, what support is ' +
      'offered and whether the family consents to an Early Help Assessment.',
    restricted: false,
    alertGroups: ['dsl_team'],
    subcategories: [],
  },
  {
    key: 'low_level_concern',
    name: 'Low-level concern',
    colour: '#4e342e',
    guidance:
      'About an adult’s conduct that does not meet the harm threshold. Share it with the DSL or ' +
      'headteacher. If an adult may have harmed a child, it is an allegation: tell the headteacher ' +
      'now (or the chair of governors if it concerns the headteacher).',
    // Restricted although not in the brief's list: it names a colleague, so it should not be
    // visible to other teachers of the pupil.
    restricted: true,
    alertGroups: ['dsl_team', 'headteacher'],
    subcategories: [],
  },
];
