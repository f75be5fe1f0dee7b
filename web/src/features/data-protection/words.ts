// How the data-protection register's vocabulary reads on screen (issue 17).
import type {
  RequestKind,
  RequestStatus,
  Relationship,
} from '../../../../src/shared/schemas/data-protection.ts';

export const KIND_NAMES = {
  subject_access: 'Subject access',
  educational_record: 'Educational record',
  rectification: 'Rectification',
  erasure: 'Erasure',
  restriction: 'Restriction',
  objection: 'Objection',
  portability: 'Portability',
} satisfies Record<RequestKind, string>;

export const RELATIONSHIP_NAMES = {
  self: 'The person themselves',
  parent: 'Parent',
  carer: 'Carer',
  representative: 'Representative (a solicitor, an advocate)',
  other: 'Someone else',
} satisfies Record<Relationship, string>;

export const CHANNEL_NAMES = {
  letter: 'Letter',
  email: 'Email',
  in_person: 'In person',
  phone: 'Phone',
  web_form: 'Web form',
  social_media: 'Social media',
  other: 'Other',
} as const;

export const STATUS_NAMES = {
  open: 'Open',
  released: 'Released',
  completed: 'Completed',
  refused: 'Refused',
  withdrawn: 'Withdrawn',
} satisfies Record<RequestStatus, string>;

/** "Fri 5 Sep 2025" from '2025-09-05'. */
export function formatDay(date: string): string {
  return new Date(`${date}T12:00:00Z`).toLocaleDateString('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
}
