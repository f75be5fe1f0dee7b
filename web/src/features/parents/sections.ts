// The sections of "Parents and forms" (issue 21): each feature adds ONE line here (F: admission
// and consent forms, MIS write-back; M: medical profiles, trips). The hub lists them and the app
// routes /parents/<path>/* to the section's page. Pages are imported directly, not lazily: the
// staff app is not split by route (issue 14, e2e/first-load.test.ts).
import type { ComponentType } from 'react';
import InvitationsPage from './InvitationsPage.tsx';
import MedicalSection from '../medical/MedicalSection.tsx';
import TripsPage from '../trips/TripsPage.tsx';
import AdmissionsSection from '../admissions/AdmissionsSection.tsx';
import ConsentsSection from '../consents/ConsentsSection.tsx';

export type StaffParentsSection = {
  /** The address under /parents/ (no slash), e.g. 'invitations'. */
  path: string;
  title: string;
  description: string;
  page: ComponentType;
};

export const PARENTS_SECTIONS: StaffParentsSection[] = [
  {
    path: 'invitations',
    title: 'Invitations and accounts',
    description:
      'Invite the parents and carers of chosen pupils or a whole intake, see who has accepted, resend, and revoke access.',
    page: InvitationsPage,
  },
  {
    path: 'medical',
    title: 'Medical and care profiles',
    description:
      "Each pupil's conditions, medicines, allergies, diet and plans, with changes waiting for a parent or for you; plans due for review.",
    page: MedicalSection,
  },
  {
    path: 'trips',
    title: 'Trips and emergency cards',
    description: 'Trips, their leaders and pupils, and the offline emergency cards leaders carry.',
    page: TripsPage,
  },
  {
    path: 'admissions',
    title: 'Admission forms',
    description:
      'Build forms bound to the MIS’s fields, send them, review what parents sent back against the MIS, and export the accepted changes for the MIS.',
    page: AdmissionsSection,
  },
  {
    path: 'consents',
    title: 'Consent forms',
    description:
      'Versioned consent forms: who answered what to which version, and where parents disagree.',
    page: ConsentsSection,
  },
];
