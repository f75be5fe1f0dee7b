// The concern as the follow-up forms act on it: only the pupils the viewer may see (the server
// names the others "Another pupil", with no id).
import type { ConcernView } from '../../../../src/shared/schemas/concerns.ts';

export type ConcernWithSeenPupils = Omit<ConcernView, 'pupils'> & {
  pupils: (ConcernView['pupils'][number] & { id: string })[];
};
