// How a pupil is involved in a record, declared once for the server's rules and schemas and the
// web app's picker. Plain data: no schema library, no Node.

/** Each linked pupil's role is chosen for that pupil: there is no default. */
export const PUPIL_ROLES = [
  'subject',
  'victim',
  'alleged_perpetrator',
  'witness',
  'other',
] as const;
export type PupilRole = (typeof PUPIL_ROLES)[number];

/** A word for each role, as the screens and the chronology's PDF show it. */
export const PUPIL_ROLE_LABELS: Readonly<Record<PupilRole, string>> = {
  subject: 'Subject of concern',
  victim: 'Victim',
  alleged_perpetrator: 'Alleged perpetrator',
  witness: 'Witness',
  other: 'Other',
};

export function pupilRoleLabel(role: string): string {
  return (PUPIL_ROLE_LABELS as Record<string, string>)[role] ?? role.replace(/_/g, ' ');
}
