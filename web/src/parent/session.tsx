// The signed-in parent, for the parent area's pages: who, which stage, and how to sign out.
import { createContext, use } from 'react';
import type { ParentSessionInfo } from '../../../src/shared/schemas/parents.ts';

export type ParentSessionApi = {
  session: ParentSessionInfo;
  adopt: (s: ParentSessionInfo) => void;
  signOut: () => Promise<void>;
};

export const ParentSessionContext = createContext<ParentSessionApi | null>(null);

export function useParentSession(): ParentSessionApi {
  const s = use(ParentSessionContext);
  if (!s) throw new Error('useParentSession outside the parent app');
  return s;
}
