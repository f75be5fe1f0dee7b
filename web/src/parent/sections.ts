// The sections of a parent's home page (issue 21): each feature adds ONE line here (F: forms,
// M: medical) with its title, a sentence, and its page under /parent/. The home page lists them
// after the parent's children; the parent app routes each `path` to its lazily loaded page.
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

export type ParentSection = {
  /** The address under /parent/ (no leading slash), e.g. 'forms'. */
  path: string;
  title: string;
  description: string;
  page: LazyExoticComponent<ComponentType>;
};

export const PARENT_SECTIONS: ParentSection[] = [
  {
    path: 'medical',
    title: 'Medical and care',
    description:
      "Your child's conditions, medicines, allergies, diet and plans: check and confirm.",
    page: lazy(() => import('./medical/ParentMedical.tsx')),
  },
  {
    path: 'forms',
    title: 'Forms',
    description:
      'Admission forms the school has sent for your child: fill them in, save and come back.',
    page: lazy(() => import('./forms/ParentForms.tsx')),
  },
  {
    path: 'consents',
    title: 'Consent forms',
    description: 'Give or refuse consent (trips, photographs…), and change your mind later.',
    page: lazy(() => import('./consents/ParentConsents.tsx')),
  },
  {
    path: 'account',
    title: 'Your account',
    description: 'Where you are signed in, and signing out.',
    page: lazy(() => import('./ParentAccount.tsx')),
  },
];
