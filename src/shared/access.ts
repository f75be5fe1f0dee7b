// The access model's vocabularies, declared once for the server's rules (src/core/access/) and for
// the schemas and pages that show and change them. No Node, no database.

/** Roles are labels that choose a new account's default groups; they grant nothing themselves. */
export const ROLES = [
  'teacher',
  'head_of_year',
  'dsl',
  'deputy_dsl',
  'headteacher',
  'school_admin',
  /** Data-protection officer (issue 15): retention, holds and certificates; no record content. */
  'dpo',
  /**
   * Chair of governors (issue 19): the case manager for concerns about the headteacher. The
   * account can raise and manage concerns about adults and nothing else.
   */
  'chair_of_governors',
] as const;
export type Role = (typeof ROLES)[number];

/** What a school may grant a group beyond seeing categories. */
export const CAPABILITIES = [
  'search',
  'export',
  'reports',
  'admin',
  'manage_cases',
  /** The retention schedule, legal holds, the review queue and certificates (issue 15). */
  'retention',
  /** Reading the audit trail (issue 20): who has seen a pupil's record, and the audit explorer. */
  'audit',
  /** The data-protection register: rights requests, breaches, complaints (issue 17). */
  'data_protection',
  /** Concerns about adults routed to the holder's team (issue 19): read and triage them. */
  'staff_concerns',
  /**
   * Parents and forms (issue 21): invitations and parent accounts, admission forms and the MIS
   * write-back, medical and care profiles, consent forms and trips' emergency cards. No
   * safeguarding record by itself.
   */
  'parents',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** `view` includes `add`: whoever may see a category may also log a record in it. */
export const CATEGORY_ACCESS = ['none', 'add', 'view'] as const;
export type CategoryAccess = (typeof CATEGORY_ACCESS)[number];

/** Which pupils a group's grants cover. */
export const SCOPE_KINDS = ['school', 'year_groups', 'own_groups'] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number];
