// The sections of "Parents and forms" (issue 21): each feature adds ONE line here (F: admission
// and consent forms, MIS write-back; M: medical profiles, trips). The hub lists them and the app
// routes /parents/<path>/* to the section's lazily loaded page (a default export).
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

export type StaffParentsSection = {
  /** The address under /parents/ (no slash), e.g. 'invitations'. */
  path: string;
  title: string;
  description: string;
  page: LazyExoticComponent<ComponentType>;
};

export const PARENTS_SECTIONS: StaffParentsSection[] = [
  {
    path: 'invitations',
    title: 'Invitations and accounts',
    description:
      'Invite the parents and carers of chosen pupils or a whole intake, see who has accepted, resend, and revoke access.',
    page: lazy(() => import('./InvitationsPage.tsx')),
  },
  {
    path: 'admissions',
    title: 'Admission forms',
    description:
      'Build forms bound to the MIS’s fields, send them, review what parents sent back against the MIS, and export the accepted changes for the MIS.',
    page: lazy(() => import('../admissions/AdmissionsSection.tsx')),
  },
  {
    path: 'consents',
    title: 'Consent forms',
    description:
      'Versioned consent forms: who answered what to which version, and where parents disagree.',
    page: lazy(() => import('../consents/ConsentsSection.tsx')),
  },
];
